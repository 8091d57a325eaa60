"""Reader of a GitHub repository's issues, pull requests, comments and reviews (REST JSON).

Layout
------
A folder holding the JSON arrays the REST API returns, one file per endpoint (or one per
page: ``issues.json``, ``issues-2.json``, ... are concatenated):

==========================  ===========================================================
file                        what ``gh api --paginate`` (or ``curl``) saved
==========================  ===========================================================
``issues*.json``            ``GET /repos/{owner}/{repo}/issues?state=all`` (required;
                            pull requests are the items with a ``pull_request`` key)
``comments*.json``          ``GET /repos/{owner}/{repo}/issues/comments``
``reviews*.json``           ``GET /repos/{owner}/{repo}/pulls/{number}/reviews``, any
                            number of pull requests concatenated into one array
``review_comments*.json``   ``GET /repos/{owner}/{repo}/pulls/comments``
``repository.json``         ``GET /repos/{owner}/{repo}`` (optional: the origin)
==========================  ===========================================================

``gh api --paginate`` writes one array per page back to back (``[...][...]``); such files
are read too. The origin is ``full_name`` from ``repository.json``, else ``owner/repo`` from
the first issue's ``repository_url``, else the folder's name.

Mapping
-------
- The repository is one space of kind ``repository``.
- Every ``user`` is a member keyed by its numeric ``id``, with ``login`` as handle; a
  ``type`` of ``Bot`` or a login ending in ``[bot]`` marks a bot. The roles are the
  ``author_association`` values ``OWNER``, ``MEMBER`` and ``COLLABORATOR`` the person had
  on any item, lower-cased.
- An issue or pull request is a thread root of kind ``post`` (activity id ``#<number>``);
  it ``is_question`` when one of its labels has "question" in its name.
- An issue comment replies to its issue (``issue_url``); a review (state other than
  ``PENDING``, dated ``submitted_at``) replies to its pull request; a review comment replies
  to the comment named by ``in_reply_to_id``, else to its review, else to its pull request.
  In a question issue, a comment by someone other than the asker is an ``answer``;
  everything else is a ``reply``.
- Items about an issue that is not in ``issues*.json``, and an item listed twice (same
  ``id``, or an issue with the same ``number``), are skipped and counted. GitHub has
  no accepted answers for issues; ``reactions`` are only counts in these payloads and are
  counted as skipped; @-mentions are not extracted.
- Text (kept by the store only on request) is the title and body of an issue, the body of
  a comment or review.
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

__all__ = ["MAX_FILE_BYTES", "READER", "GitHubReader"]

MAX_FILE_BYTES: Final = 1024 * 2**20
"""Largest JSON file read (the issues of a very large repository are a few hundred MB)."""

_ROLES: Final = {"OWNER": "owner", "MEMBER": "member", "COLLABORATOR": "collaborator"}
_NUMBER_URL: Final = re.compile(r"/(?:issues|pulls)/(\d+)$")
_REPO_URL: Final = re.compile(r"/repos/([^/]+/[^/]+)$")
_KINDS: Final = ("issues", "comments", "reviews", "review_comments")


class GitHubReader:
    """Reads a folder of GitHub REST API JSON (see the module docstring)."""

    name = "github"

    def detect(self, path: Path) -> bool:
        """True for a folder with ``issues*.json`` whose first item looks like an issue."""
        files = _files(path, "issues") if path.is_dir() else []
        if not files:
            return False
        try:
            with files[0].open("rb") as handle:
                head = handle.read(65536)
        except OSError:
            return False
        return head.lstrip().startswith(b"[") and (
            b'"repository_url"' in head or b'"html_url"' in head
        )

    def origin(self, path: Path) -> str:
        """``owner/repo`` from ``repository.json`` or the issues' ``repository_url``."""
        repo = path / "repository.json"
        if repo.is_file():
            data = _load(repo)
            if isinstance(data, dict) and isinstance(data.get("full_name"), str):
                return str(data["full_name"])
        for file in _files(path, "issues")[:1]:
            items = _load_items(file)
            if items and isinstance(items[0], dict):
                found = _REPO_URL.search(str(items[0].get("repository_url", "")))
                if found:
                    return found.group(1)
        return path.resolve().name

    def read(self, path: Path, sink: Sink) -> None:
        """Read the folder into ``sink``; bad input raises ImportFormatError."""
        if not path.is_dir():
            raise ImportFormatError(
                f"{path}: expected a folder with issues.json (GET /repos/{{owner}}/{{repo}}/issues)"
            )
        if not _files(path, "issues"):
            raise ImportFormatError(
                f"{path}: issues.json is missing; save GET /repos/{{owner}}/{{repo}}/issues"
                "?state=all there (comments.json, reviews.json, review_comments.json optional)"
            )
        _Repository(path, sink, self.origin(path)).run()


READER: Final = GitHubReader()


