"""Every command is documented: docs/cli.md is the generated reference, kept in step."""

from __future__ import annotations

from pathlib import Path

from copkit.cli.reference import cli_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_up_to_date() -> None:
    assert DOC.read_text() == cli_reference(), (
        "docs/cli.md is stale: run `python -m copkit.cli.reference > docs/cli.md`"
    )


def test_every_command_has_help() -> None:
    sections = [s for s in cli_reference().split("\n## ")[1:]]
    assert len(sections) >= 15
    for section in sections:
        title, _, body = section.partition("\n")
        first_paragraph = body.strip().split("\n")[0]
        assert not first_paragraph.startswith("```"), f"{title} has no help text"
