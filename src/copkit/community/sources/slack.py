"""Slack export reader: the standard workspace export, as a ``.zip`` or an unpacked folder.

Layout: ``users.json``, ``channels.json`` (also ``groups.json``, ``mpims.json``, ``dms.json``
when present) and one folder per conversation holding ``YYYY-MM-DD.json`` day files, each a
JSON list of messages.

Mapping
-------
- ``users.json`` -> members: ``id`` is the source user id; ``profile.real_name`` (or
  ``real_name``) the name; ``name`` the handle; ``profile.email`` the e-mail when the export has
  it; ``is_bot`` (and the ``USLACKBOT`` user) marks bots; ``is_admin``/``is_owner``/
  ``is_primary_owner``/``is_restricted`` become ``source_roles``. A user who posts but is
  missing from ``users.json`` is taken from the message's ``user_profile``.
- Every channel *folder* is a space of kind ``channel`` named after the folder (channels.json
  may list fewer channels than there are folders); its creator comes from channels.json.
- A message is an activity whose source id is ``<folder>/<ts>``. ``thread_ts`` different from
  ``ts`` makes it a ``reply`` whose parent and thread are the root ``<folder>/<thread_ts>``
  (Slack threads are flat); otherwise it is a ``post`` (a thread root). Older exports without
  ``thread_ts`` give posts only. A root post ``is_question`` when its text contains ``?``.
- ``subtype`` ``channel_join``/``group_join`` -> a ``join`` activity. ``bot_message`` or a
  ``bot_id`` -> an activity by a bot member (``user``, else ``bot_id``), flagged ``is_bot``.
  Other housekeeping subtypes (``channel_leave``, ``channel_topic``, ``channel_purpose``,
  ``channel_name``, ``channel_archive``, ``tombstone``, ``bot_add``, ...) are skipped and
  counted by subtype. ``thread_broadcast``, ``me_message``, ``file_share`` are ordinary messages.
- ``reactions[].users`` -> one ``reaction`` interaction from each reacting user to the author
  (Slack lists at most 50 users per reaction; the export says no more).
- ``<@U…>`` in the text and ``user`` elements in ``blocks`` -> ``mention`` interactions from
  the author to each person named, once per message and person.
- ``files``: attached files count as part of the message; their names are not stored.
- Day files that are not JSON lists of messages (``canvas_in_the_conversation.json``) are
  skipped. Truncated or invalid JSON is an error naming the file and line.

A person is reported once; a bot once per name its messages give it (the store keeps the
first name given, so repeating a row would change nothing).

Into a :class:`~copkit.community.sink.RowSink` (what an import uses), a day file written as
Slack writes it is decoded by msgspec into the fields above only and made into raw rows
directly (see ``_regular_file``); any other file takes the general path, which gives the same
rows and names what is wrong. Day files of :data:`PARALLEL_MIN_BYTES` or more in all are
parsed by two worker processes, in runs of :data:`RUN_FILES`; their rows are taken in export
order, a member already known to the importing process not reported again, so the sink gets
the rows a single process makes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import msgspec

from copkit.community.errors import ImportFormatError
from copkit.community.sink import MAX_LENGTH, Collected, RowSink, microseconds
from copkit.community.sources import workers
from copkit.community.sources.archive import ExportFiles
from copkit.community.sources.base import Sink
from copkit.community.sources.workers import worker_count

_fast_loads: Callable[[bytes], Any] | None
try:  # orjson, when installed, parses several times faster; json is the fallback
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - depends on the environment
    _fast_loads = None

__all__ = ["READER", "SlackReader"]

_DAY_NAME: Final = re.compile(r"\d{4}-\d{2}-\d{2}\.json")  # a day file's own name
_DAY_FILE: Final = re.compile(rf"[^/]+/{_DAY_NAME.pattern}\Z")  # its name in the export
_MENTION: Final = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_JOINS: Final = frozenset({"channel_join", "group_join"})
_MESSAGES: Final = frozenset(
    {None, "bot_message", "thread_broadcast", "me_message", "file_share", "reply_broadcast"}
)
_CHANNEL_LISTS: Final = ("channels.json", "groups.json", "mpims.json", "dms.json")
_ROLES: Final = {
    "is_admin": "admin",
    "is_owner": "owner",
    "is_primary_owner": "primary_owner",
    "is_restricted": "guest",
    "is_ultra_restricted": "single_channel_guest",
}


def _load(files: ExportFiles, name: str, data: bytes | None = None) -> Any:
    if data is None:
        data = files.read_bytes(name)
    if _fast_loads is not None:
        try:
            return _fast_loads(data)
        except ValueError:
            pass  # the standard parser below says precisely what is wrong
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{files.where(name)}: not UTF-8 JSON ({exc}).") from exc
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{files.where(name)}: invalid or truncated JSON at line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}."
        ) from exc


def _ts(value: object, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise ImportFormatError(f"{where}: ts {value!r} is not a Slack timestamp.") from exc


def _block_users(blocks: object) -> Iterator[str]:
    """User ids in ``rich_text`` blocks (sections, lists, quotes, preformatted)."""
    if not isinstance(blocks, list):
        return
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") != "rich_text":
            continue
        stack = list(block.get("elements") or ())
        while stack:
            item = stack.pop()
            if not isinstance(item, dict):
                continue
            if item.get("type") == "user":
                user = item.get("user_id")
                if isinstance(user, str):
                    yield user
            else:
                inner = item.get("elements")
                if isinstance(inner, list):
                    stack.extend(inner)


class SlackReader:
    """Reads a Slack workspace export (see the module docstring for the mapping)."""

    name = "slack"
    parallel = True  # big exports are parsed by worker processes of its own

    def detect(self, path: Path) -> bool:
        """A folder or zip with ``users.json`` and ``channels.json``."""
        if path.is_dir():
            return (path / "users.json").is_file() and (path / "channels.json").is_file()
        if path.suffix.lower() != ".zip":
            return False
        try:
            with ExportFiles(path) as files:
                return files.exists("users.json") and files.exists("channels.json")
        except ImportFormatError:
            return True  # a hostile zip: let read() say why

    def origin(self, path: Path) -> str:
        """The workspace: ``slack team <team_id>`` from users.json (stable across exports)."""
        with ExportFiles(path) as files:
            if not files.exists("users.json"):
                raise ImportFormatError(f"{files.where('users.json')}: missing; {_EXPECTED}")
            users = _load(files, "users.json")
        teams: dict[str, int] = {}
        if isinstance(users, list):
            for user in users:
                if isinstance(user, dict) and isinstance(user.get("team_id"), str):
                    teams[user["team_id"]] = teams.get(user["team_id"], 0) + 1
        if teams:
            return "slack team " + max(sorted(teams), key=lambda t: teams[t])
        return "slack export " + path.stem

    def read(self, path: Path, sink: Sink) -> None:
        """Read the export into ``sink``."""
        with ExportFiles(path) as files:
            _Run(files, sink).run()


_EXPECTED: Final = (
    "a Slack export has users.json, channels.json and one folder per channel of "
    "YYYY-MM-DD.json files."
)


class _Run:
    def __init__(self, files: ExportFiles, sink: Sink) -> None:
        self.files = files
        self.sink = sink
        self.known: set[str | tuple[str, str | None, str | None]] = set()
        """Ids of the people reported, and (id, name, handle) of each bot as reported."""

    def run(self) -> None:
        files = self.files
        for required in ("users.json", "channels.json"):
            if not files.exists(required):
                raise ImportFormatError(f"{files.where(required)}: missing; {_EXPECTED}")
        if worker_count() >= 2 and files.holds_at_least(PARALLEL_MIN_BYTES, _DAY_FILE):
            # the day files are parsed by worker processes, in runs of RUN_FILES; each
            # run's rows are taken here in export order. The workers start up while this
            # process reads the users and channels and lists the export (tens of thousands
            # of files for a big one)
            with workers.Workers(worker_count(), preload=__name__) as pool:
                creators = self._lists()
                keep_text = bool(getattr(self.sink, "keep_text", True))
                try:
                    for collected in pool.map(_read_days, self._tasks(creators, keep_text)):
                        self._take(collected)
                finally:
                    _forget()  # open here only when the runs were read in this process
            return
        for folder, days in self._channels(self._lists()).items():
            for day in days:
                self._day(folder, day)

    def _lists(self) -> dict[str, str]:
        """Report the members of users.json; each channel's creator, from the channel lists."""
        files = self.files
        self._users(_load(files, "users.json"))
        creators: dict[str, str] = {}
        for listing in _CHANNEL_LISTS:
            if files.exists(listing):
                channels = _load(files, listing)
                if not isinstance(channels, list):
                    raise ImportFormatError(f"{files.where(listing)}: expected a JSON list.")
                for channel in channels:
                    if isinstance(channel, dict) and isinstance(channel.get("name"), str):
                        creator = channel.get("creator")
                        if isinstance(creator, str) and creator:
                            creators[channel["name"]] = creator
        return creators

    def _channels(self, creators: dict[str, str]) -> dict[str, list[str]]:
        """Each channel folder's day files, in order, once the channels are reported."""
        days: dict[str, list[str]] = {}
        for folder, names in self.files.folder_files().items():
            start = len(folder) + 1
            found = [name for name in names if _DAY_NAME.fullmatch(name, start)]
            if found:
                days[folder] = found
        if not days:
            raise ImportFormatError(f"{self.files.path}: no channel day files; {_EXPECTED}")
        for folder in sorted(days):
            self.sink.space(
                space=folder, name=folder, kind="channel", created_by=creators.get(folder)
            )
        return {folder: sorted(days[folder]) for folder in sorted(days)}

    def _tasks(
        self, creators: dict[str, str], keep_text: bool
    ) -> Iterator[tuple[Path, list[tuple[str, str]], bool]]:
        """The workers' tasks: runs of day files (the channels are all reported first: rows
        of different kinds are kept apart by the sink)."""
        channels = self._channels(creators)
        ordered = [(folder, day) for folder, days in channels.items() for day in days]
        for run in _runs(ordered, RUN_FILES):
            yield (self.files.path, run, keep_text)

    def _take(self, collected: Collected) -> None:
        """What a worker collected, as if this process had read it: a member already known
        here (from users.json or an earlier run) is not reported again."""
        known = self.known
        members = []
        for row in collected.members:
            user, is_bot = row[0], row[4]
            if is_bot:
                seen = _bot_seen(user, row[1], row[2])
                if seen in known:
                    continue
                known.add(seen)
            elif user in known:
                continue
            else:
                known.add(user)
            members.append(row)
        collected.members = members
        if isinstance(self.sink, RowSink):
            self.sink.take(collected)
        else:
            collected.replay(self.sink)

    def _users(self, users: object) -> None:
        if not isinstance(users, list):
            raise ImportFormatError(f"{self.files.where('users.json')}: expected a JSON list.")
        for user in users:
            if not isinstance(user, dict) or not isinstance(user.get("id"), str):
                continue
            profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
            assert isinstance(profile, dict)
            self.sink.member(
                user=user["id"],
                name=_text(profile.get("real_name"), user.get("real_name")),
                handle=_text(user.get("name"), profile.get("display_name")),
                email=_text(profile.get("email")),
                is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
                roles=tuple(role for flag, role in _ROLES.items() if user.get(flag)),
            )
            self.known.add(user["id"])

    def _day(self, folder: str, day: str) -> None:
        raw = self.files.read_bytes(day)
        if isinstance(self.sink, RowSink):
            rows = _Rows()
            if _regular_file(raw, folder, self.known, self.sink.keep_text, rows):
                rows.into(self.sink)
                return
        self._general_day(folder, day, raw)

    def _general_day(self, folder: str, day: str, raw: bytes) -> None:
        """The calls the day file ``raw`` stands for, whatever it holds (see the module
        docstring); what is wrong with it is an error naming the file."""
        # user elements in blocks carry "user_id": skip walking blocks in files without one
        walk_blocks = b'"user_id"' in raw
        messages = _load(self.files, day, raw)
        if not isinstance(messages, list):
            raise ImportFormatError(f"{self.files.where(day)}: expected a JSON list of messages.")
        sink = self.sink
        for message in messages:
            if not isinstance(message, dict) or "ts" not in message:
                sink.skipped("not a message")
                continue
            subtype = message.get("subtype")
            ts = message["ts"]
            try:
                when = datetime.fromtimestamp(float(ts), UTC)
            except (TypeError, ValueError, OverflowError, OSError):
                when = _ts(ts, self.files.where(day))
            user = message.get("user")
            is_bot = subtype == "bot_message" or "bot_id" in message
            if not isinstance(user, str) or not user:
                bot = message.get("bot_id")
                user = bot if isinstance(bot, str) and bot else None
            if subtype is not None and not isinstance(subtype, str):
                sink.skipped(str(subtype))  # a list or an object: no subtype Slack writes
                continue
            if subtype in _JOINS:
                if user is None:
                    sink.skipped("join without a user")
                    continue
                self._member(user, message, is_bot=False)
                sink.activity(
                    activity=f"{folder}/{ts}", actor=user, created_at=when, kind="join",
                    space=folder,
                )  # fmt: skip
                continue
            if subtype not in _MESSAGES:
                sink.skipped(str(subtype))
                continue
            if user is None:
                sink.skipped("message without a user")
                continue
            self._member(user, message, is_bot=is_bot)
            text = message.get("text") if isinstance(message.get("text"), str) else ""
            assert isinstance(text, str)
            own = f"{folder}/{ts}"
            thread_ts = message.get("thread_ts")
            if thread_ts is not None and str(thread_ts) != str(ts):
                root = f"{folder}/{thread_ts}"
                sink.activity(
                    activity=own, actor=user, created_at=when, kind="reply", space=folder,
                    thread=root, parent=root, text=text,
                )  # fmt: skip
            else:
                sink.activity(
                    activity=own, actor=user, created_at=when, kind="post", space=folder,
                    is_question="?" in text, text=text,
                )  # fmt: skip
            mentioned = set(_MENTION.findall(text)) if "<@" in text else set()
            blocks = message.get("blocks") if walk_blocks else None
            if blocks:
                mentioned.update(_block_users(blocks))
            for target in sorted(mentioned):
                sink.interaction(
                    actor=user, target=target, activity=own, kind="mention", created_at=when
                )
            reactions = message.get("reactions")
            if isinstance(reactions, list):
                for reaction in reactions:
                    users = reaction.get("users") if isinstance(reaction, dict) else None
                    if not isinstance(users, list):
                        continue
                    for reactor in users:
                        if isinstance(reactor, str) and reactor:
                            sink.interaction(
                                actor=reactor, target=user, activity=own, kind="reaction",
                                created_at=when,
                            )  # fmt: skip

    def _member(self, user: str, message: dict[str, Any], *, is_bot: bool) -> None:
        """Report the author of ``message``: a person once, a bot each time it is named
        differently (a bot's messages may each carry a name of their own)."""
        if user in self.known and not is_bot:
            return
        profile = message.get("user_profile")
        if isinstance(profile, dict):
            name = _text(profile.get("real_name"))
            handle = _text(profile.get("name"), profile.get("display_name"))
        else:
            name, handle = _text(message.get("username")), None
        if is_bot:
            seen = _bot_seen(user, name, handle)
            if seen in self.known:
                return  # the store would learn nothing from this row again
            self.known.add(seen)
        self.sink.member(user=user, name=name, handle=handle, is_bot=is_bot)
        if not is_bot:
            self.known.add(user)


