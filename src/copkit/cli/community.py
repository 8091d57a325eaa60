"""`copkit import`, `copkit store info` and `copkit identities ...`: the activity store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

out = Console()

StoreFile = Annotated[
    Path, typer.Option("--store", help="The DuckDB activity store (created when missing).")
]
ExistingStore = Annotated[Path, typer.Option("--store", help="The DuckDB activity store.")]

store_app = typer.Typer(help="Inspect an activity store.", no_args_is_help=True)
identities_app = typer.Typer(
    help="Suggest, apply and undo merges of one person's identities.", no_args_is_help=True
)


def import_(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders.")],
    store: StoreFile,
    format: Annotated[  # noqa: A002
        str | None, typer.Option("--format", help="slack, mbox, csv, ... (default: detect).")
    ] = None,
    keep_text: Annotated[bool, typer.Option("--keep-text", help="Store message text.")] = False,
    real_names: Annotated[
        bool, typer.Option("--real-names", help="Keep names and e-mail addresses.")
    ] = False,
    bot_pattern: Annotated[
        list[str] | None,
        typer.Option("--bot-pattern", help="Regular expression on names that marks bots."),
    ] = None,
) -> None:
    """Import exports into the store: all or nothing, and importing twice adds nothing."""
    from copkit.community import import_paths, open_store

    with (
        open_store(store) as opened,
        Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[read]} activities read"),
            TimeElapsedColumn(),
            console=out,
            transient=False,
        ) as progress,
    ):
        task = progress.add_task("Importing", total=len(paths), read=0)

        seen: list[str] = []

        def report(path: str, read: int) -> None:
            if path not in seen:
                if seen:
                    progress.advance(task)
                seen.append(path)
            progress.update(task, description=f"Reading {Path(path).name}", read=read)

        summary = import_paths(
            opened,
            paths,
            format=format,
            keep_text=keep_text,
            real_names=real_names,
            progress=report,
            bot_patterns=tuple(bot_pattern or ()),
        )
        progress.update(task, completed=len(paths), description="Imported")
    for path, name, origin in summary.paths:
        out.print(f"[bold]{path}[/]: {name} export of {origin}")
    table = Table(title="Import summary", show_header=True)
    table.add_column("")
    table.add_column("read", justify="right")
    table.add_column("added", justify="right")
    table.add_row("activities", str(summary.read_activities), str(summary.added_activities))
    table.add_row("members", str(summary.read_members), str(summary.added_members))
    table.add_row("spaces", "", str(summary.added_spaces))
    table.add_row("interactions", "", str(summary.added_interactions))
    out.print(table)
    out.print(f"joins: {summary.joins} (kept as join activities)")
    out.print(f"bot activities: {summary.bot_activities} (kept; their members are flagged is_bot)")
    out.print(
        f"unresolved parents: {summary.unresolved_parents} (replies to messages not in the store)"
    )
    if summary.skipped:
        out.print("skipped: " + ", ".join(f"{r} {n}" for r, n in sorted(summary.skipped.items())))
    else:
        out.print("skipped: nothing")


def info(
    store: ExistingStore,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts per table, source and kind; date range; bots; merges."""
    from copkit.community import open_store, store_counts
    from copkit.community.store import to_json

    with open_store(store, create=False) as opened:
        data = store_counts(opened)
    if as_json:
        print(to_json(data))
        return
    out.print(f"[bold]{data['store']}[/] (schema version {data['schema_version']})")
    for table, count in data["tables"].items():
        out.print(f"  {table}: {count}")
    for row in data["activities_by_source_kind"]:
        out.print(f"  activities {row['source']}/{row['kind']}: {row['count']}")
    for kind, count in data["interactions_by_kind"].items():
        out.print(f"  interactions {kind}: {count}")
    out.print(f"  from {data['first_activity']} to {data['last_activity']}")
    out.print(f"  bots: {data['bots']} ({data['bot_activities']} activities)")
    out.print(f"  merges in effect: {data['merges']}; imports: {data['imports']}")


def suggest(
    store: ExistingStore,
    min_confidence: Annotated[float, typer.Option(help="Hide weaker suggestions.")] = 0.0,
) -> None:
    """Propose merges by e-mail, handle and name, with the reason and a confidence."""
    from copkit.community import open_store
    from copkit.community.identities import identity_suggestions

    with open_store(store, create=False) as opened:
        suggestions = [s for s in identity_suggestions(opened) if s.confidence >= min_confidence]
    if not suggestions:
        out.print("No merge suggestions.")
        return
    for s in suggestions:
        out.print(
            f"{s.from_member} -> {s.into_member}  {s.reason} "
            f"(confidence {s.confidence:.2f}; {s.sources})",
            soft_wrap=True,
        )
    out.print("Apply one with: copkit identities merge FROM INTO --store ...")


def merge(
    from_member: Annotated[str, typer.Argument(help="The member that disappears.")],
    into_member: Annotated[str, typer.Argument(help="The member that stays.")],
    store: ExistingStore,
    reason: Annotated[str, typer.Option(help="Why (kept in the log).")] = "by hand",
) -> None:
    """Merge one member into another (logged; undo with unmerge)."""
    from copkit.community import open_store
    from copkit.community.identities import identity_merge

    with open_store(store, create=False) as opened:
        merge_id = identity_merge(
            opened, from_member=from_member, into_member=into_member, reason=reason
        )
    out.print(f"Merged {from_member} into {into_member} (merge #{merge_id}).")


def unmerge(
    merge_id: Annotated[int, typer.Argument(help="The merge number (see identities list).")],
    store: ExistingStore,
) -> None:
    """Undo a merge."""
    from copkit.community import open_store
    from copkit.community.identities import identity_unmerge

    with open_store(store, create=False) as opened:
        from_member, into_member = identity_unmerge(opened, merge_id=merge_id)
    out.print(f"Undid merge #{merge_id}: {from_member} is separate from {into_member} again.")


def list_merges(store: ExistingStore) -> None:
    """The merge log, newest first."""
    from copkit.community import open_store
    from copkit.community.identities import merge_list

    with open_store(store, create=False) as opened:
        merges = merge_list(opened)
    if not merges:
        out.print("No merges.")
        return
    for merge_id, src, dst, why, _conf, at, undone in merges:
        state = f"undone {undone:%Y-%m-%d %H:%M}" if undone else "in effect"
        out.print(
            f"#{merge_id} {src} -> {dst}  {why}  merged {at:%Y-%m-%d %H:%M}, {state}",
            soft_wrap=True,
        )


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    store_app.command("info")(info)
    identities_app.command("suggest")(suggest)
    identities_app.command("merge")(merge)
    identities_app.command("unmerge")(unmerge)
    identities_app.command("list")(list_merges)
    app.add_typer(store_app, name="store")
    app.add_typer(identities_app, name="identities")
