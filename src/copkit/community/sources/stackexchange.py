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

Big dumps
---------
Every row is first turned into a few plain values ("facts": ids, dates, owner, first tag,
text length), which go into a private DuckDB database; what they mean (the first row of an
id, answers to questions read before them, accepts, deleted accounts, comments on what was
read) is then decided there in SQL, and the result reaches the sink as Arrow batches (or as
one call per record, for a sink that is not a :class:`~copkit.community.sink.RowSink`).
A dump of :data:`PARALLEL_MIN_BYTES` or more is parsed by two worker processes. A big file is
cut into chunks of at most :data:`CHUNK_BYTES` where a ``<row`` starts, and each chunk is
parsed as a document of its own: the file's head (prolog and root start tag), the chunk, the
file's closing tag; a file whose layout does not allow that (no closing tag: truncated) is
parsed whole. Errors name the line in the file. In a votes chunk whose rows all write
``VoteTypeId`` plainly, libxml2 checks the XML and only the accept votes are parsed into
elements.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, Final, NoReturn

import pyarrow as pa
from lxml import etree

from copkit.community.errors import ImportFormatError
from copkit.community.sink import DUCK_TYPES, RAW, Collected, RowSink, arrow_array, clean
from copkit.community.sources import workers
from copkit.community.sources.base import Sink
from copkit.community.sources.workers import equal_part, ordered_map, read_range, worker_count

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
    parallel = True  # big dumps are parsed by worker processes of its own

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


class _LineError(ImportFormatError):
    """Bad input at a line of a dump file (a line of its chunk, in a worker process)."""

    def __init__(self, name: str, line: int | str, detail: str) -> None:
        super().__init__(f"{name}: line {line}: {detail}")
        self.name = name
        self.line = line
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.name, self.line, self.detail))


class _Src:
    """Where rows come from: a file's name and what to subtract from an element's line."""

    __slots__ = ("name", "shift")

    def __init__(self, name: str, shift: int = 0) -> None:
        self.name = name
        self.shift = shift

    def fail(self, row: etree._Element, detail: str) -> NoReturn:
        line = row.sourceline
        raise _LineError(self.name, line - self.shift if line else "?", detail)


def _drain(parser: Iterator[tuple[str, etree._Element]]) -> Iterator[etree._Element]:
    for _event, element in parser:
        yield element
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)  # what was read is dropped: memory stays flat