def _bot_seen(user: str, name: str | None, handle: str | None) -> tuple[str, Any, Any]:
    """How a bot's member row is remembered: one with the same id, name and handle again
    would tell the store nothing new (it keeps the first name and handle given)."""
    return (user, name, handle)


def _text(*values: object) -> str | None:
    """The first of ``values`` that is a non-empty string (anything else an export may hold
    where a name belongs is no name)."""
    for value in values:
        if isinstance(value, str) and value:
            return value
    return None


READER: Final = SlackReader()


# --- the common case, fast: a day file as every real export writes it -----------------------
#
# msgspec decodes a day file straight into the few fields the mapping reads (everything else
# is skipped unparsed) and the rows are made here, in the sink's raw form, without a call per
# row. Only a regular file takes this path: every value of the type Slack writes (strings for
# ids and times, objects for profiles, reactions and block elements). Anything else (invalid
# JSON, a number for a ``ts``, a message that is not an object ...) raises _Irregular before a
# row is kept, and the file is read again by ``_Run._day``, which decides what it means and
# says what is wrong. Both paths give the same rows (tests compare them on the real export).

_UNSET: Final = msgspec.UNSET


class _Irregular(Exception):
    """This day file is not the common case: the general path reads it."""


class _Profile(msgspec.Struct, gc=False):
    real_name: Any = None
    name: Any = None
    display_name: Any = None