def _files(path: Path, kind: str) -> list[Path]:
    if not path.is_dir():
        return []
    pattern = re.compile(rf"^{kind}(?:[-_.]?\d+)?\.json$")
    return sorted((f for f in path.iterdir() if pattern.match(f.name)), key=_page_order)


def _page_order(path: Path) -> tuple[int, str]:
    digits = re.findall(r"\d+", path.stem)
    return (int(digits[-1]) if digits else 0, path.name)


def _load(path: Path) -> Any:
    items = _load_values(path)
    return items[0] if len(items) == 1 else items


def _load_values(path: Path) -> list[Any]:
    """Every top-level JSON value in ``path`` (``gh api --paginate`` writes several)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFormatError(
                f"{path.name}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit; split it "
                "into pages (issues-1.json, issues-2.json, ...)"
            )
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path.name}: line 1: not UTF-8 JSON ({exc.reason})") from exc
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot read ({exc.strerror})") from exc
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos = 0
    end = len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n\ufeff":
            pos += 1
        if pos >= end:
            break
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(
                f"{path.name}: line {exc.lineno}: invalid JSON ({exc.msg}); the file may be "
                "truncated: save it again"
            ) from exc
        values.append(value)
    if not values:
        raise ImportFormatError(f"{path.name}: line 1: empty file; expected a JSON array")
    return values


def _load_items(path: Path) -> list[Any]:
    items: list[Any] = []
    for value in _load_values(path):
        if not isinstance(value, list):
            raise ImportFormatError(
                f"{path.name}: line 1: expected a JSON array as the GitHub REST API returns"
            )
        items.extend(value)
    return items


def _when(file: Path, where: str, value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise ImportFormatError(f"{file.name}: {where}: {field} missing or not a string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ImportFormatError(
            f"{file.name}: {where}: {field}={value!r} is not an ISO date-time"
        ) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _number(file: Path, where: str, url: Any) -> int:
    found = _NUMBER_URL.search(url) if isinstance(url, str) else None
    if found is None:
        raise ImportFormatError(f"{file.name}: {where}: no issue or pull request URL")
    return int(found.group(1))


class _Repository:
    def __init__(self, folder: Path, sink: Sink, origin: str) -> None:
        self.folder = folder
        self.sink = sink
        self.space = origin
        self.users: dict[str, dict[str, Any]] = {}
        self.roles: dict[str, set[str]] = {}
        self.sent: set[str] = set()

    def _items(self, kind: str) -> Iterator[tuple[Path, str, dict[str, Any]]]:
        seen: set[int] = set()
        for file in _files(self.folder, kind):
            for index, item in enumerate(_load_items(file)):
                where = f"item {index}"
                if not isinstance(item, dict):
                    raise ImportFormatError(f"{file.name}: {where}: not a JSON object")
                if not isinstance(item.get("id"), int):
                    raise ImportFormatError(f"{file.name}: {where}: no numeric id")
                if item["id"] in seen:
                    self.sink.skipped(f"duplicate item in {kind} (same id)")
                    continue
                seen.add(item["id"])
                yield file, where, item

    def _user(self, file: Path, where: str, item: dict[str, Any]) -> str | None:
        user = item.get("user")
        if user is None:
            return None  # a deleted account ("ghost") is sometimes null
        if not isinstance(user, dict) or not isinstance(user.get("id"), int):
            raise ImportFormatError(f"{file.name}: {where}: user without a numeric id")
        key = str(user["id"])
        self.users.setdefault(key, user)
        role = _ROLES.get(str(item.get("author_association", "")))
        if role:
            self.roles.setdefault(key, set()).add(role)
        return key

    def run(self) -> None:
        loaded = {kind: list(self._items(kind)) for kind in _KINDS}
        # Members first, with every role they had on any item.
        for kind in _KINDS:
            for file, where, item in loaded[kind]:
                self._user(file, where, item)
        for key, user in self.users.items():
            login = user.get("login")
            self.sink.member(
                user=key,
                handle=login if isinstance(login, str) else None,
                is_bot=user.get("type") == "Bot" or str(login).endswith("[bot]"),
                roles=tuple(sorted(self.roles.get(key, ()))),
            )
        self.sink.space(space=self.space, name=self.space, kind="repository")
        threads = self._issues(loaded["issues"])
        self._comments(loaded["comments"], threads)
        reviews = self._reviews(loaded["reviews"], threads)
        self._review_comments(loaded["review_comments"], threads, reviews)

    def _reactions(self, item: dict[str, Any]) -> None:
        reactions = item.get("reactions")
        total = reactions.get("total_count") if isinstance(reactions, dict) else None
        if isinstance(total, int) and total > 0:
            self.sink.skipped("reaction without the reactor (the REST payload gives counts)", total)

    def _issues(self, items: list[tuple[Path, str, dict[str, Any]]]) -> dict[int, tuple[str, bool]]:
        threads: dict[int, tuple[str, bool]] = {}  # number -> (asker, is_question)
        for file, where, item in items:
            number = item.get("number")
            if not isinstance(number, int):
                raise ImportFormatError(f"{file.name}: {where}: issue without a number")
            if number in threads:
                self.sink.skipped("issue listed twice")
                continue
            actor = self._user(file, where, item)
            if actor is None:
                self.sink.skipped("item by a deleted account")
                continue
            labels = item.get("labels")
            names = [
                str(label.get("name", "")) if isinstance(label, dict) else str(label)
                for label in (labels if isinstance(labels, list) else [])
            ]
            question = any("question" in name.lower() for name in names)
            title = item.get("title") if isinstance(item.get("title"), str) else ""
            body = item.get("body") if isinstance(item.get("body"), str) else ""
            threads[number] = (actor, question)
            self.sink.activity(
                activity=f"#{number}",
                actor=actor,
                created_at=_when(file, where, item.get("created_at"), "created_at"),
                kind="post",
                space=self.space,
                is_question=question,
                text=f"{title}\n\n{body}" if body else str(title),
            )
            self._reactions(item)
        return threads

    def _reply(
        self,
        *,
        activity: str,
        actor: str,
        created: datetime,
        number: int,
        parent: str,
        threads: dict[int, tuple[str, bool]],
        text: Any,
    ) -> None:
        asker, question = threads[number]
        root = f"#{number}"
        kind = "answer" if question and parent == root and actor != asker else "reply"
        self.sink.activity(
            activity=activity,
            actor=actor,
            created_at=created,
            kind=kind,
            space=self.space,
            thread=root,
            parent=parent,
            text=text if isinstance(text, str) else "",
        )

    def _comments(
        self, items: list[tuple[Path, str, dict[str, Any]]], threads: dict[int, tuple[str, bool]]
    ) -> None:
        for file, where, item in sorted(items, key=lambda t: _id(t[2])):
            number = _number(file, where, item.get("issue_url"))
            actor = self._user(file, where, item)
            if number not in threads:
                self.sink.skipped("comment on an issue not in issues.json")
                continue
            if actor is None:
                self.sink.skipped("item by a deleted account")
                continue
            self._reply(
                activity=f"comment:{_id(item)}",
                actor=actor,
                created=_when(file, where, item.get("created_at"), "created_at"),
                number=number,
                parent=f"#{number}",
                threads=threads,
                text=item.get("body"),
            )
            self._reactions(item)

    def _reviews(
        self, items: list[tuple[Path, str, dict[str, Any]]], threads: dict[int, tuple[str, bool]]
    ) -> dict[int, int]:
        reviews: dict[int, int] = {}  # review id -> pull request number
        for file, where, item in sorted(items, key=lambda t: _id(t[2])):
            number = _number(file, where, item.get("pull_request_url"))
            actor = self._user(file, where, item)
            if item.get("state") == "PENDING":
                self.sink.skipped("pending review (not submitted)")
                continue
            if number not in threads:
                self.sink.skipped("review of a pull request not in issues.json")
                continue
            if actor is None:
                self.sink.skipped("item by a deleted account")
                continue
            reviews[_id(item)] = number
            self._reply(
                activity=f"review:{_id(item)}",
                actor=actor,
                created=_when(file, where, item.get("submitted_at"), "submitted_at"),
                number=number,
                parent=f"#{number}",
                threads=threads,
                text=item.get("body"),
            )
        return reviews

    def _review_comments(
        self,
        items: list[tuple[Path, str, dict[str, Any]]],
        threads: dict[int, tuple[str, bool]],
        reviews: dict[int, int],
    ) -> None:
        done: set[int] = set()
        for file, where, item in sorted(items, key=lambda t: _id(t[2])):
            number = _number(file, where, item.get("pull_request_url"))
            actor = self._user(file, where, item)
            if number not in threads:
                self.sink.skipped("review comment on a pull request not in issues.json")
                continue
            if actor is None:
                self.sink.skipped("item by a deleted account")
                continue
            reply_to = item.get("in_reply_to_id")
            review = item.get("pull_request_review_id")
            if isinstance(reply_to, int) and reply_to in done:
                parent = f"review-comment:{reply_to}"
            elif isinstance(review, int) and review in reviews:
                parent = f"review:{review}"
            else:
                parent = f"#{number}"
            done.add(_id(item))
            self._reply(
                activity=f"review-comment:{_id(item)}",
                actor=actor,
                created=_when(file, where, item.get("created_at"), "created_at"),
                number=number,
                parent=parent,
                threads=threads,
                text=item.get("body"),
            )
            self._reactions(item)


def _id(item: dict[str, Any]) -> int:
    value = item["id"]  # checked by _Repository._items
    assert isinstance(value, int)
    return value
