"""Reader of a Stack Exchange data dump: a folder of XML files or the site's ``.7z`` archive.

Layout
------
A folder (or a ``.7z`` archive with the files at its root, as archive.org publishes one per
site, e.g. ``bicycles.stackexchange.com.7z``) holding the official dump files. ``Posts.xml``
and ``Users.xml`` are required; ``Comments.xml``, ``Votes.xml`` and ``Tags.xml`` are read when
present. The other dump files (Badges, PostHistory, PostLinks) are not read. The origin (the
site) is the folder's name, or the archive's name without ``.7z``.

Mapping
-------
- ``Users.xml`` rows are members (``Id``, ``DisplayName``, ``CreationDate`` as ``joined_at``).
  The ``Community`` user (``Id`` -1) is the site's own system account: a bot.
- ``Posts.xml``: ``PostTypeId`` 1 is a question: a thread root of kind ``post`` with
  ``is_question``. ``PostTypeId`` 2 is an answer: kind ``answer``, parent and thread its
  ``ParentId``. Every other post type (tag wikis and their excerpts, moderator nominations,
  wiki placeholders, privilege descriptions) is skipped and counted by type. An answer whose
  question is not in the dump is skipped ("answer to a question not in the dump").
- ``Comments.xml``: kind ``comment``, parent the post it is on, thread that post's question.
  A comment on a skipped post (a tag wiki, a deleted post) is skipped.
- Accepts: a question's ``AcceptedAnswerId``, or a ``Votes.xml`` row with ``VoteTypeId`` 1 on
  an answer, gives an ``accept`` interaction from the asker to the answerer. Its time is the
  accept vote's date (day-truncated in public dumps) but never earlier than the answer;
  without a vote, the answer's time. Self-accepts are skipped.
- Spaces: each tag of ``Tags.xml`` is a space of kind ``tag``; a question and everything in
  its thread belong to the question's *first* tag (``Tags`` is ``<a><b>`` in older dumps and
  ``|a|b|`` in newer ones). A question without tags has no space.
- Deleted accounts: a post or comment without ``OwnerUserId``/``UserId`` is attributed to a
  pseudo-member ``deleted:<display name>`` when the dump keeps the display name (public
  dumps keep it, e.g. ``user313``, one per deleted account), else to one pseudo-member
  ``deleted`` ("deleted user"). Threads stay whole that way; the pseudo-members are
  ordinary members in the store, recognisable by their ``source_user_id``.
- Moderators: public dumps do not say who moderates, so no roles are set.
- Text (only kept by the store on request) is the post's HTML body as the dump stores it,
  preceded by the title for a question; a comment's text is its ``Text``.

Safety
------
XML is parsed with lxml's streaming ``iterparse`` over ``<row>`` elements, each cleared after
use; entity resolution, DTD loading and network access are off, and a file declaring a
``DOCTYPE`` (no dump does) is refused before parsing, which stops entity-expansion bombs and
external entities. A ``.7z`` archive is unpacked by py7zr into a temporary folder, after
checking member names (no absolute paths, no ``..``), the declared unpacked size
(:data:`MAX_UNPACKED_BYTES`), the compression ratio (:data:`MAX_COMPRESSION_RATIO`) and the
free disk space; the unpacked sizes are checked again after extraction.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Final

from lxml import etree

from copkit.community.errors import ImportFormatError
from copkit.community.sources.base import Sink

__all__ = [
    "MAX_COMPRESSION_RATIO",
    "MAX_UNPACKED_BYTES",
    "READER",
    "StackExchangeReader",
]

MAX_UNPACKED_BYTES: Final = 64 * 2**30
"""Largest total unpacked size of the dump files read from a ``.7z`` archive."""

MAX_COMPRESSION_RATIO: Final = 100.0
"""Largest unpacked/packed size ratio accepted for a ``.7z`` archive (XML packs ~5-15x)."""

REQUIRED: Final = ("Posts.xml", "Users.xml")
OPTIONAL: Final = ("Comments.xml", "Votes.xml", "Tags.xml")

_POST_TYPES: Final = {
    "3": "orphaned tag wiki",
    "4": "tag wiki excerpt",
    "5": "tag wiki",
    "6": "moderator nomination",
    "7": "wiki placeholder",
    "8": "privilege wiki",
}
_PROLOG_BYTES: Final = 65536
_DELETED: Final = "deleted"


class StackExchangeReader:
    """Reads a Stack Exchange data dump folder or ``.7z`` archive (see the module docstring)."""

    name = "stackexchange"

    def detect(self, path: Path) -> bool:
        """True for a folder holding ``Posts.xml`` or a ``.7z`` archive listing it."""
        if path.is_dir():
            return (path / "Posts.xml").is_file()
        if path.is_file() and path.suffix.lower() == ".7z":
            try:
                names = _archive_names(path)
            except ImportFormatError:
                return False
            return "Posts.xml" in names
        return False

    def origin(self, path: Path) -> str:
        """The site: the folder's name, or the archive's name without ``.7z``."""
        if path.is_file() and path.suffix.lower() == ".7z":
            return path.stem
        return path.resolve().name

    def read(self, path: Path, sink: Sink) -> None:
        """Read the dump at ``path`` into ``sink``; bad input raises ImportFormatError."""
        if path.is_file() and path.suffix.lower() == ".7z":
            with tempfile.TemporaryDirectory(prefix="copkit-se-") as tmp:
                folder = _unpack(path, Path(tmp))
                _DumpReader(folder, sink, label=path.name).run()
            return
        if not path.is_dir():
            raise ImportFormatError(
                f"{path}: not a Stack Exchange dump: expected a folder with Posts.xml and "
                "Users.xml, or the site's .7z archive"
            )
        _DumpReader(path, sink, label=path.name).run()


READER: Final = StackExchangeReader()


# --- archive --------------------------------------------------------------------------------


def _archive_names(path: Path) -> list[str]:
    import py7zr

    try:
        with py7zr.SevenZipFile(path, "r") as archive:
            return [info.filename for info in archive.list()]
    except (py7zr.exceptions.ArchiveError, OSError, EOFError, ValueError) as exc:
        raise ImportFormatError(f"{path}: not a readable .7z archive ({exc})") from exc


def _unpack(path: Path, dest: Path) -> Path:
    import py7zr

    wanted = set(REQUIRED) | set(OPTIONAL)
    try:
        with py7zr.SevenZipFile(path, "r") as archive:
            infos = archive.list()
            targets: list[str] = []
            total = 0
            for info in infos:
                name = info.filename
                pure = PurePosixPath(name.replace("\\", "/"))
                if pure.is_absolute() or ".." in pure.parts or ":" in name:
                    raise ImportFormatError(
                        f"{path}: member {name!r} has an absolute or parent path; refusing to "
                        "unpack it"
                    )
                if info.is_directory or len(pure.parts) != 1 or pure.name not in wanted:
                    continue
                targets.append(name)
                total += int(info.uncompressed or 0)
            missing = [n for n in REQUIRED if n not in targets]
            if missing:
                raise ImportFormatError(
                    f"{path}: the archive has no {', '.join(missing)} at its root; expected a "
                    "Stack Exchange site dump (Posts.xml, Users.xml, Comments.xml, ...)"
                )
            packed = max(path.stat().st_size, 1)
            if total > MAX_UNPACKED_BYTES:
                raise ImportFormatError(
                    f"{path}: the dump files unpack to {total} bytes, over the limit of "
                    f"{MAX_UNPACKED_BYTES}; unpack it yourself and import the folder"
                )
            if total / packed > MAX_COMPRESSION_RATIO:
                raise ImportFormatError(
                    f"{path}: compression ratio {total / packed:.0f}:1 is over "
                    f"{MAX_COMPRESSION_RATIO:.0f}:1 (a zip bomb?); refusing to unpack it"
                )
            free = shutil.disk_usage(dest).free
            if total > free:
                raise ImportFormatError(
                    f"{path}: unpacking needs {total} bytes but {dest} has {free} free; set "
                    "TMPDIR to a larger disk or unpack it yourself and import the folder"
                )
            archive.extract(path=dest, targets=targets)
    except ImportFormatError:
        raise
    except (py7zr.exceptions.ArchiveError, OSError, EOFError, ValueError, KeyError) as exc:
        raise ImportFormatError(f"{path}: cannot unpack the .7z archive ({exc})") from exc
    unpacked = sum((dest / n).stat().st_size for n in targets if (dest / n).is_file())
    if unpacked > total:
        raise ImportFormatError(
            f"{path}: the archive unpacked to more than it declared; refusing to read it"
        )
    return dest


# --- XML streaming ----------------------------------------------------------------------------


def _check_prolog(path: Path, head: bytes) -> None:
    """Refuse a DTD (entity bombs, external entities) before any parsing happens."""
    text = head.decode("utf-8", errors="replace")
    root = -1
    pos = 0
    while True:
        pos = text.find("<", pos)
        if pos < 0 or pos + 1 >= len(text):
            break
        nxt = text[pos + 1]
        if nxt.isalpha() or nxt == "_":
            root = pos
            break
        pos += 1
    prolog = text if root < 0 else text[:root]
    if "<!DOCTYPE" in prolog or "<!ENTITY" in prolog:
        line = prolog[: prolog.find("<!")].count("\n") + 1
        raise ImportFormatError(
            f"{path.name}: line {line}: the file declares a DTD (DOCTYPE); Stack Exchange dumps "
            "never do and entity declarations are refused for safety"
        )
    if root < 0 and len(head) >= _PROLOG_BYTES:
        raise ImportFormatError(
            f"{path.name}: line 1: no root element in the first {_PROLOG_BYTES} bytes; "
            "not a Stack Exchange dump file"
        )


def _rows(path: Path) -> Iterator[etree._Element]:
    """Yield each ``<row>`` element of ``path``; the caller must not keep it."""
    try:
        handle: IO[bytes] = path.open("rb")
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot open ({exc.strerror})") from exc
    with handle:
        _check_prolog(path, handle.read(_PROLOG_BYTES))
        handle.seek(0)
        parser = etree.iterparse(
            handle,
            events=("end",),
            tag="row",
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
        )
        try:
            for _event, element in parser:
                yield element
                parent = element.getparent()
                if parent is not None:
                    parent.remove(element)  # what was read is dropped: memory stays flat
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if exc.lineno else "?"
            raise ImportFormatError(
                f"{path.name}: line {line}: invalid XML ({exc.msg}); the file may be truncated "
                "or damaged: download the dump again"
            ) from exc


def _when(path: Path, row: etree._Element, attr: str) -> datetime:
    value = row.get(attr)
    try:
        return datetime.fromisoformat(value + "+00:00")
    except (TypeError, ValueError):
        pass  # missing, malformed, or with its own offset: the careful path below
    if value is None:
        raise ImportFormatError(f"{path.name}: line {row.sourceline}: row without {attr}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ImportFormatError(
            f"{path.name}: line {row.sourceline}: {attr}={value!r} is not an ISO date-time"
        ) from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _int(path: Path, row: etree._Element, attr: str) -> int:
    value = row.get(attr)
    try:
        return int(value)
    except (TypeError, ValueError):
        pass  # missing or malformed: the careful path below
    if value is None:
        raise ImportFormatError(f"{path.name}: line {row.sourceline}: row without {attr}")
    try:
        return int(value)
    except ValueError as exc:
        raise ImportFormatError(
            f"{path.name}: line {row.sourceline}: {attr}={value!r} is not an integer"
        ) from exc


def _opt_int(path: Path, row: etree._Element, attr: str) -> int | None:
    if row.get(attr) in (None, ""):
        return None
    return _int(path, row, attr)


def _tags(value: str | None) -> list[str]:
    """Tag names of a question: ``<a><b>`` (older dumps) or ``|a|b|`` (newer ones)."""
    if not value:
        return []
    if value.startswith("<"):
        return [t for t in value[1:-1].split("><") if t]
    return [t for t in value.split("|") if t]


class _DumpReader:
    """One pass over one dump folder."""

    def __init__(self, folder: Path, sink: Sink, *, label: str) -> None:
        self.folder = folder
        self.sink = sink
        self.label = label
        self.users: set[int] = set()
        self.pseudo: set[str] = set()
        self.spaces: set[str] = set()
        # question id -> (asker, space); answer id -> question id
        self.questions: dict[int, tuple[str, str | None]] = {}
        self.answers: dict[int, int] = {}
        self.comments: set[int] = set()
        self.accepted: dict[int, int] = {}  # answer id -> question id (AcceptedAnswerId)
        self.accept_votes: dict[int, datetime] = {}  # answer id -> accept vote date

    def _file(self, name: str, *, required: bool) -> Path | None:
        path = self.folder / name
        if path.is_file():
            return path
        if required:
            raise ImportFormatError(
                f"{self.label}: {name} is missing; a Stack Exchange dump needs Posts.xml and "
                "Users.xml (plus Comments.xml, Votes.xml and Tags.xml when available)"
            )
        return None

    def run(self) -> None:
        posts = self._file("Posts.xml", required=True)
        users = self._file("Users.xml", required=True)
        assert posts is not None and users is not None
        votes = self._file("Votes.xml", required=False)
        if votes is not None:
            self._read_votes(votes)
        self._read_users(users)
        tags = self._file("Tags.xml", required=False)
        if tags is not None:
            self._read_tags(tags)
        self._read_posts(posts)
        comments = self._file("Comments.xml", required=False)
        if comments is not None:
            self._read_comments(comments)

    # users and actors

    def _read_users(self, path: Path) -> None:
        for row in _rows(path):
            user = _int(path, row, "Id")
            joined = _when(path, row, "CreationDate") if row.get("CreationDate") else None
            if user in self.users:
                self.sink.skipped("duplicate user Id")
                continue
            self.users.add(user)
            self.sink.member(
                user=str(user),
                name=row.get("DisplayName"),
                is_bot=user == -1,
                joined_at=joined,
            )

    def _actor(self, path: Path, row: etree._Element, id_attr: str, name_attr: str) -> str:
        value = row.get(id_attr)
        if value:
            try:
                user = int(value)
            except ValueError as exc:
                raise ImportFormatError(
                    f"{path.name}: line {row.sourceline}: {id_attr}={value!r} is not an integer"
                ) from exc
            if user not in self.users:
                self.users.add(user)
                self.sink.member(user=str(user))
            return str(user)
        display = row.get(name_attr)
        key = f"{_DELETED}:{display}" if display else _DELETED
        if key not in self.pseudo:
            self.pseudo.add(key)
            self.sink.member(user=key, name=display or "deleted user")
        return key

    # spaces

    def _read_tags(self, path: Path) -> None:
        for row in _rows(path):
            name = row.get("TagName")
            if not name:
                raise ImportFormatError(f"{path.name}: line {row.sourceline}: row without TagName")
            self._space(name)

    def _space(self, name: str) -> str:
        if name not in self.spaces:
            self.spaces.add(name)
            self.sink.space(space=name, name=name, kind="tag")
        return name

    # votes, posts, comments

    def _read_votes(self, path: Path) -> None:
        for row in _rows(path):
            if row.get("VoteTypeId") != "1":
                continue
            post = _int(path, row, "PostId")
            self.accept_votes[post] = _when(path, row, "CreationDate")

    def _read_posts(self, path: Path) -> None:
        sink = self.sink
        for row in _rows(path):
            kind = row.get("PostTypeId")
            if kind == "1":
                post = _int(path, row, "Id")
                if post in self.questions or post in self.answers:
                    sink.skipped("duplicate post Id")
                    continue
                created = _when(path, row, "CreationDate")
                actor = self._actor(path, row, "OwnerUserId", "OwnerDisplayName")
                tags = _tags(row.get("Tags"))
                space = self._space(tags[0]) if tags else None
                accepted = _opt_int(path, row, "AcceptedAnswerId")
                if accepted is not None:
                    self.accepted[accepted] = post
                self.questions[post] = (actor, space)
                title = row.get("Title") or ""
                body = row.get("Body") or ""
                text = f"{title}\n\n{body}" if title else body
                sink.activity(
                    activity=str(post),
                    actor=actor,
                    created_at=created,
                    kind="post",
                    space=space,
                    is_question=True,
                    text=text,
                )
            elif kind == "2":
                post = _int(path, row, "Id")
                if post in self.questions or post in self.answers:
                    sink.skipped("duplicate post Id")
                    continue
                created = _when(path, row, "CreationDate")
                question = _int(path, row, "ParentId")
                found = self.questions.get(question)
                if found is None:
                    sink.skipped("answer to a question not in the dump")
                    continue
                asker, space = found
                actor = self._actor(path, row, "OwnerUserId", "OwnerDisplayName")
                self.answers[post] = question
                sink.activity(
                    activity=str(post),
                    actor=actor,
                    created_at=created,
                    kind="answer",
                    space=space,
                    thread=str(question),
                    parent=str(question),
                    text=row.get("Body") or "",
                )
                self._accept(post, question, asker, actor, created)
            elif kind is None:
                raise ImportFormatError(
                    f"{path.name}: line {row.sourceline}: row without PostTypeId"
                )
            else:
                label = _POST_TYPES.get(kind, "unknown type")
                sink.skipped(f"post type {kind} ({label}): not a question or answer")

    def _accept(
        self, answer: int, question: int, asker: str, answerer: str, created: datetime
    ) -> None:
        vote = self.accept_votes.get(answer)
        if self.accepted.get(answer) != question and vote is None:
            return
        if asker == answerer:
            self.sink.skipped("self-accept (asker accepted their own answer)")
            return
        when = created if vote is None else max(vote, created)
        self.sink.interaction(
            actor=asker, target=answerer, activity=str(answer), kind="accept", created_at=when
        )

    def _read_comments(self, path: Path) -> None:
        sink = self.sink
        for row in _rows(path):
            comment = _int(path, row, "Id")
            if comment in self.comments:
                sink.skipped("duplicate comment Id")
                continue
            post = _int(path, row, "PostId")
            created = _when(path, row, "CreationDate")
            question = post if post in self.questions else self.answers.get(post)
            if question is None:
                sink.skipped("comment on a post that is not an imported question or answer")
                continue
            self.comments.add(comment)
            actor = self._actor(path, row, "UserId", "UserDisplayName")
            sink.activity(
                activity=f"c{comment}",
                actor=actor,
                created_at=created,
                kind="comment",
                space=self.questions[question][1],
                thread=str(question),
                parent=str(post),
                text=row.get("Text") or "",
            )
