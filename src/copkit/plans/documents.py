"""The plan as a document: its six sections as data, rendered as HTML, Markdown or PDF.

Sections 1-3 reuse the community report's sections (``copkit.community.report``: the same
figures, charts, explanations and concepts), trimmed of the tables that list members one
by one. Every format reads the same :class:`PlanDocument`, so they always say the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any, Final

from django.template.loader import render_to_string

from copkit.community.report.model import Concept, ConceptIndex, Section, Table, concept_from
from copkit.community.report.render import pdf_from_html
from copkit.community.report.sections import build_report
from copkit.coursework.models import WorksheetField
from copkit.coursework.selectors import worksheet_answers
from copkit.errors import ApplicationError
from copkit.plans.measures import measure, measure_value
from copkit.plans.models import Plan
from copkit.theory import concept as theory_concept

__all__ = [
    "FORMATS",
    "TITLES",
    "GoalRow",
    "PlanDocument",
    "PlanSection",
    "TopicAnswers",
    "plan_document",
    "render",
]

FORMATS: Final = ("html", "md", "pdf")

NO_ANALYSIS: Final = (
    "No analysis linked yet: link one of your analysed communities to the plan and this "
    "section shows its figures."
)
LEVELS: Final = (
    "Not everyone takes part in the same way, and that is healthy. The core group keeps the "
    "community going, active members take part regularly, occasional members now and then, "
    "peripheral members mostly watch and learn, and transactional participants drop in for "
    "something specific. The community report lists the members whom the two views below "
    "(activity share and network position) place differently."
)
"""The levels section's explanation in the plan, which does not list members one by one."""
ROLE_NAMES: Final = 3
"""How many members (most active first) the plan names for each role."""

TITLES: Final = {
    "community": "The community",
    "participation": "Participation and roles",
    "flows": "Knowledge flows",
    "worksheets": "What I wrote in the worksheets",
    "goals": "Goals and interventions",
    "review": "Review and next steps",
}
"""The plan's six sections, in order."""
ANALYSED: Final = ("community", "participation", "flows")
"""The sections drawn from the linked analysis."""

INTRO: Final = {
    "community": (
        "The community this plan is for, as described at enrollment, and the size of its "
        "activity in the linked analysis."
    ),
    "participation": (
        "Who takes part and how much: the levels of participation from the core group to the "
        "periphery, and the roles members play. A plan usually aims to widen the active "
        "group and to spread key roles across more people."
    ),
    "flows": (
        "How knowledge moves: how fast questions get a first answer, how many get none, who "
        "helps whom and how few people carry the answering, and whether newcomers are "
        "answered and come back."
    ),
    "worksheets": (
        "What you wrote in the course's worksheets, topic by topic: your own reading of the "
        "community, which the goals below build on."
    ),
    "goals": (
        "What you will do about it. Each goal has an intervention (what you will do), a "
        "measure from the analysis with its baseline (its value when the goal was set), a "
        "target, an owner and a due date."
    ),
    "review": "How and when you will review the plan, and the next steps.",
}


@dataclass(frozen=True)
class PlanSection:
    """One numbered section of the plan, with the report sections it shows (1-3 only)."""

    number: int
    id: str
    title: str
    explanation: str
    parts: list[Section] = dataclasses.field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class GoalRow:
    pk: int
    goal: str
    intervention: str
    measure: str
    concept: Concept | None
    baseline: str
    current: str
    target: str
    direction: str
    owner: str
    due_on: str


@dataclass(frozen=True)
class TopicAnswers:
    title: str
    answers: list[tuple[str, str]]


@dataclass(frozen=True)
class FeedbackNote:
    """A facilitator's or staff member's comment on the plan, as the plan page shows it."""

    author: str
    at: str
    body: str


@dataclass(frozen=True)
class PlanDocument:
    """Everything the templates and the Markdown writer need."""

    title: str
    learner: str
    cohort: str
    course: str
    status: str
    submitted_at: str
    updated_at: str
    community: list[tuple[str, str]]
    sections: list[PlanSection]
    worksheets: list[TopicAnswers]
    goals: list[GoalRow]
    review: str
    feedback: list[FeedbackNote] = dataclasses.field(default_factory=list)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def _roles(result: Mapping[str, Any], concepts: ConceptIndex) -> Section:
    """Notable roles: how many members hold each role, naming the most active few."""
    holders: dict[str, list[str]] = {}
    concept_ids: list[str] = []
    members = sorted(result["members"], key=lambda m: -(m.get("activities") or 0))
    for member in members:
        for role in member["roles"]:
            holders.setdefault(role["role"], []).append(str(member["display_name"]))
            if role.get("concept") and role["concept"] not in concept_ids:
                concept_ids.append(role["concept"])
    table = Table(
        caption="Notable roles",
        header=["Role", "Members", f"Most active (up to {ROLE_NAMES})"],
        rows=[
            [role.replace("_", " "), str(len(names)), ", ".join(names[:ROLE_NAMES])]
            for role, names in sorted(holders.items())
        ],
    )
    return Section(
        id="plan-roles",
        title="Notable roles",
        explanation=(
            "Roles come from what members' messages do: experts answer many different people, "
            "askers ask, connectors and brokers link people who would otherwise not meet, "
            "boundary spanners are active in several spaces, newcomers have just arrived. The "
            "community report gives the evidence for each label."
        ),
        concepts=concepts.pick(*concept_ids),
        tables=[table],
        notes=[] if holders else ["No member met the rule of any role in this window."],
    )


