"""Reader of Discourse topics as the API returns them: ``/t/{id}.json``, one file per topic.

Layout
------
A topic file, or a folder (searched recursively) of them. A topic file is the JSON object
``GET /t/{id}.json`` returns, with the whole ``post_stream.posts`` (fetch long topics with
``?print=true`` or page through ``/t/{id}/posts.json`` and merge). Companion files of the same
export are ignored by name: topic lists (``*-topics-*.json``, ``latest.json``), tag lists
(``*-tags-*.json``, ``tags.json``) and raw-text dumps (``*-posts-*.json``); a
``categories.json`` (the ``/categories.json`` response) supplies category names. Any other
``.json`` file that is not a topic is an error. Files named like
``<host>-<category slug>-post-<topic id>-<date>.json`` (the layout of a scraper in use, see
``discourse-askci-2019``) give the forum host and the category's slug as its name.

The origin (the forum) is the host from such a file name, else the host in the avatar URLs
of the first topic, else the folder's name.

Mapping
-------
- Each post's author is a member: ``user_id`` (the key), ``username`` (handle), ``name``,
  ``user_created_at`` (``joined_at``), and the ``admin``/``moderator`` flags as roles. Users
  with an id <= 0 (``system``, ``discobot``) are bots.
- A topic's category is a space of kind ``category`` (``category_id``).
- ``post_number`` 1 is the thread root, kind ``post``; it ``is_question`` when the topic is a
  Q&A topic (``qa_enabled``, the question-answer plugin) or has an accepted answer (the
  solved plugin). Every other post is a ``reply`` whose parent is the post its
  ``reply_to_post_number`` names, else the root; in a question topic a post replying to the
  root is an ``answer`` (unless the asker wrote it). A ``reply_to_post_number`` naming a
  post missing from the stream (deleted) falls back to the root and is counted ("reply
  target missing").
- Posts of ``post_type`` 2 and 3 (moderator and small actions: "closed", "pinned"), posts
  with ``deleted_at`` set, and a second post with an id or ``post_number`` already seen are
  skipped, counted by reason; so are all posts of a topic whose first post is missing or
  skipped (the thread has no root).
- An accepted answer (a post with ``accepted_answer: true``, or the topic's
  ``accepted_answer.post_number``) is an ``accept`` from the topic's author to the post's
  author, dated by the post (the API does not say when it was accepted).
- Likes (``actions_summary`` entry ``id`` 2) are ``reaction`` interactions from each liker to
  the author when the entry lists its ``users``; the public topic JSON gives only a
  ``count``, so those likes are counted as skipped ("like without the liker"). Reactions are
  dated by the post.
- Text (kept by the store only on request) is ``raw`` when present, else ``cooked`` (HTML).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from copkit.community.errors import ImportFormatError
from copkit.community.sources.base import Sink

__all__ = ["MAX_FILE_BYTES", "READER", "DiscourseReader"]

MAX_FILE_BYTES: Final = 256 * 2**20
"""Largest topic file read (a topic of 10,000 long posts is about 50 MB)."""

_NAMED: Final = re.compile(
    r"^(?P<host>[A-Za-z0-9.-]*?\.[A-Za-z]{2,})-(?P<cat>.+)-post-(?P<id>\d+)-"
    r"(?P<date>\d{4}-\d{2}-\d{2})\.json$"
)
_COMPANION: Final = re.compile(r"-(topics|tags|posts)-\d{4}-\d{2}-\d{2}\.json$")
_COMPANION_NAMES: Final = frozenset({"latest.json", "tags.json", "top.json", "site.json"})
_AVATAR_HOST: Final = re.compile(r"/user_avatar/([^/]+)/")
_LIKE: Final = 2
_SKIPPED_TYPES: Final = {2: "moderator action post", 3: "small action post (closed, pinned...)"}


class DiscourseReader:
    """Reads Discourse topic JSON files (see the module docstring)."""

    name = "discourse"

    def detect(self, path: Path) -> bool:
        """True for a topic file, or a folder whose first candidate file is a topic."""
        first = next(_candidates(path), None)
        if first is None:
            return False
        try:
            with first.open("rb") as handle:
                head = handle.read(65536)
        except OSError:
            return False
        return b'"post_stream"' in head or (head.lstrip().startswith(b"{") and _is_named(first))

    def origin(self, path: Path) -> str:
        """The forum's host (from file names or avatar URLs), else the folder's name."""
        first = next(_candidates(path), None)
        if first is not None:
            named = _NAMED.match(first.name)
            if named:
                return named.group("host")
            try:
                with first.open("rb") as handle:
                    head = handle.read(65536).decode("utf-8", errors="replace")
            except OSError:
                head = ""
            found = _AVATAR_HOST.search(head)
            if found:
                return found.group(1)
        return (path if path.is_dir() else path.parent).resolve().name

    def read(self, path: Path, sink: Sink) -> None:
        """Read every topic under ``path`` into ``sink``; bad input raises ImportFormatError."""
        if not path.exists():
            raise ImportFormatError(f"{path}: no such file or folder")
        files = sorted(_candidates(path))
        if not files:
            raise ImportFormatError(
                f"{path}: no Discourse topic files (.json as /t/{{id}}.json returns) found"
            )
        state = _State(sink, _category_names(path))
        skipped_companions = _companions(path)
        if skipped_companions:
            sink.skipped("companion file (topic list, tags, raw posts)", skipped_companions)
        for file in files:
            state.topic(file, _load(file))


READER: Final = DiscourseReader()


def _is_named(path: Path) -> bool:
    return _NAMED.match(path.name) is not None


def _is_companion(path: Path) -> bool:
    return path.name in _COMPANION_NAMES or _COMPANION.search(path.name) is not None


def _candidates(path: Path) -> Iterator[Path]:
    if path.is_file():
        if path.suffix.lower() == ".json":
            yield path
        return
    if not path.is_dir():
        return
    for file in sorted(path.rglob("*.json")):
        if file.is_file() and not _is_companion(file) and file.name != "categories.json":
            yield file


def _companions(path: Path) -> int:
    if not path.is_dir():
        return 0
    return sum(1 for f in path.rglob("*.json") if _is_companion(f))


def _load(path: Path) -> Any:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFormatError(
                f"{path.name}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit for one topic"
            )
        with path.open("rb") as handle:
            return json.load(handle)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{path.name}: line {exc.lineno}: invalid JSON ({exc.msg}); the file may be "
            "truncated: fetch the topic again"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name}: line 1: not UTF-8 JSON ({exc.reason})") from exc
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot read ({exc.strerror})") from exc


def _category_names(path: Path) -> dict[int, str]:
    names: dict[int, str] = {}
    if path.is_dir():
        for file in sorted(path.rglob("categories.json")):
            data = _load(file)
            cats = (
                data.get("category_list", {}).get("categories", [])
                if isinstance(data, dict)
                else []
            )
            for cat in cats if isinstance(cats, list) else []:
                if isinstance(cat, dict) and isinstance(cat.get("id"), int):
                    names[cat["id"]] = str(cat.get("name") or cat.get("slug") or cat["id"])
    return names


def _when(file: Path, where: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise ImportFormatError(f"{file.name}: {where}: created_at missing or not a string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ImportFormatError(
            f"{file.name}: {where}: created_at={value!r} is not an ISO date-time"
        ) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class _State:
    """What the reader remembers across topics: members and spaces already sent."""

    def __init__(self, sink: Sink, categories: dict[int, str]) -> None:
        self.sink = sink
        self.categories = categories
        self.users: set[str] = set()
        self.spaces: set[str] = set()
        self.posts: set[int] = set()

    def _member(self, post: dict[str, Any]) -> str:
        user_id = post.get("user_id")
        username = post.get("username")
        if isinstance(user_id, int):
            key = str(user_id)
        elif isinstance(username, str) and username:
            key = f"u:{username}"
        else:
            return ""
        if key not in self.users:
            self.users.add(key)
            roles = tuple(r for r in ("admin", "moderator") if post.get(r) is True)
            joined = post.get("user_created_at")
            self.sink.member(
                user=key,
                name=post.get("name") or None,
                handle=username if isinstance(username, str) else None,
                is_bot=isinstance(user_id, int) and user_id <= 0,
                joined_at=_when_or_none(joined),
                roles=roles,
            )
        return key

    def _liker(self, user: dict[str, Any]) -> str:
        user_id = user.get("id")
        username = user.get("username")
        if isinstance(user_id, int):
            key = str(user_id)
        elif isinstance(username, str) and username:
            key = f"u:{username}"
        else:
            return ""
        if key not in self.users:
            self.users.add(key)
            self.sink.member(
                user=key,
                name=user.get("name") or None,
                handle=username if isinstance(username, str) else None,
                is_bot=isinstance(user_id, int) and user_id <= 0,
            )
        return key

    def _space(self, file: Path, topic: dict[str, Any]) -> str | None:
        category = topic.get("category_id")
        if not isinstance(category, int):
            return None
        key = str(category)
        if key not in self.spaces:
            self.spaces.add(key)
            named = _NAMED.match(file.name)
            name = self.categories.get(category) or (
                named.group("cat") if named else f"category {category}"
            )
            self.sink.space(space=key, name=name, kind="category")
        return key

    def topic(self, file: Path, data: Any) -> None:
        stream = data.get("post_stream") if isinstance(data, dict) else None
        posts = stream.get("posts") if isinstance(stream, dict) else None
        if not isinstance(posts, list):
            raise ImportFormatError(
                f"{file.name}: line 1: not a Discourse topic: expected the object /t/{{id}}.json "
                "returns, with post_stream.posts"
            )
        assert isinstance(data, dict)
        space = self._space(file, data)
        by_number: dict[int, tuple[str, str]] = {}  # post_number -> (activity id, author)
        checked: list[dict[str, Any]] = []
        numbers: set[int] = set()
        for index, post in enumerate(posts):
            where = f"post_stream.posts[{index}]"
            if not isinstance(post, dict):
                raise ImportFormatError(f"{file.name}: {where}: not an object")
            number, pid = post.get("post_number"), post.get("id")
            if not isinstance(number, int) or not isinstance(pid, int):
                raise ImportFormatError(f"{file.name}: {where}: id or post_number missing")
            if pid in self.posts or number in numbers:
                self.sink.skipped("duplicate post (same id or post_number)")
                continue
            if post.get("post_type", 1) in _SKIPPED_TYPES:
                self.sink.skipped(_SKIPPED_TYPES[post["post_type"]])
                continue
            if post.get("deleted_at"):
                self.sink.skipped("deleted post")
                continue
            self.posts.add(pid)
            numbers.add(number)
            checked.append(post)
        checked.sort(key=lambda p: int(p["post_number"]))
        if not checked or checked[0]["post_number"] != 1:
            if checked:
                self.sink.skipped("post of a topic whose first post is missing", len(checked))
            return
        root = checked[0]
        accepted = data.get("accepted_answer")
        accepted_number = accepted.get("post_number") if isinstance(accepted, dict) else None
        is_question = (
            data.get("qa_enabled") is True
            or accepted_number is not None
            or any(p.get("accepted_answer") is True for p in checked)
        )
        root_id = str(root["id"])
        asker = ""
        for post in checked:
            number = int(post["post_number"])
            where = f"post #{number}"
            actor = self._member(post)
            if not actor:
                raise ImportFormatError(f"{file.name}: {where}: no user_id or username")
            created = _when(file, where, post.get("created_at"))
            activity = str(post["id"])
            text = post.get("raw") if isinstance(post.get("raw"), str) else post.get("cooked")
            text = text if isinstance(text, str) else ""
            if number == 1:
                asker = actor
                self.sink.activity(
                    activity=activity,
                    actor=actor,
                    created_at=created,
                    kind="post",
                    space=space,
                    is_question=is_question,
                    text=text,
                )
            else:
                target = post.get("reply_to_post_number")
                parent = root_id
                to_root = True
                if isinstance(target, int) and target != 1:
                    found = by_number.get(target)
                    if found is None:
                        self.sink.skipped("reply target missing: attached to the topic's root")
                    else:
                        parent, to_root = found[0], False
                kind = "answer" if is_question and to_root and actor != asker else "reply"
                self.sink.activity(
                    activity=activity,
                    actor=actor,
                    created_at=created,
                    kind=kind,
                    space=space,
                    thread=root_id,
                    parent=parent,
                    text=text,
                )
                if post.get("accepted_answer") is True or number == accepted_number:
                    if asker and asker != actor:
                        self.sink.interaction(
                            actor=asker,
                            target=actor,
                            activity=activity,
                            kind="accept",
                            created_at=created,
                        )
                    else:
                        self.sink.skipped("self-accept (asker accepted their own answer)")
            by_number[number] = (activity, actor)
            self._likes(post, actor, activity, created)

    def _likes(self, post: dict[str, Any], author: str, activity: str, created: datetime) -> None:
        summary = post.get("actions_summary")
        for action in summary if isinstance(summary, list) else []:
            if not isinstance(action, dict) or action.get("id") != _LIKE:
                continue
            users = action.get("users")
            if isinstance(users, list) and users:
                for user in users:
                    liker = self._liker(user) if isinstance(user, dict) else ""
                    if liker and liker != author:
                        self.sink.interaction(
                            actor=liker,
                            target=author,
                            activity=activity,
                            kind="reaction",
                            created_at=created,
                        )
                    else:
                        self.sink.skipped("like by the author or by an unnamed user")
            else:
                count = action.get("count")
                if isinstance(count, int) and count > 0:
                    self.sink.skipped(
                        "like without the liker (the topic JSON gives a count)", count
                    )


def _when_or_none(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