class _Reaction(msgspec.Struct, gc=False):
    users: Any = None


class _Element(msgspec.Struct, gc=False):
    type: Any = None
    user_id: Any = None
    elements: list[_Element] | None = None


class _Block(msgspec.Struct, gc=False):
    type: Any = None
    elements: list[_Element] | None = None


class _Message(msgspec.Struct, gc=False):
    ts: Any = _UNSET
    user: Any = None
    subtype: Any = None
    bot_id: Any = _UNSET
    thread_ts: Any = None
    text: Any = None
    username: Any = None
    user_profile: _Profile | None = None
    reactions: list[_Reaction] | None = None


class _MessageWithBlocks(_Message, gc=False):
    blocks: list[_Block] | None = None


_PLAIN: Final = msgspec.json.Decoder(list[_Message])
_WITH_BLOCKS: Final = msgspec.json.Decoder(list[_MessageWithBlocks])
_SLACK_TS: Final = re.compile(r"[1-9]\d{9}\.\d{6}")
"""A ``ts`` as Slack writes it (2001 to 2286)."""

_EXACT_MICROSECONDS: Final = 2**31 * 10**6
"""Below this time (January 2038) a float holds a ``ts`` to within a quarter of a microsecond,
so the general path's time (through ``float``) is exactly the one its digits say."""