def _xml_error(src: _Src, exc: etree.XMLSyntaxError) -> _LineError:
    line = exc.lineno - src.shift if exc.lineno else "?"
    return _LineError(
        src.name,
        line,
        f"invalid XML ({exc.msg}); the file may be truncated or damaged: download the dump again",
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
        parser = etree.iterparse(handle, events=("end",), tag="row", **_SAFE)
        try:
            yield from _drain(parser)
        except etree.XMLSyntaxError as exc:
            raise _xml_error(_Src(path.name), exc) from exc


_SAFE: Final[dict[str, Any]] = {
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
    "remove_comments": True,
}
"""lxml parser options: no entities, no DTD, no network, no huge text nodes."""


def _chunk_rows(src: _Src, document: bytes) -> Iterator[etree._Element]:
    """Each ``<row>`` of a document held in memory (a chunk framed by the file's head and
    tail)."""
    parser = etree.iterparse(io.BytesIO(document), events=("end",), tag="row", **_SAFE)
    try:
        yield from _drain(parser)
    except etree.XMLSyntaxError as exc:
        raise _xml_error(src, exc) from exc


def _when(src: _Src, row: etree._Element, attr: str) -> datetime:
    value = row.get(attr)
    try:
        return datetime.fromisoformat(value + "+00:00")
    except (TypeError, ValueError):
        pass  # missing, malformed, or with its own offset: the careful path below
    if value is None:
        src.fail(row, f"row without {attr}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        src.fail(row, f"{attr}={value!r} is not an ISO date-time")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _int(src: _Src, row: etree._Element, attr: str) -> int:
    value = row.get(attr)
    try:
        return int(value)
    except (TypeError, ValueError):
        pass  # missing or malformed: the careful path below
    if value is None:
        src.fail(row, f"row without {attr}")
    try:
        return int(value)
    except ValueError:
        src.fail(row, f"{attr}={value!r} is not an integer")


def _opt_int(src: _Src, row: etree._Element, attr: str) -> int | None:
    if row.get(attr) in (None, ""):
        return None
    return _int(src, row, attr)


def _tags(value: str | None) -> list[str]:
    """Tag names of a question: ``<a><b>`` (older dumps) or ``|a|b|`` (newer ones)."""
    if not value:
        return []
    if value.startswith("<"):
        return [t for t in value[1:-1].split("><") if t]
    return [t for t in value.split("|") if t]


# --- rows to facts: pure, per row (in worker processes for big dumps) -----------------------


def _owner(src: _Src, row: etree._Element, id_attr: str, name_attr: str) -> tuple[Any, ...]:
    """(user id or None, display name of a deleted account or None)."""
    value = row.get(id_attr)
    if value:
        try:
            return int(value), None
        except ValueError:
            src.fail(row, f"{id_attr}={value!r} is not an integer")
    return None, row.get(name_attr)


def _text(text: str, keep_text: bool) -> tuple[str | None, int]:
    return (text, len(text)) if keep_text else (None, len(text))


def _user_fact(src: _Src, row: etree._Element, keep_text: bool) -> tuple[Any, ...]:
    get = row.get
    try:  # the common case in one go; anything odd takes the careful path for its message
        user = int(get("Id"))
    except (TypeError, ValueError):
        user = _int(src, row, "Id")
    joined = get("CreationDate")
    if joined:
        try:
            joined = datetime.fromisoformat(joined + "+00:00")
        except ValueError:
            joined = _when(src, row, "CreationDate")
    return (user, get("DisplayName"), joined or None)


def _vote_fact(src: _Src, row: etree._Element, keep_text: bool) -> tuple[Any, ...] | None:
    if row.get("VoteTypeId") != "1":
        return None  # only accept votes matter
    return (_int(src, row, "PostId"), _when(src, row, "CreationDate"))


def _tag_fact(src: _Src, row: etree._Element, keep_text: bool) -> tuple[Any, ...]:
    name = row.get("TagName")
    if not name:
        src.fail(row, "row without TagName")
    return (name,)


def _common(src: _Src, row: etree._Element, parent: str | None) -> tuple[Any, ...]:
    """(Id, CreationDate, ``parent`` as an int or None) of a post or comment."""
    get = row.get
    try:
        return (
            int(get("Id")),
            datetime.fromisoformat(get("CreationDate") + "+00:00"),
            int(get(parent)) if parent else None,
        )
    except (TypeError, ValueError):  # missing or malformed: the careful path says which
        return (
            _int(src, row, "Id"),
            _when(src, row, "CreationDate"),
            _int(src, row, parent) if parent else None,
        )


def _post_fact(src: _Src, row: etree._Element, keep_text: bool) -> tuple[Any, ...]:
    get = row.get
    kind = get("PostTypeId")
    if kind == "1":
        post, created, _ = _common(src, row, None)
        owner, display = _owner(src, row, "OwnerUserId", "OwnerDisplayName")
        tags = _tags(get("Tags"))
        accepted = _opt_int(src, row, "AcceptedAnswerId")
        title = get("Title") or ""
        body = get("Body") or ""
        text, length = _text(f"{title}\n\n{body}" if title else body, keep_text)
        return ("1", post, created, owner, display, tags[0] if tags else None, accepted, None,
                text, length)  # fmt: skip
    if kind == "2":
        post, created, question = _common(src, row, "ParentId")
        owner, display = _owner(src, row, "OwnerUserId", "OwnerDisplayName")
        text, length = _text(get("Body") or "", keep_text)
        return ("2", post, created, owner, display, None, None, question, text, length)
    if kind is None:
        src.fail(row, "row without PostTypeId")
    return (kind, None, None, None, None, None, None, None, None, None)


def _comment_fact(src: _Src, row: etree._Element, keep_text: bool) -> tuple[Any, ...]:
    comment, created, post = _common(src, row, "PostId")
    owner, display = _owner(src, row, "UserId", "UserDisplayName")
    text, length = _text(row.get("Text") or "", keep_text)
    return (comment, post, created, owner, display, text, length)


_I64: Final = pa.int64()
_STR: Final = pa.string()
_TIME: Final = pa.timestamp("us", tz="UTC")
_FACTS: Final = {
    "Votes.xml": (_vote_fact, "f_votes", pa.schema([("post", _I64), ("created", _TIME)])),
    "Users.xml": (
        _user_fact,
        "f_users",
        pa.schema([("id", _I64), ("name", _STR), ("joined", _TIME)]),
    ),
    "Tags.xml": (_tag_fact, "f_tags", pa.schema([("name", _STR)])),
    "Posts.xml": (
        _post_fact,
        "f_posts",
        pa.schema(
            [
                ("type", _STR),
                ("id", _I64),
                ("created", _TIME),
                ("owner", _I64),
                ("display", _STR),
                ("tag", _STR),
                ("accepted", _I64),
                ("parent", _I64),
                ("text", _STR),
                ("length", pa.int32()),
            ]
        ),
    ),
    "Comments.xml": (
        _comment_fact,
        "f_comments",
        pa.schema(
            [
                ("id", _I64),
                ("post", _I64),
                ("created", _TIME),
                ("owner", _I64),
                ("display", _STR),
                ("text", _STR),
                ("length", pa.int32()),
            ]
        ),
    ),
}
"""Each dump file read: what a row of it says (a tuple), its table and Arrow schema."""

_FACT_ROWS: Final = 50_000


def _facts_batch(name: str, facts: list[tuple[Any, ...]]) -> pa.RecordBatch:
    schema = _FACTS[name][2]
    columns = zip(*facts, strict=True) if facts else ([] for _ in schema)
    arrays = []
    for column, field in zip(columns, schema, strict=True):
        try:
            arrays.append(arrow_array(column, field.type))
        except UnicodeEncodeError:  # a lone surrogate from a character reference: U+FFFD
            arrays.append(arrow_array([clean(v) if v else v for v in column], field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _file_facts(path: Path, keep_text: bool) -> Iterator[pa.RecordBatch]:
    """The facts of a whole file, streamed, in batches."""
    fact = _FACTS[path.name][0]
    src = _Src(path.name)
    facts: list[tuple[Any, ...]] = []
    for row in _rows(path):
        found = fact(src, row, keep_text)
        if found is not None:
            facts.append(found)
            if len(facts) >= _FACT_ROWS:
                yield _facts_batch(path.name, facts)
                facts = []
    yield _facts_batch(path.name, facts)


# --- big dumps: chunks of rows, parsed by worker processes ------------------------------------

CHUNK_BYTES = 32 * 2**20
"""Nominal size of the byte ranges a big dump file is parsed in (cut where a row starts)."""

PARALLEL_MIN_BYTES = workers.PARALLEL_MIN_BYTES

_WINDOW: Final = 2**20
_HEAD_BYTES: Final = 4096
"""Longest file head sent with each chunk (a task must stay small): else parsed whole."""


def _find_row(handle: IO[bytes], offset: int, stop: int) -> int | None:
    """The position of the first ``<row`` at or after ``offset`` and before ``stop``."""
    handle.seek(offset)
    base = offset
    data = handle.read(min(_WINDOW, stop - offset))
    while data:
        pos = data.find(b"<row")
        if pos >= 0 and base + pos < stop:
            return base + pos
        base += max(len(data) - 3, 1)  # a "<row" across two reads is found in the next
        handle.seek(base)
        data = handle.read(min(_WINDOW, stop - base)) if base < stop else b""
    return None


def _file_tasks(path: Path, keep_text: bool) -> list[tuple[Any, ...]]:
    """The worker tasks for one file: whole for a small file (or one whose layout is not the
    dump's usual ``<row>`` per element between a head and a closing tag), else chunks."""
    whole = [(path, 0, -1, b"", b"", keep_text)]
    try:
        size = path.stat().st_size
        if size < 2 * CHUNK_BYTES:
            return whole
        with path.open("rb") as handle:
            head = handle.read(_PROLOG_BYTES)
            _check_prolog(path, head)
            first = head.find(b"<row")
            handle.seek(max(0, size - 4096))
            end = handle.read()
            close = end.rfind(b"</")
            if (
                not 0 <= first <= _HEAD_BYTES
                or close < 0
                or not end[close:].rstrip().endswith(b">")
            ):
                return whole  # parsed in one piece, its error (if any) reported as such
            tail_at = size - len(end) + close
            step = equal_part(tail_at, CHUNK_BYTES)
            tasks = []
            start = first
            while start + step < tail_at:
                cut = _find_row(handle, start + step, tail_at)
                if cut is None:
                    break
                tasks.append((path, start, cut, head[:first], end[close:], keep_text))
                start = cut
            tasks.append((path, start, tail_at, head[:first], end[close:], keep_text))
            return tasks
    except OSError as exc:
        raise ImportFormatError(f"{path.name}: cannot open ({exc.strerror})") from exc


def _chunk_facts(
    path: Path, start: int, stop: int, head: bytes, tail: bytes, keep_text: bool
) -> tuple[str, list[pa.RecordBatch], int]:
    """(file name, the facts of its rows in bytes ``start`` to ``stop``, newlines there).

    ``stop`` -1: the whole file. A chunk is parsed as the document head + chunk + tail, so
    the dump's own prolog and root element frame it; lines in errors are the chunk's.
    """
    if stop < 0:
        return path.name, list(_file_facts(path, keep_text)), 0
    data = read_range(path, start, stop, path.name)
    fact = _FACTS[path.name][0]
    src = _Src(path.name, head.count(b"\n"))
    newlines = data.count(b"\n")
    document = b"".join((head, data, tail))
    del data
    if path.name == "Votes.xml" and _plain_votes(document):
        facts = _accept_votes(src, document)
    else:
        facts = []
        for row in _chunk_rows(src, document):
            found = fact(src, row, keep_text)
            if found is not None:
                facts.append(found)
    return path.name, [_facts_batch(path.name, facts)], newlines


def _plain_votes(document: bytes) -> bool:
    """True when every ``<row`` of a votes document has its ``VoteTypeId`` as a plain
    double-quoted value and nothing else in it could hide a row (comments, CDATA, DTD)."""
    rows = document.count(b"<row")
    return (
        b"<!" not in document
        and document.count(b"VoteTypeId") == rows
        and document.count(b' VoteTypeId="') == rows
        and b'VoteTypeId="&' not in document
    )


def _accept_votes(src: _Src, document: bytes) -> list[tuple[Any, ...]]:
    """The accept votes of a votes document (see :func:`_plain_votes`), without building an
    element for the others: 98% of a dump's votes are not accepts.

    The document is checked as XML first (by libxml2, without Python objects), as the
    general path would; then each row holding ``VoteTypeId="1"`` is parsed on its own.
    """
    null = etree.XMLParser(target=_NoEvents(), **_SAFE)
    try:
        etree.parse(io.BytesIO(document), null)
    except etree.XMLSyntaxError as exc:
        raise _xml_error(src, exc) from exc
    facts = []
    pos = document.find(b' VoteTypeId="1"')
    while pos >= 0:
        begin = document.rfind(b"<row", 0, pos)
        end = document.find(b"<row", pos)
        if end < 0:
            end = document.rfind(b"</")
        row = etree.fromstring(b"<r>" + document[begin:end] + b"</r>", _ROW_PARSER)[0]
        try:
            found = _vote_fact(_Src(src.name), row, False)
        except _LineError as exc:
            line = document.count(b"\n", 0, begin) + 1 - src.shift
            raise _LineError(src.name, line, exc.detail) from exc
        if found is not None:
            facts.append(found)
        pos = document.find(b' VoteTypeId="1"', end)
    return facts


class _NoEvents:
    """A parser target that wants no events: libxml2 checks the document, nothing is built."""

    def close(self) -> None:
        return None


_ROW_PARSER: Final = etree.XMLParser(**_SAFE)


class _DumpReader:
    """One pass over one dump folder.

    The facts of every row go into a private in-memory DuckDB database, file by file in dump
    order (``seq``); what they mean is then decided there in SQL (:data:`_MEANING`), and the
    result goes to the sink as Arrow batches (or as calls, for a sink that is not a
    :class:`~copkit.community.sink.RowSink`).
    """

    def __init__(self, folder: Path, sink: Sink, *, label: str) -> None:
        self.folder = folder
        self.sink = sink
        self.label = label
        self.keep_text = bool(getattr(sink, "keep_text", True))
        self.size = 0  # bytes of the files read, set by run
        self.spill = True

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
        import duckdb

        for name in REQUIRED:
            self._file(name, required=True)
        files = [p for name in _FACTS if (p := self._file(name, required=False)) is not None]
        # facts without text are a few dozen bytes a row: held in Arrow up to a dump of a few
        # GB; with text, or beyond, in DuckDB tables, which spill to disk
        self.size = sum(p.stat().st_size for p in files)
        self.spill = self.keep_text or self.size > IN_MEMORY_BYTES
        with tempfile.TemporaryDirectory(prefix="copkit-se-facts-") as spill:
            con = duckdb.connect(
                config={"memory_limit": _FACTS_MEMORY, "temp_directory": spill, "threads": 2}
            )
            try:
                held = self._load(con, files)
                for name, (_, table, schema) in _FACTS.items():
                    if self.spill:
                        continue  # in DuckDB tables already
                    numbered = pa.schema([pa.field("seq", pa.int64()), *schema])
                    con.register(table, pa.Table.from_batches(held.get(name, []), numbered))
                self._decide(con)
            finally:
                con.close()

    def _load(self, con: Any, files: list[Path]) -> dict[str, list[pa.RecordBatch]]:
        """The facts of every file, numbered in dump order (``seq``): in Arrow, for DuckDB to
        read in place, or (``self.spill``) in DuckDB tables."""
        seqs: dict[str, int] = {}
        held: dict[str, list[pa.RecordBatch]] = {}
        if self.spill:
            for _, table, schema in _FACTS.values():
                columns = ", ".join(f"{f.name} {DUCK_TYPES[f.type]}" for f in schema)
                con.execute(f"CREATE TABLE {table} (seq BIGINT, {columns})")

        def store(name: str, batch: pa.RecordBatch) -> None:
            start = seqs.get(name, 0)
            seqs[name] = start + batch.num_rows
            numbered = batch.add_column(0, "seq", pa.arange(start, start + batch.num_rows))
            if not self.spill:
                held.setdefault(name, []).append(numbered)
                return
            con.register("_facts", numbered)
            try:
                con.execute(f"INSERT INTO {_FACTS[name][1]} SELECT * FROM _facts")  # noqa: S608
            finally:
                con.unregister("_facts")

        if self.size < PARALLEL_MIN_BYTES or worker_count() < 2:
            for path in files:
                for batch in _file_facts(path, self.keep_text):
                    store(path.name, batch)
            return held
        tasks = [task for path in files for task in _file_tasks(path, self.keep_text)]
        lines: dict[str, int] = {}  # newlines before the next chunk of each file
        pending = iter(tasks)
        try:
            for name, batches, newlines in ordered_map(_chunk_facts, tasks, worker_count()):
                task = next(pending)
                lines.setdefault(name, task[3].count(b"\n"))
                for batch in batches:
                    store(name, batch)
                lines[name] += newlines
        except _LineError as exc:
            task = next(pending)
            if task[2] < 0 or not isinstance(exc.line, int):
                raise
            before = lines.get(task[0].name, task[3].count(b"\n"))
            raise ImportFormatError(f"{exc.name}: line {before + exc.line}: {exc.detail}") from exc
        return held

    def _decide(self, con: Any) -> None:
        for statement in _MEANING:
            con.execute(statement)
        skips = con.execute(_SKIPS).fetchall()
        collected = Collected(
            members=[],
            batches={
                kind: _raw_batch(kind, con.sql(sql).to_arrow_table())
                for kind, sql in _OUTPUT.items()
            },
            skips={reason: int(count) for reason, count in skips if count},
            read=0,
            joins=0,
        )
        collected.read = collected.batches["activities"].num_rows
        collected.batches = {k: b for k, b in collected.batches.items() if b.num_rows}
        if isinstance(self.sink, RowSink):
            self.sink.take(collected)
        else:
            collected.replay(self.sink)


IN_MEMORY_BYTES = 4 * 2**30
"""Dumps up to this size (the files read) keep their facts in Arrow when text is not kept
(about 100 MB for a 1 GB dump); bigger ones, or with text, in DuckDB tables that spill."""

_FACTS_MEMORY: Final = "200MB"
"""DuckDB's memory for a dump's facts (it spills to a temporary folder beyond that)."""


def _raw_batch(kind: str, table: pa.Table) -> pa.RecordBatch:
    """``table`` (times in microseconds) as one batch of the sink's raw ``kind`` rows."""
    table = table.cast(RAW[kind]) if table.num_rows else RAW[kind].empty_table()
    batches = table.combine_chunks().to_batches()
    return batches[0] if batches else pa.RecordBatch.from_pylist([], schema=RAW[kind])


def _deleted(display: str) -> str:
    """SQL for the pseudo-member key of a deleted account, by its display name column."""
    return f"CASE WHEN coalesce({display}, '') <> '' THEN '{_DELETED}:' || {display} ELSE '{_DELETED}' END"  # noqa: E501


def _actor(owner: str, display: str) -> str:
    """SQL for who wrote a post or comment: the user id, else the deleted account's key."""
    return f"CASE WHEN {owner} IS NOT NULL THEN {owner}::VARCHAR ELSE {_deleted(display)} END"


_MEANING: Final = (
    # users: the first row of an id
    """CREATE TABLE users AS
    SELECT id, first(name ORDER BY seq) AS name, first(joined ORDER BY seq) AS joined,
           min(seq) AS seq, count(*) AS rows
    FROM f_users GROUP BY id""",
    # posts: the first row of an id is the one read; a question is read, an answer when its
    # question was read before it (in the file); other post types are skipped by type
    """CREATE TABLE firsts AS SELECT * FROM f_posts WHERE type IN ('1', '2')""",
    """DELETE FROM firsts WHERE (SELECT count(*) - count(DISTINCT id) FROM firsts) > 0
    AND (id, seq) NOT IN (SELECT (id, min(seq)) FROM firsts GROUP BY id)""",
    f"""CREATE TABLE questions AS
    SELECT seq, id, created, owner, display, tag, accepted, text, length,
           {_actor("owner", "display")} AS actor
    FROM firsts WHERE type = '1'""",  # noqa: S608 - constant SQL
    f"""CREATE TABLE answers AS
    SELECT a.seq, a.id, a.created, a.owner, a.display, a.parent, a.text, a.length,
           q.tag, q.actor AS asker, q.accepted = a.id AS accepted_here,
           {_actor("a.owner", "a.display")} AS actor
    FROM firsts a JOIN questions q ON q.id = a.parent AND q.seq < a.seq
    WHERE a.type = '2'""",  # noqa: S608 - constant SQL
    # accept votes: the last vote on a post
    """CREATE TABLE votes AS
    SELECT post, arg_max(created, seq) AS created FROM f_votes GROUP BY post""",
    """CREATE TABLE accepts AS
    SELECT a.seq, a.id, a.asker, a.actor,
           greatest(a.created, coalesce(v.created, a.created)) AS created
    FROM answers a LEFT JOIN votes v ON v.post = a.id
    WHERE a.accepted_here OR v.post IS NOT NULL""",
    # comments on a question or answer read; the first of an id is read
    f"""CREATE TABLE comments AS
    SELECT c.*, coalesce(q.id, a.parent) AS question, coalesce(q.tag, a.tag) AS tag,
           {_actor("c.owner", "c.display")} AS actor
    FROM f_comments c LEFT JOIN questions q ON q.id = c.post
    LEFT JOIN answers a ON a.id = c.post
    WHERE q.id IS NOT NULL OR a.id IS NOT NULL""",  # noqa: S608 - constant SQL
    # the first comment of an id is the one read (a dump repeats none: checked first)
    """DELETE FROM comments WHERE (SELECT count(*) - count(DISTINCT id) FROM comments) > 0
    AND (id, seq) NOT IN (SELECT (id, min(seq)) FROM comments GROUP BY id)""",
    # the people who wrote what was read: users, ids not in Users.xml, deleted accounts
    """CREATE TABLE writers AS
    SELECT owner, display, min(seq) AS seq FROM (
        SELECT owner, display, seq FROM questions
        UNION ALL SELECT owner, display, seq FROM answers
        UNION ALL SELECT owner, display, seq + (SELECT count(*) FROM f_posts) FROM comments
    ) GROUP BY owner, display""",
)
"""What the facts mean, in SQL (see the module docstring's mapping)."""

_OUTPUT: Final = {
    "members": f"""
        SELECT part * 4294967296 + seq AS seq, uid, name, NULL AS handle, NULL AS email,
               is_bot, joined AS joined_at, []::VARCHAR[] AS roles FROM (
            SELECT 0 AS part, seq, id::VARCHAR AS uid, nullif(name, '') AS name,
                   id = -1 AS is_bot, joined
            FROM users
            UNION ALL
            SELECT 1, min(seq), owner::VARCHAR, NULL, false, NULL FROM writers
            WHERE owner IS NOT NULL AND owner NOT IN (SELECT id FROM users) GROUP BY owner
            UNION ALL
            SELECT 2, min(seq), {_deleted("display")},
                   coalesce(nullif(display, ''), 'deleted user'), false, NULL
            FROM writers WHERE owner IS NULL GROUP BY 3, 4
        )""",  # noqa: S608 - constant SQL
    "spaces": """
        SELECT part * 4294967296 + seq AS seq, name AS space, name, 'tag' AS kind,
               NULL AS created_by FROM (
            SELECT 0 AS part, name, min(seq) AS seq FROM f_tags GROUP BY name
            UNION ALL
            SELECT 1, tag, min(seq) FROM questions
            WHERE tag IS NOT NULL AND tag NOT IN (SELECT name FROM f_tags) GROUP BY tag
        )""",
    "activities": """
        SELECT part * 4294967296 + seq AS seq, * EXCLUDE (part, seq) FROM (
            SELECT 0 AS part, seq, id::VARCHAR AS activity, actor, created AS created_at,
                   'post' AS kind, tag AS space, NULL AS thread, NULL AS parent,
                   true AS is_question, length, text FROM questions
            UNION ALL
            SELECT 0, seq, id::VARCHAR, actor, created, 'answer', tag, parent::VARCHAR,
                   parent::VARCHAR, false, length, text FROM answers
            UNION ALL
            SELECT 1, seq, 'c' || id, actor, created, 'comment', tag, question::VARCHAR,
                   post::VARCHAR, false, length, text FROM comments
        )""",
    "interactions": """
        SELECT seq, asker AS actor, actor AS target, id::VARCHAR AS activity,
               'accept' AS kind, created AS created_at
        FROM accepts WHERE asker <> actor""",
}
"""The sink's raw rows; ``seq`` orders them as a single pass over the dump would report
them (it is not dense: a file's part in the high bits)."""

_LABELS: Final = "".join(f"WHEN '{k}' THEN '{v}' " for k, v in _POST_TYPES.items())
_SKIPS: Final = (
    """
    SELECT 'duplicate user Id', sum(rows - 1) FROM users
    UNION ALL
    SELECT 'post type ' || type || ' (' || CASE type """  # noqa: S608 - constant SQL
    + _LABELS
    + """ELSE 'unknown type' END || '): not a question or answer', count(*)
    FROM f_posts WHERE type NOT IN ('1', '2') GROUP BY type
    UNION ALL
    SELECT 'duplicate post Id', (SELECT count(*) FROM f_posts WHERE type IN ('1', '2'))
        - (SELECT count(*) FROM firsts)
    UNION ALL
    SELECT 'answer to a question not in the dump',
        (SELECT count(*) FROM firsts WHERE type = '2') - (SELECT count(*) FROM answers)
    UNION ALL
    SELECT 'self-accept (asker accepted their own answer)', count(*) FROM accepts
    WHERE asker = actor
    UNION ALL
    SELECT 'duplicate comment Id',
        (SELECT count(*) FROM f_comments c WHERE c.post IN (SELECT id FROM questions)
             OR c.post IN (SELECT id FROM answers)) - (SELECT count(*) FROM comments)
    UNION ALL
    SELECT 'comment on a post that is not an imported question or answer', count(*)
    FROM f_comments c WHERE c.post NOT IN (SELECT id FROM questions)
        AND c.post NOT IN (SELECT id FROM answers)"""
)
"""Records read but not imported, by reason (as a single pass would count them)."""
