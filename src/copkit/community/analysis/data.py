"""Reading the store: Ibis expressions that aggregate the canonical tables.

Everything heavy (filtering, grouping, joining millions of activities) runs inside the
backend (DuckDB by default); only aggregates per member, per thread and per tie come back
as pandas frames, and the measures work on those.

Conventions used by every measure:

- *Contributions* are activities of kind ``post``, ``reply``, ``answer`` and ``comment``;
  ``join`` is evidence of membership, not a contribution.
- With ``exclude_bots`` (the default) activities and interactions of members flagged
  ``is_bot`` are dropped before anything is computed; how many bots were dropped is reported.
- The window ``[since, until)`` applies to ``created_at`` of activities and interactions.
- *Help* is a reply or answer given in a thread started by someone else, to that thread's
  author: the tie goes from the helper to the asker (``answerer -> asker``).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd

from copkit.community.analysis.model import (
    Options,
    period_label,
    period_labels,
    period_starts,
    trunc_unit,
)
from copkit.community.errors import StoreError
from copkit.community.schema import TABLES

__all__ = ["CONTRIBUTION_KINDS", "CommunityData", "load_community"]

CONTRIBUTION_KINDS: Final = ("post", "reply", "answer", "comment")
_TIE_KINDS: Final = ("reply", "answer")
_STATS: Final = [
    "contributions",
    "threads_started",
    "questions",
    "replies",
    "answers_kind",
    "threads",
    "spaces",
    "periods",
    "first_at",
    "last_at",
]
MEMORY_LIMIT: Final = os.environ.get("COPKIT_DUCKDB_MEMORY", "1500MB")
"""DuckDB's memory limit for an analysis (it spills beyond); ``COPKIT_DUCKDB_MEMORY``."""


@dataclass(frozen=True, eq=False)
class CommunityData:
    """The aggregates of one store under one set of options (input of every measure).

    Frames (one row per ...):

    ``members``
        non-bot member known to the store (index ``member_id``): ``display_name``,
        ``joined_at``, ``source_roles`` (list), ``spaces_created`` (int).
    ``stats``
        member with at least one contribution in the window (index ``member_id``):
        ``contributions``, ``threads_started``, ``questions``, ``replies``, ``answers_kind``,
        ``threads``, ``spaces``, ``periods``, ``first_at``, ``last_at``.
    ``member_period``: (``member_id``, ``period``) with ``n`` contributions in ``threads``.
    ``member_space``: (``member_id``, ``space_id``) with ``n`` contributions.
    ``ties``: directed reply/answer interactions ``src -> dst`` with ``weight``.
    ``help``: help ties ``src`` (helper) ``-> dst`` (thread author) with ``weight``.
    ``help_space``: help given by ``src`` in ``space_id`` (``weight``).
    ``accepted``: accept interactions received (index ``member_id``, column ``n``).
    ``threads``: thread root in the window: ``thread_id``, ``space_id``, ``author``,
        ``created_at``, ``period``, ``first_response_at`` (NaT when unanswered).
    ``newcomers``: member whose first contribution ever falls in the window: ``first_at``,
        ``first_reply_at`` (NaT if none), ``next_at`` (their next contribution, NaT if none).
    ``spaces``: space (index ``space_id``): ``name``.
    """

    options: Options
    store_path: str
    sources: tuple[str, ...]
    members: pd.DataFrame
    stats: pd.DataFrame
    member_period: pd.DataFrame
    member_space: pd.DataFrame
    ties: pd.DataFrame
    help: pd.DataFrame
    help_space: pd.DataFrame
    accepted: pd.DataFrame
    threads: pd.DataFrame
    newcomers: pd.DataFrame
    spaces: pd.DataFrame
    periods: tuple[str, ...]
    bots_excluded: int
    window_start: pd.Timestamp | None
    window_end: pd.Timestamp | None
    has_questions: bool


def _connect(store: Path) -> Any:
    """An in-memory DuckDB with the store attached read-only as ``store``.

    Working tables (the window's contributions and interactions) are created as temporary
    tables of this connection, so the store itself is never written.
    """
    if not store.is_file():
        raise StoreError(f"{store}: no such store; create it with `copkit import` first")
    con = ibis.duckdb.connect()
    con.raw_sql("SET TimeZone='UTC'")
    con.raw_sql("SET enable_progress_bar = false")
    con.raw_sql(f"SET memory_limit = '{MEMORY_LIMIT}'")
    spill = str(Path(tempfile.gettempdir()) / "copkit-duckdb").replace("'", "''")
    con.raw_sql(f"SET temp_directory = '{spill}'")
    quoted = str(store.resolve()).replace("'", "''")
    try:
        con.raw_sql(f"ATTACH '{quoted}' AS store (READ_ONLY)")
    except Exception as exc:  # duckdb raises its own IOException/InvalidInputException
        con.disconnect()
        raise StoreError(f"{store}: not a readable DuckDB store ({exc})") from exc
    present = {
        row[0]
        for row in con.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'store'"
        ).fetchall()
    }
    missing = [t for t in TABLES if t not in present]
    if missing:
        con.disconnect()
        raise StoreError(
            f"{store}: not an activity store (missing tables: {', '.join(missing)}); "
            "create it with `copkit import`"
        )
    return con


