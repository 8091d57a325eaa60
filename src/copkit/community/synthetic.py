"""A seeded generator of realistic synthetic communities, written straight into a store.

Real communities are lopsided, and so are these: a few members do most of the talking (a
heavy-tailed, Zipf-like activity distribution), a small core is there from the start and stays,
newcomers keep arriving, some of them leave again, and many members never post at all (lurkers,
known from their join date). Conversations are threads in several spaces: questions, mostly in
the help space, get answers (replies to the root) and further replies; askers accept some
answers; a few threads stay unanswered. A few bots reply within minutes, so that measures which
must exclude bots are tested. Members mention and react to each other.

Everything is vectorised with NumPy and bulk-inserted into DuckDB through Arrow, so that the
same function builds a demo community of a few thousand activities in a blink and a benchmark
store of 10 million activities in about a minute. The same seed gives the same store.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.duckdb"
>>> summary = generate_store(path, members=50, activities=500, months=3, seed=1)
>>> summary.activities
500
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from copkit.community.errors import StoreError
from copkit.community.schema import DDL, SCHEMA_VERSION

__all__ = [
    "DEFAULT_END",
    "SOURCE",
    "SPACES",
    "LURKER_SHARE",
    "SyntheticSummary",
    "generate_store",
]

SOURCE: Final = "synthetic"
ORIGIN: Final = "synthetic-community"
DEFAULT_END: Final = datetime(2025, 1, 1, tzinfo=UTC)
"""The default end of the generated time line: fixed, so that a seed always gives the same store."""

SPACES: Final = (
    # (space_id suffix, name, popularity, share of threads that are questions)
    ("help", "#help", 0.35, 0.85),
    ("general", "#general", 0.30, 0.35),
    ("methods", "#methods", 0.15, 0.55),
    ("events", "#events", 0.12, 0.10),
    ("random", "#random", 0.08, 0.05),
)
KINDS: Final = ("post", "reply", "answer")
BOTS: Final = 3
LURKER_SHARE: Final = 0.25
_CHUNK: Final = 1_000_000

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class SyntheticSummary:
    """What :func:`generate_store` wrote."""

    path: Path
    members: int
    bots: int
    lurkers: int
    spaces: int
    activities: int
    threads: int
    interactions: int
    start: datetime
    end: datetime


def _ids(prefix: str, count: int, width: int) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(count, dtype=np.int64)), pa.string())
    padded = pc.utf8_lpad(numbers, width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), padded, "")


def _timestamps(start: datetime, hours: FloatArray) -> pa.Array:
    base = int(start.timestamp() * 1_000_000)
    micros = base + np.round(hours * 3_600_000_000).astype(np.int64)
    return pa.array(micros, type=pa.timestamp("us", tz="UTC"))


def _pick(rng: np.random.Generator, p: FloatArray, size: int) -> IntArray:
    """Draw member indexes with probabilities ``p`` (inverse CDF: fast at any size)."""
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(p) - 1).astype(
        np.int64
    )


def _cumsum_by_group(values: FloatArray, starts: BoolArray) -> FloatArray:
    """Running sums of ``values`` restarting wherever ``starts`` is true."""
    total = np.cumsum(values)
    offsets = np.where(starts, total - values, np.nan)
    offsets = np.maximum.accumulate(np.nan_to_num(offsets, nan=-np.inf))
    return total - offsets


def generate_store(
    path: Path,
    *,
    members: int = 500,
    activities: int = 10_000,
    months: int = 12,
    seed: int = 0,
    end: datetime = DEFAULT_END,
    overwrite: bool = False,
) -> SyntheticSummary:
    """Generate a synthetic community and write it as a new activity store.

    Parameters
    ----------
    path : Path
        The DuckDB file to create. It is written under a temporary name and renamed when
        complete, so a failed run leaves nothing half-written.
    members : int
        Human members, including lurkers (at least 10). Three bots come on top.
    activities : int
        Exact number of activities (thread roots, replies and answers); at least ``members``.
    months : int
        Length of the time line, ending at ``end``.
    seed : int
        The same seed (and arguments) give the same store.
    end : datetime
        Timezone-aware end of the time line (default :data:`DEFAULT_END`).
    overwrite : bool
        Replace an existing file instead of refusing.

    Returns
    -------
    SyntheticSummary

    Raises
    ------
    StoreError
        For impossible sizes, a naive ``end``, or an existing file without ``overwrite``.
    """
    if members < 10:
        raise StoreError(f"A synthetic community needs at least 10 members, not {members}.")
    if activities < members:
        raise StoreError(
            f"Ask for at least as many activities ({activities}) as members ({members})."
        )
    if months < 1:
        raise StoreError(f"The time line must span at least one month, not {months}.")
    if end.tzinfo is None:
        raise StoreError("The end of the time line must be timezone-aware (UTC).")
    path = Path(path)
    if path.exists() and not overwrite:
        raise StoreError(f"{path} already exists: choose another path or pass overwrite=True.")
    rng = np.random.default_rng(seed)
    span = months * 30.44 * 24.0
    start = end.astimezone(UTC) - timedelta(hours=span)
    tables, counts = _community(rng, members=members, activities=activities, span=span, start=start)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(DDL)
            _write(con, tables)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise
    return SyntheticSummary(
        path=path,
        members=members,
        bots=BOTS,
        lurkers=counts["lurkers"],
        spaces=len(SPACES),
        activities=activities,
        threads=counts["threads"],
        interactions=tables["interactions"].num_rows,
        start=start,
        end=end.astimezone(UTC),
    )


def _write(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Bulk-insert ``tables`` by column name, and fill the store's ``meta`` when it has one.

    Inserting by name keeps the generator working when the schema gains a column this module
    fills (``interactions.interaction_id``) or bookkeeping tables.
    """
    columns: dict[str, list[str]] = {}
    for table_name, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() ORDER BY column_index"
    ).fetchall():
        columns.setdefault(table_name, []).append(column)
    for name, table in tables.items():
        wanted = [c for c in table.column_names if c in columns.get(name, [])]
        listed = ", ".join(wanted)
        for offset in range(0, max(table.num_rows, 1), _CHUNK):
            chunk = table.slice(offset, _CHUNK)  # noqa: F841 - read by DuckDB by name
            con.execute(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM chunk")  # noqa: S608 - names from the schema
    if "meta" in columns:
        con.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [
                ("schema_version", str(SCHEMA_VERSION)),
                ("pseudonym_key", secrets.token_bytes(32).hex()),
                ("created_at", datetime.now(UTC).isoformat()),
            ],
        )


