"""The command-line reference in ``docs/cli.md``, generated from the commands themselves.

``python -m copkit.cli.reference > docs/cli.md`` rewrites it; a test fails when it is stale,
so every command, option and help text is documented.
"""

from __future__ import annotations

from typing import Any

import typer
import typer.main

# Typer ships its own copy of Click in newer releases; the commands are walked by what they
# have (``commands``, ``params``), not by their Click classes, so both kinds work.
Command = Any


def _usage(command: Command, path: list[str]) -> str:
    ctx = typer.Context(command, info_name=" ".join(path))
    pieces = command.collect_usage_pieces(ctx)
    return " ".join([*path, *pieces])


def _option_rows(command: Command) -> list[str]:
    rows = []
    for param in command.params:
        if param.param_type_name == "option":
            names = ", ".join(f"`{name}`" for name in [*param.opts, *param.secondary_opts])
            help_text = " ".join((param.help or "").split())
            default = param.default
            if param.show_default is not False and default not in (None, False, (), ""):
                help_text += f" (default: `{default}`)"
            rows.append(f"| {names} | {help_text} |")
        elif param.param_type_name == "argument":
            help_text = " ".join((getattr(param, "help", None) or "").split())
            rows.append(f"| `{(param.name or '').upper()}` | argument: {help_text} |")
    return rows


def _walk(command: Command, path: list[str], out: list[str]) -> None:
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            _walk(command.commands[name], [*path, name], out)
        return
    out.append(f"## `{' '.join(path)}`\n")
    help_text = (command.help or "").strip()
    if help_text:
        out.append(help_text + "\n")
    out.append(f"```\n{_usage(command, path)}\n```\n")
    rows = _option_rows(command)
    if rows:
        out.append("| option | meaning |\n| --- | --- |")
        out.append("\n".join(rows) + "\n")


def cli_reference() -> str:
    """Markdown documenting every ``copkit`` command with its options."""
    from copkit.cli import app

    root = typer.main.get_command(app)
    out = [
        "# Command-line reference\n",
        "Generated from the commands' own help by `python -m copkit.cli.reference`;",
        "a test keeps it in step. `copkit COMMAND --help` prints the same.\n",
    ]
    _walk(root, ["copkit"], out)
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(cli_reference(), end="")