def _window(t: ir.Table, options: Options, column: str = "created_at") -> ir.Table:
    if options.since is not None:
        t = t.filter(t[column] >= options.since)
    if options.until is not None:
        t = t.filter(t[column] < options.until)
    return t


def _df(expr: ir.Table) -> pd.DataFrame:
    """The result of ``expr`` as a pandas frame, converted column by column by Arrow.

    (Ibis's own ``to_pandas`` converts every column holding a null value through Python
    objects, which took seconds on the hundreds of thousands of threads of a large store.)
    """
    df: pd.DataFrame = expr.to_pyarrow().to_pandas()
    return df


@ibis.udf.scalar.builtin(  # type: ignore[untyped-decorator]
    name="epoch_us", signature=((dt.Timestamp(timezone="UTC"),), dt.int64)
)
def _epoch_us(time: Any) -> Any:
    """DuckDB's ``epoch_us``: microseconds since 1970-01-01 UTC."""


@ibis.udf.scalar.builtin(  # type: ignore[untyped-decorator]
    name="make_timestamp", signature=((dt.int64,), dt.Timestamp())
)
def _utc_naive(microseconds: Any) -> Any:
    """DuckDB's ``make_timestamp``: the UTC wall-clock time of an epoch in microseconds.

    Periods are truncated on it rather than on the time-zone-aware column: the result is the
    same (the session's time zone is UTC), and DuckDB truncates plain timestamps about four
    times faster than zoned ones (2 s per 10 M activities for each query otherwise).
    """


def _per_member(values: pd.Series, index: pd.Index) -> npt.NDArray[np.int64]:
    out: npt.NDArray[np.int64] = values.reindex(index).fillna(0).to_numpy(dtype=np.int64)
    return out


def _quiet() -> warnings.catch_warnings[None]:
    """Ibis 12 on DuckDB 2 and pandas 3 warns about its own deprecated calls on every query."""
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*infer_string.*")
    return ctx


def load_community(store: str | Path, options: Options | None = None) -> CommunityData:
    """Aggregate the store at ``store`` under ``options`` (see the module docstring).

    Raises
    ------
    StoreError
        If the file is missing or is not an activity store.
    """
    options = options or Options()
    path = Path(store)
    quiet = _quiet()
    try:
        con = _connect(path)
        try:
            return _load(con, path, options)
        finally:
            con.disconnect()
    finally:
        quiet.__exit__(None, None, None)


