"""`copkit badge verify|list|export|rotate-key` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copkit.cli import app
from copkit.credentials import services
from copkit.credentials.baking import bake_png, unbake
from copkit.credentials.images import badge_png
from copkit.credentials.jwt import sign_credential
from copkit.credentials.keys import KeyRing
from copkit.credentials.models import Award
from copkit.credentials.statuslist import status_list_credential
from copkit.errors import CopkitError
from tests.credentials.conftest import EnrollFn, FakeAssessment, FakeStanding, Standings
from tests.credentials.helpers import BASE, EXAMPLES, JWKS, LIST_URL, sample_credential

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    ring = KeyRing(tmp_path / "keys", environ={})
    key = ring.active("RS256")
    token = sign_credential(sample_credential(), key=key, kid=f"{JWKS}#{key.thumbprint}")
    paths = {
        "jwt": tmp_path / "badge.jwt",
        "png": tmp_path / "badge.png",
        "jwks": tmp_path / "jwks.json",
        "list": tmp_path / "status.json",
        "revoked": tmp_path / "revoked.json",
        "tampered": tmp_path / "tampered.jwt",
    }
    paths["jwt"].write_text(token)
    paths["png"].write_bytes(bake_png(badge_png(32), token))
    paths["jwks"].write_text(json.dumps(ring.jwks(JWKS)))
    for name, revoked in (("list", []), ("revoked", [3])):
        paths[name].write_text(
            json.dumps(
                status_list_credential(
                    list_url=LIST_URL,
                    issuer_id=f"{BASE}/badges/issuers/cmcp",
                    valid_from="2026-01-01T00:00:00Z",
                    set_indexes=revoked,
                )
            )
        )
    paths["tampered"].write_text(token[:-12] + "A" * 12)
    return paths


def verify(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["badge", "verify", *args])
    return result.exit_code, result.output


def test_verify_valid_jwt_and_png_offline(files: dict[str, Path]) -> None:
    for name in ("jwt", "png"):
        code, output = verify(
            str(files[name]), "--offline", "--key", str(files["jwks"]),
            "--status-list", str(files["list"]),
        )  # fmt: skip
        assert code == 0, output
        assert "VALID" in output and "signature" in output


def test_verify_says_which_check_failed(files: dict[str, Path]) -> None:
    code, output = verify(
        str(files["tampered"]), "--offline", "--key", str(files["jwks"]),
        "--status-list", str(files["list"]),
    )  # fmt: skip
    assert code == 1
    assert "fail signature" in output and "TAMPERED" in output
    code, output = verify(
        str(files["jwt"]), "--offline", "--key", str(files["jwks"]),
        "--status-list", str(files["revoked"]), "--json",
    )  # fmt: skip
    assert code == 1
    body = json.loads(output)
    assert body["status"] == "revoked"
    code, output = verify(
        str(files["jwt"]), "--offline", "--key", str(files["jwks"]),
        "--status-list", str(files["list"]), "--subject", "someone@example.org",
    )  # fmt: skip
    assert code == 1 and "issued to someone else" in output


def test_verify_without_key_is_not_valid(files: dict[str, Path]) -> None:
    code, output = verify(str(files["jwt"]), "--offline")
    assert code == 1 and "UNVERIFIABLE" in output


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="conformance examples not found")
def test_verify_a_conformance_svg() -> None:
    code, output = verify(str(EXAMPLES / "baked" / "simple-jwt.svg"), "--offline")
    assert code == 0, output
    assert "embedded in the token" in output


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["badge", "verify", str(tmp_path / "nope.png")])
    assert isinstance(result.exception, CopkitError)
    assert "no such file" in str(result.exception)


def test_rotate_key(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    first = runner.invoke(app, ["badge", "rotate-key", "--data-dir", str(fresh)])
    second = runner.invoke(app, ["badge", "rotate-key", "--data-dir", str(fresh)])
    assert first.exit_code == second.exit_code == 0
    assert len(list((fresh / "keys").glob("RS256-*.json"))) == 2


@pytest.mark.django_db
def test_list_and_export(
    standings: Standings,
    enroll: EnrollFn,
    tmp_path: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COPKIT_DATA_DIR", str(data_dir))  # django_setup sets it; restore after
    enrollment = enroll("gina")
    standings[enrollment.pk] = (FakeStanding(True), FakeAssessment(True))
    award = services.award_evaluate(enrollment=enrollment)
    assert award is not None
    award = services.award_issue(award=award, actor=None)
    listing = runner.invoke(app, ["badge", "list", "--data-dir", str(data_dir)])
    assert listing.exit_code == 0 and "gina" in listing.output and "Issued" in listing.output
    for fmt in ("json", "jwt", "png", "svg"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(
            app,
            ["badge", "export", str(award.public_id), "--format", fmt, "--out", str(out),
             "--data-dir", str(data_dir)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        content = out.read_bytes()
        if fmt == "json":
            assert json.loads(content)["id"] == award.credential["id"]
        elif fmt == "jwt":
            assert content.decode() == award.jwt
        else:
            assert unbake(content) == award.jwt
    missing = runner.invoke(
        app, ["badge", "export", "nope", "--format", "json", "--out", str(tmp_path / "x"),
              "--data-dir", str(data_dir)],
    )  # fmt: skip
    assert isinstance(missing.exception, CopkitError)
    assert Award.objects.count() == 1