def _analysis_parts(result: Mapping[str, Any]) -> dict[str, list[Section]]:
    report = build_report(result)
    by_id = {s.id: s for s in report.sections}
    concepts = ConceptIndex(result["concepts"])
    return {
        "community": [by_id["summary"]],
        "participation": [
            dataclasses.replace(by_id["levels"], explanation=LEVELS, tables=[], notes=[]),
            _roles(result, concepts),
        ],
        "flows": [
            by_id["response"],
            dataclasses.replace(by_id["help"], tables=[]),
            by_id["newcomers"],
        ],
    }


def _worksheets(plan: Plan) -> list[TopicAnswers]:
    enrollment = plan.enrollment
    answers = worksheet_answers(enrollment=enrollment)
    labels = {
        (f.worksheet.topic.slug, f.key): f.label
        for f in WorksheetField.objects.filter(
            worksheet__topic__course=enrollment.cohort.course
        ).select_related("worksheet__topic")
    }
    result = []
    for topic in enrollment.cohort.course.topics.order_by("position"):
        given = answers.get(topic.slug)
        if given:
            result.append(
                TopicAnswers(
                    title=topic.title,
                    answers=[
                        (labels.get((topic.slug, key), key), str(value))
                        for key, value in given.items()
                    ],
                )
            )
    return result


def _goals(plan: Plan, analysis: Mapping[str, Any] | None) -> list[GoalRow]:
    rows = []
    for goal in plan.goals.all():
        spec = measure(goal.measure)
        current = measure_value(goal.measure, analysis)
        theory = theory_concept(spec.concept)
        rows.append(
            GoalRow(
                pk=goal.pk,
                goal=goal.goal,
                intervention=goal.intervention,
                measure=spec.label,
                concept=concept_from(
                    theory.id,
                    {
                        "name": theory.name,
                        "definition": theory.definition,
                        "source": theory.source,
                        "verified": theory.verified,
                        "url": theory.url,
                    },
                ),
                baseline=spec.format(goal.baseline)
                if goal.baseline is not None
                else goal.baseline_note or "—",
                current=spec.format(current.value) if current.value is not None else current.note,
                target=spec.format(goal.target),
                direction="lower is better" if spec.lower_is_better else "higher is better",
                owner=goal.owner,
                due_on=goal.due_on.isoformat(),
            )
        )
    return rows


def plan_document(*, plan: Plan) -> PlanDocument:
    """Gather the plan's six sections from the plan, the analysis and the worksheets."""
    enrollment = plan.enrollment
    community = plan.community
    analysis, note, parts = None, NO_ANALYSIS, {}
    if community is not None:
        analysis = community.analysis_json
        note = (
            f"{community.name} is linked but not analysed yet: analyse it and this section "
            "shows its figures."
        )
    if community is not None and analysis is not None:
        try:
            parts, note = _analysis_parts(analysis), ""
        except (KeyError, TypeError, AttributeError, ValueError):
            analysis = None
            note = (
                f"The analysis of {community.name} cannot be read by this version of copkit; "
                "analyse the community again."
            )
    facts = [
        ("Community", enrollment.community_name),
        ("Where it lives", enrollment.community_url or "—"),
        ("Your role in it", enrollment.community_role),
    ]
    if community is not None:
        facts.append(("Linked analysis", community.name))
        facts.append(("Analysed", _when(community.analysed_at) or "not yet"))
    sections = [
        PlanSection(
            number,
            section_id,
            title,
            INTRO[section_id],
            parts=parts.get(section_id, []),
            note=note if section_id in ANALYSED else "",
        )
        for number, (section_id, title) in enumerate(TITLES.items(), start=1)
    ]
    return PlanDocument(
        title=plan.title,
        learner=str(enrollment.learner),
        cohort=enrollment.cohort.name,
        course=enrollment.cohort.course.title,
        status=plan.get_status_display(),
        submitted_at=_when(plan.submitted_at),
        updated_at=_when(plan.updated_at),
        community=facts,
        sections=sections,
        worksheets=_worksheets(plan),
        goals=_goals(plan, analysis),
        review=plan.review,
        feedback=[
            FeedbackNote(
                str(note.author) if note.author else "someone", _when(note.created_at), note.body
            )
            for note in plan.feedback.select_related("author")
        ],
    )


@cache
def report_css(media: str) -> str:
    """The community report's stylesheet (and its print sheet for ``print``)."""
    folder = files("copkit.community.report").joinpath("templates")
    css = folder.joinpath("report.css").read_text(encoding="utf-8")
    if media == "print":
        css += "\n" + folder.joinpath("print.css").read_text(encoding="utf-8")
    return css


def _html(doc: PlanDocument, media: str) -> str:
    return render_to_string(
        "plans/export.html", {"doc": doc, "css": report_css(media), "media": media}
    )


def render(doc: PlanDocument, format: str) -> bytes:  # noqa: A002
    """Render the plan as a self-contained ``html`` page, ``md`` text or a ``pdf`` file."""
    if format == "md":
        from copkit.plans.markdown import plan_markdown

        return plan_markdown(doc).encode()
    if format == "html":
        return _html(doc, "screen").encode()
    if format == "pdf":
        return pdf_from_html(_html(doc, "print"))
    raise ApplicationError(f"Unknown format {format!r}: use one of {', '.join(FORMATS)}.")