def _load(con: Any, path: Path, options: Options) -> CommunityData:
    members_t = con.table("members", database="store")
    acts_all = con.table("activities", database="store")
    inter_all = con.table("interactions", database="store")
    spaces_t = con.table("spaces", database="store")

    bots = members_t.filter(members_t.is_bot).select(bot_id=members_t.member_id)
    bots_in_store = int(bots.count().to_pandas())
    sources = tuple(sorted(acts_all.select("source").distinct().to_pandas()["source"]))

    acts = acts_all.filter(acts_all.kind.isin(CONTRIBUTION_KINDS))
    inter = inter_all
    if options.exclude_bots and bots_in_store:
        acts = acts.filter(~acts.actor_id.isin(bots.bot_id))
        inter = inter.filter(
            ~inter.from_member.isin(bots.bot_id) & ~inter.to_member.isin(bots.bot_id)
        )
    if options.until is not None:
        acts = acts.filter(acts.created_at < options.until)
    acts = acts.select(
        "activity_id",
        "space_id",
        "thread_id",
        "parent_id",
        "actor_id",
        "created_at",
        "kind",
        "is_question",
        period_start=_utc_naive(_epoch_us(acts.created_at)).truncate(trunc_unit(options.period)),
    )
    # Every query below reads the store's columns it needs through these filters (no
    # working copy: DuckDB scans the store's compressed columns as fast as a copy, and
    # copying the activities cost a second per million and memory).
    win = acts.filter(acts.created_at >= options.since) if options.since is not None else acts
    inter = inter.select("from_member", "to_member", "activity_id", "kind", "created_at")
    inter_w = _window(inter, options)
    until_only = acts

    has_questions = bool(acts.filter(acts.is_question).count().to_pandas() > 0)
    is_root = win.kind == "post"
    question = (is_root & win.is_question) if has_questions else is_root
    # No COUNT(DISTINCT ...) in a grouped aggregate (DuckDB runs those several times slower
    # than plain ones): distinct threads are counted from the distinct (member, thread) and
    # (member, period, thread) pairs, spaces and periods from the per-space and per-period rows.
    counts = _df(
        win.group_by(member_id=win.actor_id).aggregate(
            contributions=win.count(),
            threads_started=is_root.sum(),
            questions=question.sum(),
            replies=win.kind.isin(("reply", "comment")).sum(),
            answers_kind=(win.kind == "answer").sum(),
            first_at=win.created_at.min(),
            last_at=win.created_at.max(),
        )
    ).set_index("member_id")
    pairs = win.select(member_id=win.actor_id, thread_id=win.thread_id).distinct()
    threads_of = _df(pairs.group_by("member_id").aggregate(threads=pairs.count()))
    mpt = win.group_by(
        member_id=win.actor_id, period_start=win.period_start, thread_id=win.thread_id
    ).aggregate(n=win.count())
    member_period = _df(
        mpt.group_by("member_id", "period_start").aggregate(n=mpt.n.sum(), threads=mpt.count())
    )
    ms = win.filter(win.space_id.notnull())
    member_space = _df(
        ms.group_by(member_id=ms.actor_id, space_id=ms.space_id).aggregate(n=ms.count())
    )
    stats = counts.assign(
        threads=_per_member(threads_of.set_index("member_id")["threads"], counts.index),
        spaces=_per_member(member_space.groupby("member_id").size(), counts.index),
        periods=_per_member(member_period.groupby("member_id").size(), counts.index),
    )[_STATS]

    ties_i = inter_w.filter(
        inter_w.kind.isin(_TIE_KINDS) & (inter_w.from_member != inter_w.to_member)
    )
    ties = _df(
        ties_i.group_by(src=ties_i.from_member, dst=ties_i.to_member).aggregate(
            weight=ties_i.count()
        )
    )
    # Help: a reply/answer to the author of the thread it is in, by someone else.
    roots = acts.filter(acts.kind == "post").select(
        root_id=acts.activity_id, root_author=acts.actor_id
    )
    acts_thread = acts.select(
        act_id=acts.activity_id, act_thread=acts.thread_id, act_space=acts.space_id
    )
    help_rows = ties_i.join(acts_thread, ties_i.activity_id == acts_thread.act_id).join(
        roots, [acts_thread.act_thread == roots.root_id]
    )
    help_rows = help_rows.filter(help_rows.to_member == help_rows.root_author)
    # One join, two aggregates: the help ties per (helper, asker, space), summed both ways.
    help_rows = con.create_table(
        "c_help",
        help_rows.group_by(
            src=help_rows.from_member, dst=help_rows.to_member, space_id=help_rows.act_space
        ).aggregate(weight=help_rows.count()),
        temp=True,
    )
    help_df = _df(help_rows.group_by("src", "dst").aggregate(weight=help_rows.weight.sum()))
    hs = help_rows.filter(help_rows.space_id.notnull())
    help_space = _df(hs.group_by("src", "space_id").aggregate(weight=hs.weight.sum()))
    acc = inter_w.filter(inter_w.kind == "accept")
    accepted = _df(acc.group_by(member_id=acc.to_member).aggregate(n=acc.count())).set_index(
        "member_id"
    )

    threads = _threads(win, acts, options)
    newcomers = _newcomers(until_only, options)

    members = _df(
        (members_t.filter(~members_t.is_bot) if options.exclude_bots else members_t).select(
            "member_id", "display_name", "joined_at", "source_roles"
        )
    ).set_index("member_id")
    made = spaces_t.filter(spaces_t.created_by.notnull())
    created = _df(
        made.group_by(member_id=made.created_by).aggregate(spaces_created=made.count())
    ).set_index("member_id")
    members = members.join(created, how="left")
    members["spaces_created"] = members["spaces_created"].fillna(0).astype(int)
    # Actors missing from the members table still count (with their id as name).
    missing = stats.index.difference(members.index)
    if len(missing):
        extra = pd.DataFrame(
            {
                "display_name": list(missing),
                "joined_at": pd.NaT,
                "source_roles": None,
                "spaces_created": 0,
            },
            index=pd.Index(missing, name="member_id"),
        )
        members = pd.concat([members, extra])
    spaces = _df(spaces_t.select("space_id", "name")).set_index("space_id")

    window_start, window_end = _bounds(stats, options)
    labels: tuple[str, ...] = ()
    if window_start is not None and window_end is not None:
        last = window_end - pd.Timedelta(microseconds=1) if options.until else window_end
        labels = tuple(
            period_label(s, options.period)
            for s in period_starts(window_start, last, options.period)
        )
    member_period["period"] = period_labels(member_period["period_start"], options.period)
    return CommunityData(
        options=options,
        store_path=str(path),
        sources=sources,
        members=members,
        stats=stats,
        member_period=member_period[["member_id", "period", "n", "threads"]],
        member_space=member_space,
        ties=ties,
        help=help_df,
        help_space=help_space,
        accepted=accepted,
        threads=threads,
        newcomers=newcomers,
        spaces=spaces,
        periods=labels,
        bots_excluded=bots_in_store if options.exclude_bots else 0,
        window_start=window_start,
        window_end=window_end,
        has_questions=has_questions,
    )