@dataclass
class _Rows:
    """Raw rows (see :data:`RAW`) made by the fast path, to hand to a RowSink at once."""

    members: list[tuple[Any, ...]] = field(default_factory=list)
    activities: list[tuple[Any, ...]] = field(default_factory=list)
    interactions: list[tuple[Any, ...]] = field(default_factory=list)
    skips: dict[str, int] = field(default_factory=dict)
    joins: int = 0

    def into(self, sink: RowSink) -> None:
        sink.extend("members", self.members)
        sink.extend("activities", self.activities, joins=self.joins)
        sink.extend("interactions", self.interactions)
        for reason, count in self.skips.items():
            sink.skipped(reason, count)


def _regular_file(raw: bytes, folder: str, known: set[Any], keep_text: bool, out: _Rows) -> bool:
    """Rows of the day file ``raw`` added to ``out`` when it is regular (then True); False,
    with ``out`` and ``known`` as they were, when it is not."""
    try:
        if not raw.isascii():
            raw.decode("utf-8")  # msgspec does not check what it skips: nor would this path
        # user elements in blocks carry "user_id": skip decoding blocks in files without one
        walk_blocks = b'"user_id"' in raw
        messages = (_WITH_BLOCKS if walk_blocks else _PLAIN).decode(raw)
        _regular_rows(messages, folder, walk_blocks, known, keep_text, out)
    except (UnicodeDecodeError, msgspec.DecodeError, _Irregular):
        return False
    return True


