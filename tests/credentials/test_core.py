"""The pure core: build, sign, verify, tamper, rotate keys, status lists, baking."""

from __future__ import annotations

import base64
import json
import os
import stat
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copkit.credentials.baking import bake_png, bake_svg, unbake
from copkit.credentials.dataintegrity import add_proof, base58_decode, base58_encode
from copkit.credentials.documents import schema_errors
from copkit.credentials.errors import BakingError, KeyConfigurationError
from copkit.credentials.images import badge_png, badge_svg
from copkit.credentials.jwt import sign_credential
from copkit.credentials.keys import KeyRing, public_key_from_jwk
from copkit.credentials.statuslist import (
    MIN_BITS,
    StatusListError,
    bit_is_set,
    decode_list,
    encode_list,
    status_list_credential,
)
from copkit.credentials.verify import verify_credential
from tests.credentials.helpers import BASE, JWKS, LIST_URL, NOW, sample_credential


@pytest.fixture
def ring(data_dir: Path) -> KeyRing:
    return KeyRing(data_dir / "keys", environ={})


def trusted(ring: KeyRing) -> dict[str, Any]:
    return {
        f"{JWKS}#{k.thumbprint}": public_key_from_jwk(k.key.as_dict(private=False))
        for k in ring.issuer_keys()
    }


def status_lists(*revoked: int) -> dict[str, Any]:
    document = status_list_credential(
        list_url=LIST_URL,
        issuer_id=f"{BASE}/badges/issuers/cmcp",
        valid_from="2026-01-01T00:00:00Z",
        set_indexes=revoked,
    )
    return {LIST_URL: document}


def signed(ring: KeyRing, alg: str = "RS256", **kwargs: Any) -> str:
    key = ring.active(alg)
    return sign_credential(sample_credential(**kwargs), key=key, kid=f"{JWKS}#{key.thumbprint}")


def verify(token: str | bytes, ring: KeyRing, **kwargs: Any) -> Any:
    data = token.encode() if isinstance(token, str) else token
    kwargs.setdefault("status_lists", status_lists())
    return verify_credential(data, now=NOW, keys=trusted(ring), **kwargs)


