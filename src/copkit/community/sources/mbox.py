"""Mailing-list reader: an mbox file (mboxo or mboxrd) or a folder of them.

The file is streamed in large binary chunks and split at ``From `` separator lines that start
the file or follow a blank line; only the headers copkit needs are decoded, and the body only
as far as finding its first ``text/plain`` part (for the length, and the text when kept).

Mapping
-------
- The list is the origin and one space of kind ``list``: ``List-Id`` (else the ``List-Post``
  address, else the file or folder name).
- Each message is an activity whose source id is its ``Message-ID`` (a message without one
  gets ``no-id:<hash of its headers>``). A message seen twice (same Message-ID, in one file or
  across files) is dropped and counted as ``duplicate``.
- Parent: the first id in ``In-Reply-To``, else the last in ``References``. Thread: the first id
  in ``References``, else the parent's thread, else the message itself. A message with a
  parent is a ``reply``, otherwise a ``post``; a post ``is_question`` when its subject has ``?``.
- Actor: the ``From`` address, lower-cased, with its display name. When a list rewrote the
  sender for DMARC (``"Name via List" <list@host>``), the person is recovered from
  ``X-Original-From``, else from ``Reply-To``; when neither names another address, the actor
  is the display name before " via ".
- Time: ``Date`` (a date without zone is UTC); when it is unreadable, the ``From `` line's date.
  A message with neither is skipped as ``no usable date``.
- Encodings: RFC 2047 encoded words are decoded; raw 8-bit headers are read as UTF-8, falling
  back to Latin-1; body text uses its declared charset, unknown charsets and bad bytes
  falling back to UTF-8 with U+FFFD replacement characters. None of this stops an import.
- Files in a folder that do not start like an mbox are skipped as ``not an mbox file``.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO, Final, NamedTuple

from copkit.community.errors import ImportFormatError
from copkit.community.sources import workers
from copkit.community.sources.base import Sink
from copkit.community.sources.workers import equal_part, ordered_map, read_range, worker_count

__all__ = ["READER", "MboxReader"]

_CHUNK: Final = 16 * 1024 * 1024
_WANTED: Final = frozenset(
    {
        b"message-id", b"in-reply-to", b"references", b"from", b"reply-to", b"x-original-from",
        b"date", b"subject", b"content-type", b"content-transfer-encoding", b"list-id",
        b"list-post",
    }
)  # fmt: skip
_PART_HEADERS: Final = frozenset({b"content-type", b"content-transfer-encoding"})
_MSGID: Final = re.compile(r"<([^<>\s]+)>")
_VIA: Final = re.compile(r"^\s*\"?(?P<name>.+?)\s+via\s+[^<>]+?\"?\s*$", re.IGNORECASE)
_PARAM: Final = re.compile(r"""(?i);\s*([a-z0-9*_-]+)\s*=\s*(?:"([^"]*)"|([^;\s]*))""")
_FROM_LINE_DATE: Final = re.compile(rb"^From \S+\s+(.+?)\s*$")
_HEAD_SAMPLE: Final = 512 * 1024