def _regular_rows(
    messages: Sequence[_Message],
    folder: str,
    walk_blocks: bool,
    known: set[Any],
    keep_text: bool,
    out: _Rows,
) -> None:
    """The raw rows ``_Run._general_day`` would make of ``messages``, added to ``out``
    (which is left as it was when they turn out not to be regular)."""
    members, activities, interactions = out.members, out.activities, out.interactions
    marks = len(members), len(activities), len(interactions)
    skips: dict[str, int] = {}
    joins = 0
    added: list[Any] = []  # members first known in this file (forgotten if it is irregular)
    slack_ts = _SLACK_TS.fullmatch
    prefix = folder + "/"
    try:
        for message in messages:
            ts = message.ts
            if type(ts) is not str or slack_ts(ts) is None:
                if ts is _UNSET:
                    skips["not a message"] = skips.get("not a message", 0) + 1
                    continue
                raise _Irregular
            at = int(ts.replace(".", "", 1))  # the digits: microseconds since the epoch
            if at >= _EXACT_MICROSECONDS:  # as the general path rounds it
                at = microseconds(datetime.fromtimestamp(float(ts), UTC), prefix + ts)
            subtype = message.subtype
            bot = message.bot_id
            user = message.user
            if type(user) is not str or not user:
                user = bot if type(bot) is str and bot else None
            own = prefix + ts
            if subtype is not None:
                if type(subtype) is not str:
                    raise _Irregular
                if subtype in _JOINS:
                    if user is None:
                        skips["join without a user"] = skips.get("join without a user", 0) + 1
                        continue
                    if user not in known:
                        members.append(_member_row(user, message, False))
                        known.add(user)
                        added.append(user)
                    activities.append((own, user, at, "join", folder, None, None, False, 0, None))
                    joins += 1
                    continue
                if subtype not in _MESSAGES:
                    skips[subtype] = skips.get(subtype, 0) + 1
                    continue
            if user is None:
                skips["message without a user"] = skips.get("message without a user", 0) + 1
                continue
            if subtype == "bot_message" or bot is not _UNSET:
                row = _member_row(user, message, True)
                seen = _bot_seen(user, row[1], row[2])
                if seen not in known:
                    members.append(row)
                    known.add(seen)
                    added.append(seen)
            elif user not in known:
                members.append(_member_row(user, message, False))
                known.add(user)
                added.append(user)
            text = message.text
            if type(text) is not str:
                text = ""
            length = len(text)
            if length > MAX_LENGTH:
                length = MAX_LENGTH
            thread_ts = message.thread_ts
            if thread_ts is not None and thread_ts != ts:
                if type(thread_ts) is not str:
                    raise _Irregular
                root = prefix + thread_ts
                activities.append(
                    (own, user, at, "reply", folder, root, root, False, length,
                     text if keep_text else None)
                )  # fmt: skip
            else:
                activities.append(
                    (own, user, at, "post", folder, None, None, "?" in text, length,
                     text if keep_text else None)
                )  # fmt: skip
            if "<@" in text or (walk_blocks and message.blocks):  # type: ignore[attr-defined]
                mentioned = set(_MENTION.findall(text)) if "<@" in text else set()
                if walk_blocks and message.blocks:  # type: ignore[attr-defined]
                    mentioned.update(_element_users(message.blocks))  # type: ignore[attr-defined]
                for target in sorted(mentioned):
                    if target != user:
                        interactions.append((user, target, own, "mention", at))
            reactions = message.reactions
            if reactions:
                for reaction in reactions:
                    users = reaction.users
                    if type(users) is list:
                        for reactor in users:
                            if type(reactor) is str and reactor and reactor != user:
                                interactions.append((reactor, user, own, "reaction", at))
    except BaseException:
        known.difference_update(added)
        del members[marks[0] :], activities[marks[1] :], interactions[marks[2] :]
        raise
    for reason, count in skips.items():
        out.skips[reason] = out.skips.get(reason, 0) + count
    out.joins += joins


