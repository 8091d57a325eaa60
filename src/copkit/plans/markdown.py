"""The plan as Markdown: the same sections as the HTML, tables as Markdown tables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from copkit.community.report.model import Concept, Section, Table
from copkit.plans.documents import PlanDocument

__all__ = ["plan_markdown"]


def _text(value: str) -> str:
    """Keep raw HTML out: a learner's ``<script>`` stays text when the Markdown is rendered."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(value: str) -> str:
    return _text(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> Iterator[str]:
    yield f"**{_text(table.caption)}**"
    yield ""
    yield "| " + " | ".join(_cell(h) for h in table.header) + " |"
    yield "|" + " --- |" * len(table.header)
    for row in table.rows or [["none", *[""] * (len(table.header) - 1)]]:
        yield "| " + " | ".join(_cell(c) for c in row) + " |"
    yield ""


def _concept(c: Concept) -> str:
    link = f" <{c.url}>" if c.url else ""
    return f"> **{_text(c.name)}**: {_text(c.definition)} *Source:* {_text(c.source)}{link}"


def _report_section(section: Section) -> Iterator[str]:
    yield f"### {_text(section.title)}"
    yield ""
    if section.explanation:
        yield _text(section.explanation)
        yield ""
    for c in section.concepts:
        yield _concept(c)
        yield ">"
    if section.concepts:
        yield ""
    for label, value in section.facts:
        yield f"- **{_text(label)}**: {_text(value)}"
    if section.facts:
        yield ""
    for chart in section.charts:
        yield from _table(chart.table)
    for table in section.tables:
        yield from _table(table)
    for note in section.notes:
        yield f"*{_text(note)}*"
        yield ""


def _lines(doc: PlanDocument) -> Iterator[str]:
    yield f"# {_text(doc.title)}"
    yield ""
    yield (
        f"{_text(doc.learner)} · {_text(doc.cohort)} ({_text(doc.course)}) · {doc.status}"
        + (f", submitted {doc.submitted_at}" if doc.submitted_at else "")
        + f" · last changed {doc.updated_at}"
    )
    yield ""
    for section in doc.sections:
        yield f"## {section.number}. {section.title}"
        yield ""
        yield section.explanation
        yield ""
        yield from _BODIES[section.id](doc)
        if section.note:
            yield f"*{_text(section.note)}*"
            yield ""
        for part in section.parts:
            yield from _report_section(part)
    if doc.feedback:
        yield "## Feedback"
        yield ""
        for note in doc.feedback:
            yield f"**{_text(note.author)}** · {note.at}"
            yield ""
            yield _text(note.body)
            yield ""


def _community(doc: PlanDocument) -> Iterator[str]:
    for label, value in doc.community:
        yield f"- **{label}**: {_text(value)}"
    yield ""


def _nothing(doc: PlanDocument) -> Iterator[str]:
    yield from ()


def _worksheets(doc: PlanDocument) -> Iterator[str]:
    for topic in doc.worksheets:
        yield f"### {_text(topic.title)}"
        yield ""
        for label, value in topic.answers:
            # a long answer's later lines stay inside its list item
            yield f"- **{_text(label)}**: " + _text(value).replace("\n", "\n  ")
        yield ""
    if not doc.worksheets:
        yield "*No worksheet answers yet.*"
        yield ""


def _goals(doc: PlanDocument) -> Iterator[str]:
    if not doc.goals:
        yield "*No goals yet.*"
        yield ""
    for number, goal in enumerate(doc.goals, start=1):
        yield f"### Goal {number}: {_text(goal.goal)}"
        yield ""
        yield "- **Intervention**: " + _text(goal.intervention).replace("\n", "\n  ")
        yield f"- **Measure**: {_text(goal.measure)} ({goal.direction})"
        yield f"- **Baseline**: {_text(goal.baseline)}"
        yield f"- **Now**: {_text(goal.current)}"
        yield f"- **Target**: {goal.target}"
        yield f"- **Owner**: {_text(goal.owner)}"
        yield f"- **Due**: {goal.due_on}"
        yield ""
        if goal.concept:
            yield _concept(goal.concept)
            yield ""


def _review(doc: PlanDocument) -> Iterator[str]:
    yield _text(doc.review) if doc.review else "*Not written yet.*"
    yield ""


_BODIES: Final[dict[str, Callable[[PlanDocument], Iterator[str]]]] = {
    "community": _community,
    "participation": _nothing,
    "flows": _nothing,
    "worksheets": _worksheets,
    "goals": _goals,
    "review": _review,
}


def plan_markdown(doc: PlanDocument) -> str:
    """The plan as one Markdown document."""
    return "\n".join(_lines(doc))