def _text(raw: bytes) -> str:
    """Header bytes as text: UTF-8, falling back to Latin-1; RFC 2047 words decoded."""
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:
        value = raw.decode("latin-1")
    value = " ".join(value.split())
    if "=?" in value:
        with contextlib.suppress(HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
            value = str(make_header(decode_header(value)))
    return value


def _header_pattern(names: frozenset[bytes]) -> re.Pattern[bytes]:
    alternatives = b"|".join(re.escape(n) for n in sorted(names))
    # on the lower-cased head after a newline: a wanted name, blanks, a colon, the value,
    # then the folded continuation lines (those starting with a space or a tab)
    return re.compile(rb"\n(" + alternatives + rb")[ \t\r\f\v]*:([^\n]*)((?:\n[ \t][^\n]*)*)")


_HEADER_LINES: Final = {names: _header_pattern(names) for names in (_WANTED, _PART_HEADERS)}


def _headers(head: bytes, wanted: frozenset[bytes] = _WANTED) -> dict[str, bytes]:
    """The first value of each wanted header (folded lines joined), by lower-case name."""
    found: dict[str, bytes] = {}
    # matched on a lower-cased copy (one fast scan from newline to newline); the values are
    # taken from ``head`` itself, whose offsets are one less
    for match in _HEADER_LINES[wanted].finditer(b"\n" + head.lower()):
        key = match.group(1).decode("ascii")
        if key in found:
            continue
        start, end = match.span(2)
        value = head[start - 1 : end - 1].strip()
        start, end = match.span(3)
        if end > start:
            for line in head[start - 1 : end - 1].split(b"\n")[1:]:
                value += b" " + line.strip()
        found[key] = value
    return found


def _split_head(data: bytes, start: int = 0) -> tuple[bytes, bytes]:
    """(headers, body) of ``data[start:]`` at its first blank line (LF or CRLF)."""
    lf = data.find(b"\n\n", start)
    # only a CRLF blank line before the LF one matters: do not scan a long body for it
    crlf = data.find(b"\r\n\r\n", start, lf + 3) if lf >= 0 else data.find(b"\r\n\r\n", start)
    if crlf >= 0 and (lf < 0 or crlf < lf):
        return data[start:crlf], data[crlf + 4 :]
    if lf >= 0:
        return data[start:lf], data[lf + 2 :]
    return data[start:], b""


def _content_type(raw: bytes | None) -> tuple[str, dict[str, str]]:
    if raw is None:
        return "text/plain", {}
    value = _text(raw)
    kind = value.split(";", 1)[0].strip().lower() or "text/plain"
    params = {m.group(1).lower(): m.group(2) or m.group(3) or "" for m in _PARAM.finditer(value)}
    return kind, params


def _decode_body(body: bytes, encoding: bytes | None, charset: str) -> str:
    transfer = (encoding or b"").strip().lower()
    try:
        if transfer == b"base64":
            body = binascii.a2b_base64(body)
        elif transfer == b"quoted-printable":
            body = binascii.a2b_qp(body)
    except (binascii.Error, ValueError):
        pass
    try:
        return body.decode(charset or "utf-8", "replace")
    except LookupError:
        return body.decode("utf-8", "replace")


def _plain(headers: dict[str, bytes], body: bytes, depth: int = 0) -> str | None:
    """The first text/plain part of a message body (None when it has none)."""
    kind, params = _content_type(headers.get("content-type"))
    if kind.startswith("multipart/") and params.get("boundary") and depth < 8:
        delimiter = b"--" + params["boundary"].encode("latin-1", "replace")
        # the parts between delimiters, found one at a time: attachments after the text part
        # are never copied
        pos = body.find(delimiter)
        while pos >= 0:
            start = pos + len(delimiter)
            pos = body.find(delimiter, start)
            part = body[start:pos] if pos >= 0 else body[start:]
            if part.startswith(b"--"):
                break
            part_head, part_body = _split_head(part[part.find(b"\n") + 1 :])
            found = _plain(_headers(part_head, _PART_HEADERS), part_body, depth + 1)
            if found is not None:
                return found
        return None
    if kind == "text/plain":
        return _decode_body(
            body, headers.get("content-transfer-encoding"), params.get("charset", "")
        )
    return None


def _separators(data: bytes) -> Iterator[tuple[int, int]]:
    """(end of the previous message, start of the next) for each separator in ``data``."""
    pos = data.find(b"\nFrom ")
    while pos >= 0:
        if data[pos - 1 : pos] == b"\n":
            yield pos - 1, pos + 1
        elif data[pos - 3 : pos] == b"\r\n\r":
            yield pos - 3, pos + 1
        pos = data.find(b"\nFrom ", pos + 6)


def _messages(handle: BinaryIO) -> Iterator[bytes]:
    """The raw messages of an mbox stream, each starting with its ``From `` line."""
    rest = b""
    while True:
        chunk = handle.read(_CHUNK)
        if not chunk:
            break
        data = rest + chunk if rest else chunk
        start = 0
        for end, begin in _separators(data):
            if end > start:
                yield data[start:end]
            start = begin
        rest = data[start:]
    if rest.strip():
        yield rest


def _is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError:
        return False
    return head == b"From "


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    return [path]


_SIMPLE_ADDRESS: Final = re.compile(r'^\s*"?([^"<>,]*?)"?\s*<([^<>@\s,]+@[^<>\s,]+)>\s*$')


def _address(raw: bytes | None) -> tuple[str, str]:
    """(display name, lower-cased address) of a header; empty strings when absent."""
    if raw is None:
        return "", ""
    value = _text(raw)
    simple = _SIMPLE_ADDRESS.match(value)
    if simple:
        return simple.group(1).strip(), simple.group(2).strip().lower()
    pairs = getaddresses([value])
    if not pairs:
        return "", ""
    name, address = pairs[0]
    return name.strip(), address.strip().lower()


class MboxReader:
    """Reads mailing-list archives in mbox format (see the module docstring)."""

    name = "mbox"
    parallel = True  # big archives are parsed by worker processes of its own

    def detect(self, path: Path) -> bool:
        """A file starting with ``From ``, or a folder holding at least one."""
        if path.is_dir():
            return any(_is_mbox(p) for p in _files(path)[:50])
        return _is_mbox(path)

    def origin(self, path: Path) -> str:
        """The list: its List-Id, else its List-Post address, else the file or folder name."""
        for file in _files(path):
            if not _is_mbox(file):
                continue
            with file.open("rb") as handle:
                sample = handle.read(_HEAD_SAMPLE)
            found = _headers(_split_head(sample)[0])
            if "list-id" in found:
                ids: list[str] = re.findall(r"<([^<>]+)>", _text(found["list-id"]))
                if ids:
                    return "list " + ids[0].strip().lower()
            if "list-post" in found:
                match = re.search(r"mailto:([^>\s]+)", _text(found["list-post"]), re.IGNORECASE)
                if match:
                    return "list " + match.group(1).lower()
            break
        return "list " + (path.name if path.is_dir() else path.stem)

    def read(self, path: Path, sink: Sink) -> None:
        """Read every message into ``sink``.

        Big archives are parsed by worker processes, a chunk each (see :func:`_chunks`);
        what the messages mean (duplicates, threads) is decided here, in archive order, so
        the sink gets exactly the calls a single process would make.
        """
        origin = self.origin(path)
        sink.space(space=origin, name=origin.removeprefix("list "), kind="list")
        run = _Run(sink, origin)
        files = _files(path)
        if not files:
            raise ImportFormatError(f"{path}: the folder is empty; expected mbox files.")
        tasks: list[tuple[Path, int, int, bool]] = []
        keep_text = bool(getattr(sink, "keep_text", True))
        for file in files:
            if not _is_mbox(file):
                if path.is_dir():
                    sink.skipped("not an mbox file")
                    continue
                raise ImportFormatError(f"{file}: not an mbox file (it must start with 'From ').")
            tasks.extend(
                (file, start, stop, keep_text) for start, stop in _chunks(file, CHUNK_BYTES)
            )
        total = sum(task[2] - task[1] for task in tasks)
        workers = worker_count() if total >= PARALLEL_MIN_BYTES else 1
        for parsed in ordered_map(_parse_range, tasks, workers):
            for message in parsed:
                run.apply(message)


# --- parsing in chunks, in worker processes for big archives ----------------------------------

CHUNK_BYTES = 32 * 2**20
"""Nominal size of the byte ranges an archive is parsed in (cut at message boundaries)."""

PARALLEL_MIN_BYTES = workers.PARALLEL_MIN_BYTES


class _Parsed(NamedTuple):
    """What one message says, before the archive-wide rules (duplicates, threads)."""

    own: str
    when: datetime | None
    parent: str | None
    first_reference: str | None
    user: str
    name: str
    address: str
    is_question: bool
    text: str | None
    length: int | None


def _parse(raw: bytes, keep_text: bool) -> _Parsed:
    """One raw message (from its ``From `` line on) as a :class:`_Parsed`."""
    line_end = raw.find(b"\n")
    from_line = raw[:line_end] if line_end >= 0 else raw
    head, body = _split_head(raw, line_end + 1) if line_end >= 0 else (b"", b"")
    headers = _headers(head)
    ids = _MSGID.findall(_text(headers["message-id"])) if "message-id" in headers else []
    own = ids[0] if ids else "no-id:" + hashlib.sha256(head).hexdigest()[:32]
    when = _Run._when(headers.get("date"), from_line)
    replied = _MSGID.findall(_text(headers["in-reply-to"])) if "in-reply-to" in headers else []
    refs = _MSGID.findall(_text(headers["references"])) if "references" in headers else []
    refs = [r for r in refs if r != own]
    parent = replied[0] if replied and replied[0] != own else (refs[-1] if refs else None)
    user, name, address = _Run._actor(headers)
    subject = _text(headers["subject"]) if "subject" in headers else ""
    text = _plain(headers, body)
    if text is not None and ">From " in text:
        text = re.sub(r"(?m)^>(>*From )", r"\1", text)
    if keep_text:
        return _Parsed(own, when, parent, refs[0] if refs else None, user, name, address,
                       parent is None and "?" in subject, text, None)  # fmt: skip
    return _Parsed(own, when, parent, refs[0] if refs else None, user, name, address,
                   parent is None and "?" in subject, None, len(text) if text else 0)  # fmt: skip


def _boundary(handle: BinaryIO, offset: int) -> tuple[int, int] | None:
    """(end of the message before, start of the next) of the first separator whose next
    message starts at or after ``offset``; None when there is none."""
    base = max(0, offset - 4)
    handle.seek(base)
    data = handle.read(_BOUNDARY_WINDOW)
    start = max(0, offset - 1 - base)
    while data:
        pos = data.find(b"\nFrom ", start)
        while pos >= 0:
            # the same test as _separators: a blank line (LF or CRLF) before ``From ``
            if pos >= 1 and data[pos - 1 : pos] == b"\n":
                return base + pos - 1, base + pos + 1
            if pos >= 3 and data[pos - 3 : pos] == b"\r\n\r":
                return base + pos - 3, base + pos + 1
            pos = data.find(b"\nFrom ", pos + 6)
        more = handle.read(_BOUNDARY_WINDOW)
        if not more:
            return None
        # keep 8 bytes: a separator across the two reads is found from position 3 on, and
        # one found already (at 0 to 2) is not found again
        base += len(data) - 8
        data = data[-8:] + more
        start = 3
    return None


_BOUNDARY_WINDOW: Final = 1024 * 1024


def _chunks(file: Path, size: int) -> list[tuple[int, int]]:
    """Byte ranges of ``file`` of about ``size`` bytes, each holding whole messages exactly
    as :func:`_messages` would cut them from the whole file."""
    try:
        total = file.stat().st_size
        size = equal_part(total, size)
        ranges: list[tuple[int, int]] = []
        start = 0
        with file.open("rb") as handle:
            while start + size < total:
                found = _boundary(handle, start + size)
                if found is None:
                    break
                ranges.append((start, found[0]))
                start = found[1]
    except OSError as exc:
        raise ImportFormatError(f"{file}: cannot be read ({exc}).") from exc
    ranges.append((start, total))
    return ranges


def _parse_range(file: Path, start: int, stop: int, keep_text: bool) -> list[_Parsed]:
    """Every message in bytes ``start`` to ``stop`` of ``file`` (a range of :func:`_chunks`)."""
    data = read_range(file, start, stop, str(file))
    parsed = []
    begin = 0
    for end, after in _separators(data):  # as _messages cuts them, without copying the range
        if end > begin:
            parsed.append(_parse(data[begin:end], keep_text))
        begin = after
    if data[begin:].strip():
        parsed.append(_parse(data[begin:], keep_text))
    return parsed


class _Run:
    """The archive-wide rules, applied to parsed messages in archive order."""

    def __init__(self, sink: Sink, origin: str) -> None:
        self.sink = sink
        self.space = origin
        self.seen: set[str] = set()
        self.threads: dict[str, str] = {}

    def apply(self, message: _Parsed) -> None:
        own, when, parent = message.own, message.when, message.parent
        if own in self.seen:
            self.sink.skipped("duplicate")
            return
        if when is None:
            self.sink.skipped("no usable date")
            return
        self.seen.add(own)
        if parent is None:
            thread = own
        elif message.first_reference is not None:
            thread = message.first_reference
        else:
            thread = self.threads.get(parent, parent)
        self.threads[own] = thread
        if not message.user:
            self.sink.skipped("no sender")
            return
        self.sink.member(
            user=message.user, name=message.name or None, email=message.address or None
        )
        self.sink.activity(
            activity=own,
            actor=message.user,
            created_at=when,
            kind="reply" if parent else "post",
            space=self.space,
            thread=thread,
            parent=parent,
            is_question=message.is_question,
            text=message.text,
            length=message.length,
        )

    @staticmethod
    def _when(raw: bytes | None, from_line: bytes) -> datetime | None:
        candidates: list[str] = []
        if raw is not None:
            candidates.append(_text(raw))
        match = _FROM_LINE_DATE.match(from_line.rstrip(b"\r"))
        if match:
            candidates.append(match.group(1).decode("latin-1"))
        for candidate in candidates:
            try:
                when = parsedate_to_datetime(candidate)
            except (TypeError, ValueError, IndexError, OverflowError):
                try:
                    when = datetime.strptime(candidate, "%a %b %d %H:%M:%S %Y")  # noqa: DTZ007
                except ValueError:
                    continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            try:
                return when.astimezone(UTC)
            except (OverflowError, ValueError):
                continue
        return None

    @staticmethod
    def _actor(headers: dict[str, bytes]) -> tuple[str, str, str]:
        """(source user id, display name, e-mail address) of the person who wrote."""
        name, address = _address(headers.get("from"))
        via = _VIA.match(name) if name else None
        if via is None:
            return (address or name.lower()), name, address
        real_name = via.group("name").strip().strip('"')
        for header in ("x-original-from", "reply-to"):
            other_name, other = _address(headers.get(header))
            if other and other != address:
                return other, other_name or real_name, other
        return real_name.lower(), real_name, ""


READER: Final = MboxReader()