def _member_row(user: str, message: _Message, is_bot: bool) -> tuple[Any, ...]:
    """A member as ``_Run._member`` reports them, in the sink's raw form."""
    profile = message.user_profile
    if profile is not None:
        name = profile.real_name or None
        handle = profile.name or profile.display_name or None
    else:
        name = message.username if type(message.username) is str else None
        handle = None
    if (name is not None and type(name) is not str) or (
        handle is not None and type(handle) is not str
    ):
        raise _Irregular
    return (user, name or None, handle, None, is_bot, None, [])


def _element_users(blocks: list[_Block]) -> Iterator[str]:
    """User ids in ``rich_text`` blocks, as :func:`_block_users` finds them."""
    for block in blocks:
        if block.type != "rich_text" or not block.elements:
            continue
        stack = list(block.elements)
        while stack:
            item = stack.pop()
            if item.type == "user":
                if type(item.user_id) is str:
                    yield item.user_id
            elif item.elements:
                stack.extend(item.elements)


# --- big exports: day files parsed by worker processes ---------------------------------------

RUN_FILES = 128
"""Most day files in a run a worker parses at once (a day file is a few kB, rarely MBs)."""

PARALLEL_MIN_BYTES = workers.PARALLEL_MIN_BYTES


_RUN_NAME_BYTES: Final = 8 * 1024
"""Most bytes of file names in one run: a task must stay small (``workers.MAX_TASK_BYTES``)."""


