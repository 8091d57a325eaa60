"""The import sink: what readers write to, staged in DuckDB as Arrow batches.

One :class:`ImportSink` per path of an import turns the reader's source-local ids into
store-wide ones (keyed-hash member, activity, space and interaction ids), pseudonymises
names, handles and e-mail addresses unless real names were asked for, drops text unless it
is to be kept, flags bots, and buffers rows into temporary staging tables in bounded batches.
:mod:`copkit.community.importer` moves the staged rows into the canonical tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import duckdb
import pyarrow as pa

from copkit.community.errors import ImportFormatError
from copkit.community.schema import ACTIVITY_KINDS, INTERACTION_KINDS, SPACE_KINDS
from copkit.community.store import Store

__all__ = ["DEFAULT_BOT_PATTERNS", "STAGING", "DUCK_TYPES", "Buffer", "ImportSink"]

DEFAULT_BOT_PATTERNS: Final = (
    r"(?i)\[bot\]$",
    r"(?i)(^|[\s_.-])bot$",
    r"(?i)^bot([\s_.-]|$)",
    r"(?i)^(slackbot|github-actions|dependabot|renovate|codecov|mailer-daemon|postmaster)\b",
    r"(?i)^no-?reply@",
)
"""Regular expressions on a name, handle, user id or e-mail address that mark a bot."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_FLUSH_ROWS: Final = 20_000
_TS: Final = pa.timestamp("us", tz="UTC")

_MEMBER_SCHEMA: Final = pa.schema(
    [
        ("part", pa.int32()),
        ("source", pa.string()),
        ("origin", pa.string()),
        ("source_user_id", pa.string()),
        ("member_id", pa.string()),
        ("display_name", pa.string()),
        ("is_bot", pa.bool_()),
        ("joined_at", _TS),
        ("source_roles", pa.list_(pa.string())),
        ("name", pa.string()),
        ("handle", pa.string()),
        ("email", pa.string()),
    ]
)
_SPACE_SCHEMA: Final = pa.schema(
    [
        ("part", pa.int32()),
        ("space_id", pa.string()),
        ("source", pa.string()),
        ("origin", pa.string()),
        ("name", pa.string()),
        ("kind", pa.string()),
        ("created_by", pa.string()),
    ]
)
_ACTIVITY_SCHEMA: Final = pa.schema(
    [
        ("part", pa.int32()),
        ("seq", pa.int64()),
        ("activity_id", pa.string()),
        ("source", pa.string()),
        ("space_id", pa.string()),
        ("thread_id", pa.string()),
        ("parent_id", pa.string()),
        ("actor_id", pa.string()),
        ("created_at", _TS),
        ("kind", pa.string()),
        ("is_question", pa.bool_()),
        ("length", pa.int32()),
        ("text", pa.string()),
    ]
)
_INTERACTION_SCHEMA: Final = pa.schema(
    [
        ("part", pa.int32()),
        ("interaction_id", pa.string()),
        ("from_member", pa.string()),
        ("to_member", pa.string()),
        ("activity_id", pa.string()),
        ("kind", pa.string()),
        ("created_at", _TS),
    ]
)
STAGING: Final = {
    "st_members": _MEMBER_SCHEMA,
    "st_spaces": _SPACE_SCHEMA,
    "st_activities": _ACTIVITY_SCHEMA,
    "st_interactions": _INTERACTION_SCHEMA,
}
DUCK_TYPES: Final = {
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    _TS: "TIMESTAMPTZ",
    pa.list_(pa.string()): "VARCHAR[]",
}


def _clean(value: str) -> str:
    """``value`` as valid UTF-8 (lone surrogates from undecodable bytes become U+FFFD)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def _normal_name(name: str) -> str:
    if name.isascii():  # NFKD leaves ASCII as it is and casefold is lower: the common case
        return " ".join(_PUNCTUATION.sub(" ", name.lower()).split())
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCTUATION.sub(" ", letters).split())


_PUNCTUATION: Final = re.compile(r"[^\w\s]")

# a member's state during an import: [member_id, stored source_user_id, name, handle, email,
# is_bot, joined_at (microseconds), roles]; a list, not a dict: a dump has millions of users
_ID, _STORED, _NAME, _HANDLE, _EMAIL, _BOT, _JOINED, _ROLES = range(8)


class Buffer:
    """Rows for one staging table, flushed to DuckDB as Arrow batches."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema) -> None:
        self.con = con
        self.table = table
        self.schema = schema
        self.rows: list[tuple[Any, ...]] = []

    def add(self, *values: Any) -> None:
        self.rows.append(values)
        if len(self.rows) >= _FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        columns = list(zip(*self.rows, strict=True))
        arrays = [
            pa.array(col, type=pa.int64()).cast(_TS)
            if f.type == _TS
            else pa.array(col, type=f.type)
            for col, f in zip(columns, self.schema, strict=True)
        ]
        batch = pa.Table.from_arrays(arrays, schema=self.schema)
        self.con.register("_copkit_batch", batch)
        try:
            self.con.execute(f"INSERT INTO {self.table} SELECT * FROM _copkit_batch")  # noqa: S608
        finally:
            self.con.unregister("_copkit_batch")
        self.rows = []


