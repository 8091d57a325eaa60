"""Load the program and course catalog from seed data (JSON), idempotently.

The built-in seed is ``seed/catalog.json`` beside this module: the Community Manager
Certification Program and its three courses as the CoP course page describes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction

from copkit.academy.models import Course, Program, SyllabusTopic
from copkit.errors import ApplicationError

__all__ = ["CatalogLoadResult", "catalog_load"]

_TEXT_LIST_FIELDS = ("outputs", "instructors", "included_for_all", "included_for_certification")
_COURSE_FIELDS = (
    "title",
    "short_name",
    "kind",
    "status",
    "summary",
    "overview",
    "audience",
    "open_to_non_certification",
    "prerequisites_note",
    "requires_active_community",
    "format_published",
    "weeks",
    "sessions_per_week",
    "session_minutes",
    "graduation_requirements",
    "absence_allowance",
    "requires_graduation_event",
    "syllabus_note",
    "course_text",
    "price",
)


# --------------------------------------------------------------------------- catalog


@dataclass(frozen=True)
class CatalogLoadResult:
    """What :func:`catalog_load` created or updated."""

    program: str
    courses: list[str]
    topics: int


def _seed_text(path: Path | None) -> tuple[str, str]:
    if path is None:
        seed = resources.files("copkit.academy") / "seed" / "catalog.json"
        return seed.read_text(encoding="utf-8"), "the built-in catalog seed"
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except OSError as exc:
        raise ApplicationError(f"Cannot read the catalog file {path}: {exc.strerror}.") from exc


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ApplicationError(f"{where}: the field {key!r} is missing.")
    return data[key]


@transaction.atomic
def catalog_load(*, path: Path | None = None) -> CatalogLoadResult:
    """Create or update the program, its courses and their syllabus topics from seed data.

    Idempotent: loading twice leaves one copy of everything. Courses are matched by slug;
    topics by (course, slug). Everything is loaded or, on an error, nothing.
    """
    text, origin = _seed_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApplicationError(
            f"{origin}: line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})."
        ) from exc
    prog = _require(data, "program", origin)
    program, _ = Program.objects.update_or_create(
        slug=_require(prog, "slug", f"{origin}: program"),
        defaults={
            "name": _require(prog, "name", f"{origin}: program"),
            "description": prog.get("description", ""),
        },
    )
    courses: dict[str, Course] = {}
    topics = 0
    course_rows = _require(data, "courses", origin)
    for index, row in enumerate(course_rows):
        where = f"{origin}: courses[{index}]"
        slug = _require(row, "slug", where)
        defaults: dict[str, Any] = {"program": program}
        for field in _COURSE_FIELDS:
            if field in row:
                defaults[field] = row[field]
        _require(row, "title", where)
        for field in _TEXT_LIST_FIELDS:
            defaults[field] = "\n".join(row.get(field, []))
        if defaults.get("kind", Course.Kind.REQUIRED) not in Course.Kind.values:
            raise ApplicationError(f"{where}: kind must be one of {', '.join(Course.Kind.values)}.")
        if defaults.get("status", Course.Status.DRAFT) not in Course.Status.values:
            raise ApplicationError(
                f"{where}: status must be one of {', '.join(Course.Status.values)}."
            )
        course, _ = Course.objects.update_or_create(slug=slug, defaults=defaults)
        courses[slug] = course
        keep = []
        for position, topic in enumerate(row.get("topics", []), start=1):
            topic_where = f"{where}.topics[{position - 1}]"
            topic_slug = _require(topic, "slug", topic_where)
            SyllabusTopic.objects.filter(course=course, position=position).exclude(
                slug=topic_slug
            ).delete()
            SyllabusTopic.objects.update_or_create(
                course=course,
                slug=topic_slug,
                defaults={
                    "position": position,
                    "title": _require(topic, "title", topic_where),
                    "objectives": "\n".join(topic.get("objectives", [])),
                },
            )
            keep.append(topic_slug)
            topics += 1
        SyllabusTopic.objects.filter(course=course).exclude(slug__in=keep).delete()
    for index, row in enumerate(course_rows):
        wanted = []
        for slug in row.get("prerequisites", []):
            if slug not in courses and not Course.objects.filter(slug=slug).exists():
                raise ApplicationError(
                    f"{origin}: courses[{index}]: prerequisite {slug!r} is not a known course."
                )
            wanted.append(courses.get(slug) or Course.objects.get(slug=slug))
        courses[row["slug"]].prerequisites.set(wanted)
    return CatalogLoadResult(program=program.slug, courses=list(courses), topics=topics)