def _part(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def _with_payload(token: str, payload: dict[str, Any]) -> str:
    head, _, sig = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"{head}.{body}.{sig}"


# -- building ---------------------------------------------------------------------------
def test_built_credential_meets_the_schema() -> None:
    credential = sample_credential()
    assert schema_errors(credential) == []
    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    subject = credential["credentialSubject"]
    assert subject["activityStartDate"] == "2026-03-02T14:00:00Z"
    assert subject["achievement"]["type"] == ["Achievement"]
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert all(isinstance(e["type"], list) for e in credential["evidence"])


# -- VC-JWT -----------------------------------------------------------------------------
@pytest.mark.parametrize("alg", ["RS256", "EdDSA"])
def test_signed_jwt_verifies(ring: KeyRing, alg: str) -> None:
    token = signed(ring, alg)
    header, payload = _part(token, 0), _part(token, 1)
    assert set(header) == {"alg", "kid", "typ"}
    assert header["kid"].startswith(f"{JWKS}#")
    assert payload["iss"] == f"{BASE}/badges/issuers/cmcp"
    assert payload["jti"] == sample_credential()["id"]
    assert payload["sub"] == sample_credential()["credentialSubject"]["id"]
    assert payload["nbf"] == 1777593600  # 2026-05-01T00:00:00Z
    result = verify(token, ring)
    assert result.status == "valid", result.checks


def test_changed_claim_is_tampered(ring: KeyRing) -> None:
    token = signed(ring)
    payload = _part(token, 1)
    payload["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory"
    result = verify(_with_payload(token, payload), ring)
    assert result.status == "tampered"
    assert "does not verify" in result.check("signature").reason


def test_swapped_key_is_tampered(ring: KeyRing, tmp_path: Path) -> None:
    other = KeyRing(tmp_path / "other", environ={})
    attacker = other.active("RS256")
    kid = f"{JWKS}#{ring.active('RS256').thumbprint}"  # claims to be the issuer's key
    token = sign_credential(sample_credential(), key=attacker, kid=kid)
    result = verify(token, ring)
    assert result.status == "tampered"
    assert result.check("signature").outcome == "fail"


def test_unknown_key_elsewhere_is_refused_when_fetching(ring: KeyRing, tmp_path: Path) -> None:
    attacker = KeyRing(tmp_path / "other", environ={}).active("RS256")
    token = sign_credential(
        sample_credential(),
        key=attacker,
        kid=f"https://evil.example/jwks.json#{attacker.thumbprint}",
    )
    fetched: list[str] = []
    result = verify(token, ring, fetch=lambda url: fetched.append(url) or b"{}")
    assert result.check("key").outcome == "fail"
    assert "not published under the issuer's address" in result.check("key").reason
    assert fetched == []
    assert not result.ok


def test_truncated_signature_is_tampered(ring: KeyRing) -> None:
    token = signed(ring)
    result = verify(token[:-10], ring)
    assert result.status == "tampered"


def test_badge_for_another_person_is_rejected(ring: KeyRing) -> None:
    token = signed(ring, email="someone.else@example.org")
    result = verify(token, ring, expected_subject="lena@example.org")
    assert result.status == "invalid"
    assert "issued to someone else" in result.check("subject").reason
    assert verify(signed(ring), ring, expected_subject="Lena@Example.org ").ok


def test_claims_must_mirror_the_credential(ring: KeyRing) -> None:
    credential = sample_credential()
    key = ring.active("RS256")
    token = sign_credential(credential, key=key, kid=f"{JWKS}#{key.thumbprint}")
    payload = _part(token, 1)
    payload["sub"] = "urn:uuid:someone-else"
    # re-sign honestly so only the claim mismatch remains
    from joserfc import jws

    header = _part(token, 0)
    forged = jws.serialize_compact(header, json.dumps(payload).encode(), key.key, ["RS256"])
    result = verify(forged, ring)
    assert "claims" in {c.name for c in result.failures}


def test_extra_jose_header_is_refused(ring: KeyRing) -> None:
    from joserfc import jws

    key = ring.active("RS256")
    header = {
        "alg": "RS256",
        "kid": f"{JWKS}#{key.thumbprint}",
        "typ": "JWT",
        "x5u": "https://x.example/c",
    }
    token = jws.serialize_compact(
        header, json.dumps(sample_credential()).encode(), key.key, ["RS256"]
    )
    assert "header" in {c.name for c in verify(token, ring).failures}


def test_expired_and_not_yet_valid(ring: KeyRing) -> None:
    credential = sample_credential()
    credential["validUntil"] = "2026-05-15T00:00:00Z"
    key = ring.active("RS256")
    token = sign_credential(credential, key=key, kid=f"{JWKS}#{key.thumbprint}")
    assert _part(token, 1)["exp"] == 1778803200
    assert verify(token, ring).status == "expired"
    early = verify_credential(token.encode(), now=NOW.replace(year=2025), keys=trusted(ring))
    assert "not valid before" in early.check("dates").reason


def test_revoked_by_status_list(ring: KeyRing) -> None:
    token = signed(ring, index=3)
    assert verify(token, ring, status_lists=status_lists(3)).status == "revoked"
    assert verify(token, ring, status_lists=status_lists(4)).status == "valid"


def test_without_key_it_is_unverifiable_not_valid(ring: KeyRing) -> None:
    token = signed(ring)
    result = verify_credential(token.encode(), now=NOW, status_lists=status_lists())
    assert result.status == "unverifiable"


def test_key_from_the_published_jwks(ring: KeyRing) -> None:
    token = signed(ring)
    documents = {
        JWKS: json.dumps(ring.jwks(JWKS)).encode(),
        LIST_URL: json.dumps(status_lists()[LIST_URL]).encode(),
    }
    result = verify_credential(token.encode(), now=NOW, fetch=documents.__getitem__)
    assert result.status == "valid", result.checks


# -- keys -------------------------------------------------------------------------------
def test_keys_are_generated_once_and_private(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "fresh", environ={})
    first = ring.active("RS256")
    again = KeyRing(tmp_path / "fresh", environ={}).active("RS256")
    assert first.thumbprint == again.thumbprint
    path = Path(first.source) if first.source != "generated" else None
    files = list((tmp_path / "fresh").glob("RS256-*.json"))
    assert len(files) == 1 and path is None
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
    assert "d" not in json.dumps(ring.jwks(JWKS)["keys"][0]).replace('"kid"', "").split('"')[1::2]


def test_rotation_keeps_old_badges_verifying(ring: KeyRing, tmp_path: Path) -> None:
    old_token = signed(ring)
    new = ring.rotate("RS256")
    assert ring.active("RS256").thumbprint == new.thumbprint
    reloaded = KeyRing(ring.directory, environ={})
    assert reloaded.active("RS256").thumbprint == new.thumbprint
    published = [k for k in reloaded.jwks(JWKS)["keys"] if k["alg"] == "RS256"]
    assert len(published) == 2 and all(k["kid"].startswith(f"{JWKS}#") for k in published)
    assert verify(old_token, reloaded).ok
    new_token = signed(reloaded)
    assert _part(new_token, 0)["kid"] != _part(old_token, 0)["kid"]
    assert verify(new_token, reloaded).ok


def test_key_from_the_environment(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    ring = KeyRing(tmp_path / "keys", environ={"COPKIT_BADGE_RSA_KEY": pem})
    assert ring.active("RS256").source == "COPKIT_BADGE_RSA_KEY"
    with pytest.raises(KeyConfigurationError, match="rotate it there"):
        ring.rotate("RS256")
    with pytest.raises(KeyConfigurationError, match="COPKIT_BADGE_RSA_KEY"):
        KeyRing(tmp_path / "keys", environ={"COPKIT_BADGE_RSA_KEY": "not a key"})


# -- Data Integrity -------------------------------------------------------------------
def test_data_integrity_proof_round_trip(ring: KeyRing) -> None:
    ed = ring.active("EdDSA")
    method = f"{JWKS}#{ed.thumbprint}"
    document = add_proof(
        sample_credential(),
        private_key=ed.key.get_op_key("sign"),  # type: ignore[arg-type]
        verification_method=method,
        created="2026-05-01T00:00:00Z",
    )
    assert schema_errors(document) == []
    data = json.dumps(document).encode()
    assert verify(data, ring).status == "valid"
    document["credentialSubject"]["achievement"]["name"] = "Something grander"
    assert verify(json.dumps(document).encode(), ring).status == "tampered"


def test_base58_round_trip() -> None:
    for raw in (b"", b"\0\0abc", bytes(range(40))):
        assert base58_decode(base58_encode(raw)) == raw


# -- status list ------------------------------------------------------------------------
def test_status_list_encoding() -> None:
    encoded = encode_list([0, 7, 131071])
    assert encoded.startswith("u") and "=" not in encoded
    bits = decode_list(encoded)
    assert len(bits) == MIN_BITS // 8 == 16384
    assert bits[0] == 0b1000_0001 and bits[-1] == 1
    assert bit_is_set(encoded, 7) and not bit_is_set(encoded, 8)
    with pytest.raises(StatusListError):
        encode_list([], size=1024)
    with pytest.raises(StatusListError):
        bit_is_set(encoded, MIN_BITS)
    with pytest.raises(StatusListError):
        decode_list("u!!!")


# -- baking -----------------------------------------------------------------------------
def test_png_baking_round_trip(ring: KeyRing) -> None:
    token = signed(ring)
    baked = bake_png(badge_png(), token)
    assert unbake(baked) == token
    assert unbake(bake_png(baked, "x.y.z")) == "x.y.z"  # replaced, not duplicated
    assert baked.count(b"openbadgecredential") == 1
    assert verify(baked, ring).ok


def test_png_with_bad_crc_is_refused() -> None:
    baked = bytearray(bake_png(badge_png(16), "a.b.c"))
    baked[40] ^= 0xFF
    with pytest.raises(BakingError, match="CRC"):
        unbake(bytes(baked))
    with pytest.raises(BakingError, match="IEND|runs past"):
        unbake(bytes(baked[:30]))


def test_png_compressed_itxt_is_read() -> None:
    import zlib

    png = badge_png(8)
    text = zlib.compress(b'{"a": 1}')
    body = b"openbadgecredential\0\1\0\0\0" + text
    chunk = (
        struct.pack(">I", len(body))
        + b"iTXt"
        + body
        + struct.pack(">I", zlib.crc32(b"iTXt" + body) & 0xFFFFFFFF)
    )
    iend = png.rindex(b"IEND") - 4
    assert unbake(png[:iend] + chunk + png[iend:]) == '{"a": 1}'


def test_svg_baking_round_trip(ring: KeyRing) -> None:
    token = signed(ring)
    baked = bake_svg(badge_svg("Communities of Practice"), token)
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert unbake(baked) == token
    as_json = bake_svg(badge_svg("CoP"), json.dumps(sample_credential()))
    assert json.loads(unbake(as_json))["id"] == sample_credential()["id"]
    assert verify(baked, ring).ok


def test_svg_entities_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>'
    )
    with pytest.raises(BakingError, match="entities"):
        unbake(bomb)
    with pytest.raises(BakingError, match="entities"):
        bake_svg(bomb, "a.b.c")
    with pytest.raises(BakingError, match="no <openbadges:credential>"):
        unbake(badge_svg("x"))


def test_garbage_is_a_format_failure() -> None:
    result = verify_credential(b"hello", now=NOW)
    assert result.status == "invalid"
    assert result.check("format").outcome == "fail"


def test_data_integrity_key_from_the_published_jwks(ring: KeyRing) -> None:
    ed = ring.active("EdDSA")
    document = add_proof(
        sample_credential(),
        private_key=ed.key.get_op_key("sign"),  # type: ignore[arg-type]
        verification_method=f"{JWKS}#{ed.thumbprint}",
        created="2026-05-01T00:00:00Z",
    )
    documents = {
        JWKS: json.dumps(ring.jwks(JWKS)).encode(),
        LIST_URL: json.dumps(status_lists()[LIST_URL]).encode(),
    }
    result = verify_credential(json.dumps(document).encode(), now=NOW, fetch=documents.__getitem__)
    assert result.status == "valid", result.checks


def test_fetched_status_list_must_be_signed(ring: KeyRing) -> None:
    ed = ring.active("EdDSA")
    unsigned = status_lists()[LIST_URL]
    signed_list = add_proof(
        unsigned,
        private_key=ed.key.get_op_key("sign"),  # type: ignore[arg-type]
        verification_method=f"{JWKS}#{ed.thumbprint}",
        created="2026-05-01T00:00:00Z",
    )
    token = signed(ring).encode()
    for document, outcome in ((unsigned, "warn"), (signed_list, None)):
        fetched = {LIST_URL: json.dumps(document).encode()}
        result = verify_credential(token, now=NOW, keys=trusted(ring), fetch=fetched.__getitem__)
        check = result.check("status-list")
        assert (check.outcome if check else None) == outcome
        assert result.ok
    forged = json.loads(json.dumps(signed_list))
    forged["credentialSubject"]["encodedList"] = status_lists(3)[LIST_URL]["credentialSubject"][
        "encodedList"
    ]
    fetched = {LIST_URL: json.dumps(forged).encode()}
    result = verify_credential(token, now=NOW, keys=trusted(ring), fetch=fetched.__getitem__)
    assert "proof does not hold" in result.check("status").reason


@settings(max_examples=25, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=MIN_BITS - 1), max_size=40))
def test_status_list_round_trip(indexes: set[int]) -> None:
    encoded = encode_list(indexes)
    bits = decode_list(encoded)
    on = {i for i in range(MIN_BITS) if bits[i // 8] & (0x80 >> (i % 8))}
    assert on == indexes
