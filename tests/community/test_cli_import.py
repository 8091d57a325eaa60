"""The command line: copkit import, store info, identities; errors are one line, exit 1."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copkit.cli import app, main

from .conftest import FIXTURES

MODERN = FIXTURES / "slack" / "modern"
LIST = FIXTURES / "mbox" / "list.mbox"
runner = CliRunner()


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["copkit", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


def test_import_prints_a_summary_and_info_reports_counts(tmp_path: Path) -> None:
    store = tmp_path / "c.duckdb"
    result = runner.invoke(app, ["import", str(MODERN), str(LIST), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "Import summary" in result.output
    assert "unresolved parents: 2" in result.output
    assert "duplicate 1" in result.output and "channel_topic 1" in result.output
    again = runner.invoke(app, ["import", str(LIST), "--store", str(store)])
    assert "already imported 6" in again.output
    info = runner.invoke(app, ["store", "info", "--store", str(store), "--json"])
    data = json.loads(info.output)
    assert data["tables"]["activities"] == 16
    assert data["bots"] == 3 and data["merges"] == 0 and data["imports"] == 3
    text = runner.invoke(app, ["store", "info", "--store", str(store)])
    assert "activities slack/join: 1" in text.output


def test_identities_suggest_merge_list_unmerge(tmp_path: Path) -> None:
    store = str(tmp_path / "c.duckdb")
    runner.invoke(app, ["import", str(MODERN), str(LIST), "--store", store])
    from copkit.community import open_store
    from copkit.community.identities import identity_suggestions

    suggested = runner.invoke(
        app, ["identities", "suggest", "--store", store, "--min-confidence", "0.9"]
    )
    assert "same e-mail" in suggested.output and "same name" not in suggested.output
    with open_store(store) as opened:
        best = identity_suggestions(opened)[0]
    merged = runner.invoke(
        app, ["identities", "merge", best.from_member, best.into_member, "--store", store]
    )
    assert "merge #1" in merged.output
    listed = runner.invoke(app, ["identities", "list", "--store", store])
    assert best.from_member in listed.output
    undone = runner.invoke(app, ["identities", "unmerge", "1", "--store", store])
    assert "separate" in undone.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", str(MODERN), "--format", "mbox"], "does not look like a mbox export"),
        (["import", str(MODERN), "--format", "tweets"], "Unknown format 'tweets'"),
        (["import", "/nonexistent/export.zip"], "no such file or folder"),
        (["store", "info"], "no such store"),
        (["identities", "unmerge", "3"], "No merge #3"),
    ],
)
def test_errors_are_one_line_and_exit_1(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    store = tmp_path / "c.duckdb"
    if args[0] == "identities":
        runner.invoke(app, ["import", str(LIST), "--store", str(store)])
    code, output = _main(monkeypatch, capsys, *args, "--store", str(store))
    assert code == 1
    assert message in " ".join(output.split())
    assert "Traceback" not in output


def test_every_command_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "importing.md").read_text()
    for command in ("import", "store info", "identities suggest", "identities merge",
                    "identities list", "identities unmerge"):  # fmt: skip
        assert f"copkit {command}" in doc, command
    for option in ("--format", "--keep-text", "--real-names", "--bot-pattern", "--json"):
        assert option in doc, option