def _runs(ordered: list[tuple[str, str]], most: int) -> Iterator[list[tuple[str, str]]]:
    """Consecutive day files, ``most`` at a time (fewer when their names are long)."""
    run: list[tuple[str, str]] = []
    named = 0
    for folder, day in ordered:
        run.append((folder, day))
        named += len(folder) + len(day) + 8
        if len(run) >= most or named >= _RUN_NAME_BYTES:
            yield run
            run, named = [], 0
    if run:
        yield run


def _read_days(path: Path, run: list[tuple[str, str]], keep_text: bool) -> Collected:
    """What a run of day files says, collected as raw rows (a worker's task). Members of
    users.json are known (the importing process reported them); any other member the run
    names is reported, and kept or dropped by :meth:`_Run._take`."""
    recorder = RowSink(keep_text=keep_text, emit=_no_batches, batch_rows=2**62)
    opened = _OPEN.get(path)
    if opened is None:  # a worker lists the export and reads users.json once, not per run
        _forget()
        files = ExportFiles(path)
        listed = _load(files, "users.json")
        users = frozenset(
            user["id"]
            for user in (listed if isinstance(listed, list) else ())
            if isinstance(user, dict) and isinstance(user.get("id"), str)
        )
        opened = _OPEN[path] = (files, users)
    files, users = opened
    reading = _Run(files, recorder)
    reading.known = set(users)
    rows = _Rows()
    for folder, day in run:
        raw = files.read_bytes(day)
        if not _regular_file(raw, folder, reading.known, keep_text, rows):
            rows.into(recorder)  # what came before, then this file the general way
            rows = _Rows()
            reading._general_day(folder, day, raw)
    rows.into(recorder)
    return recorder.collect()


def _no_batches(kind: str, batch: object) -> None:
    raise AssertionError("a run's rows are sent whole")


_OPEN: dict[Path, tuple[ExportFiles, frozenset[str]]] = {}
"""The export a process reads runs of, and the ids in its users.json (see
:func:`_read_days`)."""


def _forget() -> None:
    """Close the export :func:`_read_days` keeps open in this process."""
    for files, _ in _OPEN.values():
        files.close()
    _OPEN.clear()