def _community(
    rng: np.random.Generator, *, members: int, activities: int, span: float, start: datetime
) -> tuple[dict[str, pa.Table], dict[str, int]]:
    m = members
    # Heavy-tailed propensity to take part: Zipf-like in rank, with log-normal noise.
    weight = (1.0 / np.arange(1, m + 1) ** 1.1) * rng.lognormal(0.0, 0.3, m)
    core_n = max(3, m // 20)
    # A quarter of the members never post (lurkers, known from the member list).
    weight[core_n:][rng.random(m - core_n) < LURKER_SHARE] = 0.0
    # Lifetimes in hours from the start: the core is there early and stays; others arrive
    # throughout; about a third of them leave again.
    arrive = rng.uniform(0.0, span * 0.95, m)
    arrive[:core_n] = rng.uniform(0.0, span * 0.05, core_n)
    leave = np.full(m, span)
    leaving = rng.random(m) < 0.35
    leaving[:core_n] = False
    leave[leaving] = np.minimum(
        span, arrive[leaving] + 24 + rng.exponential(span / 4, leaving.sum())
    )
    life = leave - arrive
    n_spaces = len(SPACES)
    popularity = np.array([s[2] for s in SPACES])
    home = _pick(rng, popularity, m)

    bot_acts = round(activities * 0.02)
    roots = round((activities - bot_acts) * 0.3)
    replies = activities - bot_acts - roots

    # Thread roots: author by propensity, time within the author's lifetime, space mostly home.
    r_actor = _pick(rng, weight / weight.sum(), roots)
    r_time = arrive[r_actor] + rng.random(roots) * life[r_actor]
    r_space = np.where(rng.random(roots) < 0.7, home[r_actor], _pick(rng, popularity, roots))
    q_share = np.array([s[3] for s in SPACES])
    r_question = rng.random(roots) < q_share[r_space]

    # Replies per thread: about 15 % of threads stay unanswered, the others heavy-tailed.
    appeal = rng.lognormal(0.0, 1.0, roots) * np.where(r_space == 4, 0.3, 1.0)
    appeal[rng.random(roots) < 0.15] = 0.0
    if appeal.sum() == 0:
        appeal[:] = 1.0
    per_thread = rng.multinomial(replies, appeal / appeal.sum())
    thread = np.repeat(np.arange(roots, dtype=np.int64), per_thread)
    first = np.ones(replies, dtype=bool)
    first[1:] = thread[1:] != thread[:-1]
    delay = np.where(
        first, rng.lognormal(np.log(2.0), 1.4, replies), rng.lognormal(np.log(4.0), 1.3, replies)
    )
    y_time = np.minimum(r_time[thread] + _cumsum_by_group(delay, first), span - 1e-3)
    # Repliers by propensity, alive at the time; resample the others, then fall back to the core.
    p = weight / weight.sum()
    y_actor = _pick(rng, p, replies)
    for _ in range(6):
        bad = (y_time < arrive[y_actor]) | (y_time > leave[y_actor])
        bad |= (y_actor == r_actor[thread]) & (rng.random(replies) < 0.9)
        if not bad.any():
            break
        y_actor[bad] = _pick(rng, p, int(bad.sum()))
    bad = (y_time < arrive[y_actor]) | (y_time > leave[y_actor])
    y_actor[bad] = rng.integers(0, core_n, int(bad.sum()))
    # Parent: the first reply answers the root; later ones the root (60 %) or the reply before.
    index = roots + np.arange(replies, dtype=np.int64)
    to_root = first | (rng.random(replies) < 0.6)
    y_parent = np.where(to_root, thread, index - 1)
    y_answer = to_root & r_question[thread] & (y_actor != r_actor[thread])

    # Bots: quick automatic replies (welcome messages, link bots) to random threads.
    b_thread = rng.integers(0, roots, bot_acts).astype(np.int64)
    b_time = np.minimum(r_time[b_thread] + rng.uniform(0.005, 0.1, bot_acts), span - 1e-3)
    b_actor = m + rng.integers(0, BOTS, bot_acts)

    n = activities
    actor = np.concatenate([r_actor, y_actor, b_actor])
    time = np.concatenate([r_time, y_time, b_time])
    thread_all = np.concatenate([np.arange(roots, dtype=np.int64), thread, b_thread])
    parent = np.concatenate([np.full(roots, -1, dtype=np.int64), y_parent, b_thread])
    kind = np.concatenate(
        [
            np.zeros(roots, np.int8),
            np.where(y_answer, 2, 1).astype(np.int8),
            np.ones(bot_acts, np.int8),
        ]
    )
    question = np.concatenate([r_question, np.zeros(n - roots, dtype=bool)])
    space = r_space[thread_all]
    length = np.maximum(1, rng.lognormal(np.log(180), 0.9, n)).astype(np.int64)

    # Interactions: replies and answers to the parent's author, accepts, mentions, reactions.
    parent_actor = np.where(parent >= 0, actor[np.maximum(parent, 0)], -1)
    tie = (parent >= 0) & (parent_actor != actor)
    i_from = [actor[tie]]
    i_to = [parent_actor[tie]]
    i_act = [np.nonzero(tie)[0]]
    i_kind = [np.where(kind[tie] == 2, 2, 1).astype(np.int8)]
    i_time = [time[tie]]
    # Accepts: the asker accepts the first answer in 40 % of answered questions.
    answers = np.nonzero(kind == 2)[0]
    first_answer = answers[np.unique(thread_all[answers], return_index=True)[1]]
    accepted = first_answer[rng.random(len(first_answer)) < 0.4]
    i_from.append(actor[thread_all[accepted]])
    i_to.append(actor[accepted])
    i_act.append(accepted)
    i_kind.append(np.full(len(accepted), 3, np.int8))
    i_time.append(np.minimum(time[accepted] + rng.exponential(12.0, len(accepted)), span))
    # Mentions (4 % of human activities) and reactions (40 % as many as activities).
    for kind_code, share in ((4, 0.04), (5, 0.4)):
        count = round((n - bot_acts) * share)
        target = rng.integers(0, n - bot_acts, count)
        other = _pick(rng, p, count)
        if kind_code == 4:
            src, dst = actor[target], other
        else:
            src, dst = other, actor[target]
        keep = src != dst
        i_from.append(src[keep])
        i_to.append(dst[keep])
        i_act.append(target[keep])
        i_kind.append(np.full(int(keep.sum()), kind_code, np.int8))
        i_time.append(np.minimum(time[target[keep]] + rng.exponential(3.0, int(keep.sum())), span))

    # Members: first seen at their first activity; lurkers have none.
    total = m + BOTS
    first_seen = np.full(total, np.inf)
    np.minimum.at(first_seen, actor, time)
    seen = np.isfinite(first_seen)
    arrive_all = np.concatenate([arrive, np.zeros(BOTS)])
    member_ids = _ids("m", total, 6)
    kinds_arr = pa.array(np.array(KINDS, dtype=object)[kind], type=pa.string())
    roles: list[list[str] | None] = [None] * total
    roles[0], roles[1] = ["admin"], ["moderator"]
    is_bot = np.zeros(total, dtype=bool)
    is_bot[m:] = True
    names = pc.binary_join_element_wise(
        pa.scalar("member-"), pc.utf8_slice_codeunits(member_ids, 1), ""
    )
    bot_names = pa.array([f"helper-bot-{k + 1}" for k in range(BOTS)], type=pa.string())
    display = pa.concat_arrays([names.slice(0, m), bot_names])
    member_table = pa.table(
        {
            "member_id": member_ids,
            "display_name": display,
            "is_bot": pa.array(is_bot),
            "joined_at": _timestamps(start, arrive_all),
            "first_seen": pa.array(
                np.round(np.where(seen, first_seen, 0.0) * 3_600_000_000).astype(np.int64)
                + int(start.timestamp() * 1_000_000),
                type=pa.timestamp("us", tz="UTC"),
                mask=~seen,
            ),
            "source_roles": pa.array(roles, type=pa.list_(pa.string())),
        }
    )
    identity_table = pa.table(
        {
            "source": pa.array([SOURCE] * total),
            "origin": pa.array([ORIGIN] * total),
            "source_user_id": _ids("U", total, 7),
            "member_id": member_ids,
            "name": display,
            "handle": display,
            "email": pa.nulls(total, pa.string()),
        }
    )
    space_ids = pa.array([f"s-{s[0]}" for s in SPACES])
    space_table = pa.table(
        {
            "space_id": space_ids,
            "source": pa.array([SOURCE] * n_spaces),
            "origin": pa.array([ORIGIN] * n_spaces),
            "name": pa.array([s[1] for s in SPACES]),
            "kind": pa.array(["channel"] * n_spaces),
            "created_by": pa.array([member_ids[k % core_n].as_py() for k in range(n_spaces)]),
        }
    )
    activity_ids = _ids("a", n, 9)
    activity_table = pa.table(
        {
            "activity_id": activity_ids,
            "source": pa.array([SOURCE] * 1, pa.string()).take(np.zeros(n, dtype=np.int64)),
            "space_id": space_ids.take(space),
            "thread_id": activity_ids.take(thread_all),
            "parent_id": activity_ids.take(pa.array(parent, mask=parent < 0)),
            "actor_id": member_ids.take(actor),
            "created_at": _timestamps(start, time),
            "kind": kinds_arr,
            "is_question": pa.array(question),
            "length": pa.array(length.astype(np.int32)),
            "text": pa.nulls(n, pa.string()),
        }
    )
    ikind_names = np.array(["", "reply", "answer", "accept", "mention", "reaction"], dtype=object)
    i_count = sum(len(part) for part in i_from)
    interaction_table = pa.table(
        {
            "interaction_id": _ids("i", i_count, 10),
            "from_member": member_ids.take(np.concatenate(i_from)),
            "to_member": member_ids.take(np.concatenate(i_to)),
            "activity_id": activity_ids.take(np.concatenate(i_act)),
            "kind": pa.array(ikind_names[np.concatenate(i_kind)], type=pa.string()),
            "created_at": _timestamps(start, np.concatenate(i_time)),
        }
    )
    tables = {
        "members": member_table,
        "identities": identity_table,
        "spaces": space_table,
        "activities": activity_table,
        "interactions": interaction_table,
    }
    return tables, {"lurkers": int(m - seen[:m].sum()), "threads": roots}