class ImportSink:
    """The :class:`~copkit.community.sources.base.Sink` of one path of one import."""

    def __init__(
        self,
        *,
        store: Store,
        buffers: dict[str, Buffer],
        part: int,
        source: str,
        origin: str,
        keep_text: bool,
        real_names: bool,
        bot_rules: Sequence[re.Pattern[str]],
        progress: Callable[[int], None] | None,
    ) -> None:
        self.store = store
        self.buffers = buffers
        self.part = part
        self.source = source
        self.origin = origin
        self.keep_text = keep_text
        self.real_names = real_names
        self.bot_rules = bot_rules
        self.progress = progress
        self.members: dict[str, list[Any]] = {}
        self.member_ids: dict[str, str] = dict(
            store.con.execute(
                "SELECT source_user_id, member_id FROM identities WHERE source = ? AND origin = ?",
                [source, origin],
            ).fetchall()
        )
        self.spaces: dict[str, str] = {}
        self._recent: dict[str, str] = {}
        self.skips: dict[str, int] = {}
        self.read = 0
        self.joins = 0
        self.bot_actors: set[str] = set()
        self.actor_counts: dict[str, int] = {}
        self.member_count = 0  # set by finish
        self.bot_activities = 0  # set by finish

    # -- ids -------------------------------------------------------------------------------
    def _stored_user(self, user: str) -> str:
        """The identity's ``source_user_id`` as stored: itself only with real names."""
        if self.real_names:
            return _clean(user)
        return "u-" + self.store.pseudonym("user", self.source, self.origin, user)[:16]

    def _activity_id(self, local: str) -> str:
        # readers report an activity's interactions and its thread's replies right after it:
        # remember the last few ids instead of hashing them again
        cached = self._recent.get(local)
        if cached is not None:
            return cached
        if len(self._recent) >= 4096:
            self._recent.clear()
        made = "a-" + self.store.pseudonym("activity", self.source, self.origin, local)[:24]
        self._recent[local] = made
        return made

    def _space_id(self, local: str) -> str:
        space = self.spaces.get(local)
        if space is None:
            space = "s-" + self.store.pseudonym("space", self.source, self.origin, local)[:16]
            self.spaces[local] = space
        return space

    def _ensure_member(self, user: str) -> str:
        info = self.members.get(user)
        if info is None:
            stored = self._stored_user(user)
            member = (
                self.member_ids.get(user)
                or self.member_ids.get(stored)
                or self.store.member_id(self.source, self.origin, user)
            )
            info = self.members[user] = [member, stored, None, None, None, False, None, ()]
        return info[_ID]  # type: ignore[no-any-return]

    @staticmethod
    def _utc(value: datetime, what: str) -> int:
        """Microseconds since the epoch (UTC) of an aware datetime."""
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ImportFormatError(f"{what}: the reader gave a time without a time zone.")
        return (value - _EPOCH) // _MICROSECOND

    # -- the Sink protocol -------------------------------------------------------------------
    def member(
        self,
        *,
        user: str,
        name: str | None = None,
        handle: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
        joined_at: datetime | None = None,
        roles: tuple[str, ...] = (),
    ) -> None:
        self._ensure_member(user)
        info = self.members[user]
        info[_NAME] = info[_NAME] or (name or None)
        info[_HANDLE] = info[_HANDLE] or (handle or None)
        info[_EMAIL] = info[_EMAIL] or (email or None)
        info[_BOT] = info[_BOT] or is_bot
        if joined_at is not None:
            joined = self._utc(joined_at, f"member {user}")
            if info[_JOINED] is None or joined < info[_JOINED]:
                info[_JOINED] = joined
        if roles:
            info[_ROLES] = tuple(sorted(set(info[_ROLES]) | set(roles)))

    def space(self, *, space: str, name: str, kind: str, created_by: str | None = None) -> None:
        if kind not in SPACE_KINDS:
            raise ImportFormatError(f"space {name!r}: kind {kind!r} is not one of {SPACE_KINDS}.")
        creator = self._ensure_member(created_by) if created_by else None
        self.buffers["st_spaces"].add(
            self.part, self._space_id(space), self.source, self.origin, _clean(name), kind, creator
        )

    def activity(
        self,
        *,
        activity: str,
        actor: str,
        created_at: datetime,
        kind: str,
        space: str | None = None,
        thread: str | None = None,
        parent: str | None = None,
        is_question: bool = False,
        text: str | None = None,
        length: int | None = None,
    ) -> None:
        if kind not in ACTIVITY_KINDS:
            raise ImportFormatError(
                f"activity {activity!r}: kind {kind!r} is not one of {', '.join(ACTIVITY_KINDS)}."
            )
        actor_id = self._ensure_member(actor)
        self.actor_counts[actor] = self.actor_counts.get(actor, 0) + 1
        own = self._activity_id(activity)
        self.read += 1
        if kind == "join":
            self.joins += 1
        if length is None:
            length = len(text) if text else 0
        parent_id = self._activity_id(parent) if parent is not None else None
        thread_id: str | None
        if thread is None or thread == activity:
            thread_id = own
        elif thread == parent:
            thread_id = parent_id
        else:
            thread_id = self._activity_id(thread)
        self.buffers["st_activities"].add(
            self.part,
            self.read,
            own,
            self.source,
            self._space_id(space) if space is not None else None,
            thread_id,
            parent_id,
            actor_id,
            self._utc(created_at, f"activity {activity}"),
            kind,
            is_question,
            min(length, 2**31 - 1),
            _clean(text) if self.keep_text and text is not None else None,
        )
        if self.progress is not None and self.read % 5000 == 0:
            self.progress(self.read)

    def interaction(
        self, *, actor: str, target: str, activity: str, kind: str, created_at: datetime
    ) -> None:
        if kind not in INTERACTION_KINDS:
            raise ImportFormatError(
                f"interaction on {activity!r}: kind {kind!r} is not one of {INTERACTION_KINDS}."
            )
        if actor == target:
            return
        from_member = self._ensure_member(actor)
        to_member = self._ensure_member(target)
        if from_member == to_member:
            return
        iid = (
            "i-"
            + self.store.pseudonym(
                "interaction", self.source, self.origin, activity, kind, actor, target
            )[:24]
        )
        self.buffers["st_interactions"].add(
            self.part,
            iid,
            from_member,
            to_member,
            self._activity_id(activity),
            kind,
            self._utc(created_at, f"interaction on {activity}"),
        )

    def skipped(self, reason: str, count: int = 1) -> None:
        self.skips[reason] = self.skips.get(reason, 0) + count

    # -- end of the path -------------------------------------------------------------------
    def _is_bot(self, user: str, info: list[Any]) -> bool:
        if info[_BOT]:
            return True
        values = [v for v in (user, info[_NAME], info[_HANDLE], info[_EMAIL]) if v]
        return any(rule.search(v) for rule in self.bot_rules for v in values)

    def _hide(self, kind: str, value: str | None) -> str | None:
        if value is None:
            return None
        if self.real_names:
            return _clean(value)
        if kind == "name":
            normal = _normal_name(value)
        elif kind == "handle":
            normal = value.strip().lstrip("@").casefold()
        else:
            normal = value.strip().casefold()
        return kind[0] + "-" + self.store.pseudonym(kind, normal)[:16]

    def finish(self) -> None:
        buffer = self.buffers["st_members"]
        for user, info in self.members.items():
            member = info[_ID]
            bot = self._is_bot(user, info)
            if bot:
                self.bot_actors.add(user)
            if self.real_names:
                shown = info[_NAME] or info[_HANDLE] or info[_EMAIL] or user
            else:
                shown = "member-" + member[2:8]
            buffer.add(
                self.part,
                self.source,
                self.origin,
                info[_STORED],
                member,
                _clean(shown),
                bot,
                info[_JOINED],
                list(info[_ROLES]),
                self._hide("name", info[_NAME]),
                self._hide("handle", info[_HANDLE]),
                self._hide("email", info[_EMAIL]),
            )
        for buf in self.buffers.values():
            buf.flush()
        # what the summary needs is kept as counts; the per-member and per-id state is
        # dropped before the merge, where DuckDB needs the memory
        self.member_count = len(self.members)
        self.bot_activities = sum(self.actor_counts.get(user, 0) for user in self.bot_actors)
        self.members.clear()
        self.member_ids.clear()
        self.actor_counts.clear()
        self.bot_actors.clear()
        self.spaces.clear()
        self._recent.clear()