def _bounds(
    stats: pd.DataFrame, options: Options
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    if stats.empty:
        return _ts(options.since), _ts(options.until)
    start = _ts(options.since) or pd.Timestamp(stats["first_at"].min())
    end = _ts(options.until) or pd.Timestamp(stats["last_at"].max())
    return start, end


def _ts(value: datetime | None) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value).tz_convert("UTC")


def _threads(win: ir.Table, acts: ir.Table, options: Options) -> pd.DataFrame:
    """Each root in the window with its first response by someone else (within the window)."""
    roots = win.filter(win.kind == "post").select(
        thread_id=win.activity_id,
        space_id=win.space_id,
        author=win.actor_id,
        created_at=win.created_at,
        period_start=win.period_start,
    )
    resp = _window(acts, options)
    resp = resp.filter(resp.kind != "post")
    resp = resp.select(r_thread=resp.thread_id, r_actor=resp.actor_id, r_at=resp.created_at)
    joined = roots.join(resp, roots.thread_id == resp.r_thread)
    joined = joined.filter((joined.r_actor != joined.author) & (joined.r_at >= joined.created_at))
    first = joined.group_by(f_thread=joined.thread_id).aggregate(
        first_response_at=joined.r_at.min()
    )
    out = roots.left_join(first, roots.thread_id == first.f_thread).drop("f_thread")
    df = _df(out)
    df["period"] = period_labels(df["period_start"], options.period)
    return df.drop(columns="period_start")


def _newcomers(acts: ir.Table, options: Options) -> pd.DataFrame:
    """First contribution of each member ever (up to ``until``), kept when in the window."""
    firsts = acts.group_by(nid=acts.actor_id).aggregate(
        first_at=acts.created_at.min(),
        first_id=acts.activity_id.argmin(acts.created_at),
    )
    firsts = _window(firsts, options, "first_at")
    info = acts.select(fa_id=acts.activity_id, fa_kind=acts.kind, fa_thread=acts.thread_id)
    firsts = firsts.join(info, firsts.first_id == info.fa_id)
    # Two equi-joins (a reply to the first contribution; any reply in the thread it
    # started), never one join on an OR, which DuckDB would run as a nested loop.
    by_parent = acts.select(p_parent=acts.parent_id, p_actor=acts.actor_id, p_at=acts.created_at)
    j1 = firsts.join(by_parent, firsts.first_id == by_parent.p_parent)
    j1 = j1.filter(j1.p_actor != j1.nid).select(r_nid=j1.nid, r_at=j1.p_at)
    by_thread = acts.filter(acts.kind != "post")
    by_thread = by_thread.select(
        t_thread=by_thread.thread_id, t_actor=by_thread.actor_id, t_at=by_thread.created_at
    )
    roots = firsts.filter(firsts.fa_kind == "post")
    j2 = roots.join(by_thread, roots.first_id == by_thread.t_thread)
    j2 = j2.filter(j2.t_actor != j2.nid).select(r_nid=j2.nid, r_at=j2.t_at)
    replies = j1.union(j2)
    first_reply = replies.group_by("r_nid").aggregate(first_reply_at=replies.r_at.min())
    own = acts.select(n_actor=acts.actor_id, n_at=acts.created_at)
    later = firsts.join(own, (own.n_actor == firsts.nid) & (own.n_at > firsts.first_at))
    nxt = later.group_by(x_nid=later.nid).aggregate(next_at=later.n_at.min())
    base = firsts.select("nid", "first_at")
    out = base.left_join(first_reply, base.nid == first_reply.r_nid).drop("r_nid")
    out = out.left_join(nxt, out.nid == nxt.x_nid).drop("x_nid")
    return _df(out.rename(member_id="nid")).set_index("member_id")
