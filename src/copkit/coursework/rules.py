"""Pure coursework rules: pair rotation, upload checks, rubric parsing, review transitions.

No I/O and no database here: services and tests call these with plain values.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from pathlib import PurePath
from typing import TypeVar

from copkit.errors import ApplicationError

__all__ = [
    "ALLOWED_EXTENSIONS",
    "MAX_UPLOAD_BYTES",
    "SUBMITTABLE",
    "coworking_groups",
    "rubric_levels_parse",
    "score_check",
    "upload_check",
    "word_count",
]

T = TypeVar("T", bound=Hashable)

#: Extensions learners may upload, with the content type the file is served as.
ALLOWED_EXTENSIONS: dict[str, str] = {
    "pdf": "application/pdf",
    "txt": "text/plain",
    "md": "text/markdown",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
}
#: Largest upload accepted, per file.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Files whose first bytes must match (so a renamed executable is not accepted as a PDF).
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
}
#: Submission states from which a learner may submit (again).
SUBMITTABLE = frozenset({"draft", "submitted", "changes_requested"})

ERR_FILE_TYPE = "{name}: files of type .{ext} are not accepted; upload one of: {allowed}."
ERR_FILE_NO_EXT = "{name}: the file name has no extension; upload one of: {allowed}."
ERR_FILE_SIZE = "{name}: the file is {size:.1f} MB; the limit is {limit:.0f} MB per file."
ERR_FILE_EMPTY = "{name}: the file is empty."
ERR_FILE_CONTENT = "{name}: the content is not a .{ext} file; export it again and re-upload."


def upload_check(*, name: str, size: int, head: bytes) -> str:
    """Check an upload's name, size and first bytes; return its lower-case extension.

    Raises
    ------
    ApplicationError
        With a message naming the file and what to do, when the file is refused.
    """
    base = PurePath(name.replace("\\", "/")).name
    allowed = ", ".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)
    if "." not in base:
        raise ApplicationError(ERR_FILE_NO_EXT.format(name=base, allowed=allowed))
    ext = base.rsplit(".", 1)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise ApplicationError(ERR_FILE_TYPE.format(name=base, ext=ext, allowed=allowed))
    if size == 0:
        raise ApplicationError(ERR_FILE_EMPTY.format(name=base))
    if size > MAX_UPLOAD_BYTES:
        raise ApplicationError(
            ERR_FILE_SIZE.format(name=base, size=size / 2**20, limit=MAX_UPLOAD_BYTES / 2**20)
        )
    magic = _MAGIC.get(ext)
    if magic is not None and not head.startswith(magic):
        raise ApplicationError(ERR_FILE_CONTENT.format(name=base, ext=ext))
    return ext


def rubric_levels_parse(text: str) -> list[tuple[int, str]]:
    """Parse rubric levels written one per line as ``points: description``.

    Returns the levels sorted by points. Raises :class:`ApplicationError` naming the line
    when a line is malformed, points repeat, or there are fewer than two levels.

    Examples
    --------
    >>> rubric_levels_parse("0: Missing\\n2: Clear and specific")
    [(0, 'Missing'), (2, 'Clear and specific')]
    """
    levels: dict[int, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        points, sep, label = line.partition(":")
        if not sep or not points.strip().isdigit() or not label.strip():
            raise ApplicationError(
                f"Levels, line {number}: write 'points: description', e.g. '2: Clear and "
                f"specific' (got {line!r})."
            )
        value = int(points.strip())
        if value in levels:
            raise ApplicationError(f"Levels, line {number}: {value} points appear twice.")
        levels[value] = label.strip()
    if len(levels) < 2:
        raise ApplicationError("A criterion needs at least two levels, one per line.")
    return sorted(levels.items())


def score_check(*, criterion: str, points: int, allowed: Iterable[int]) -> None:
    """Refuse a rubric score that is not one of the criterion's level points."""
    values = sorted(allowed)
    if points not in values:
        raise ApplicationError(
            f"Score for {criterion!r} is {points}; choose one of the levels "
            f"({', '.join(str(v) for v in values)} points)."
        )


def word_count(text: str) -> int:
    """Number of whitespace-separated words in ``text``."""
    return len(text.split())


def coworking_groups(
    members: Sequence[T], *, round_index: int, history: Iterable[frozenset[T]] = ()
) -> list[tuple[T, ...]]:
    """Pairs (and one trio when the count is odd) for co-working round ``round_index``.

    The rotation is the circle method of round-robin scheduling: with an even number of
    members *n*, rounds 0 … n-2 pair everyone with everyone exactly once, so no pair repeats
    before every pair has met. With an odd count a "bye" joins the circle and the member who
    draws it joins the pair they have met least often in ``history`` (ties: the first pair),
    making a trio. A single member forms a group of one. Deterministic for equal inputs.

    Examples
    --------
    >>> coworking_groups(["a", "b", "c", "d"], round_index=0)
    [('a', 'd'), ('b', 'c')]
    >>> coworking_groups(["a", "b", "c", "d"], round_index=1)
    [('a', 'c'), ('d', 'b')]
    """
    people = list(members)
    if len(people) < 2:
        return [tuple(people)] if people else []
    bye: object = object()
    circle: list[object] = [*people, bye] if len(people) % 2 else list(people)
    n = len(circle)
    r = round_index % (n - 1)
    rotating = circle[1:]
    rotating = rotating[-r:] + rotating[:-r] if r else rotating
    order = [circle[0], *rotating]
    pairs = [(order[i], order[n - 1 - i]) for i in range(n // 2)]
    groups: list[tuple[T, ...]] = []
    lonely: T | None = None
    for a, b in pairs:
        if a is bye or b is bye:
            lonely = b if a is bye else a  # type: ignore[assignment]
        else:
            groups.append((a, b))  # type: ignore[arg-type]
    if lonely is not None:
        met = list(history)

        def times_met(group: tuple[T, ...]) -> int:
            return sum(1 for pair in met for other in group if pair == frozenset({lonely, other}))

        best = min(range(len(groups)), key=lambda i: (times_met(groups[i]), i))
        groups[best] = (*groups[best], lonely)
    return groups
