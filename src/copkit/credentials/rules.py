"""The badge rule, once, as pure functions: who may get the badge, and the criteria text."""

from __future__ import annotations

from dataclasses import dataclass

from copkit.attendance.rules import sessions_to_attend

__all__ = ["AwardDecision", "award_decision", "criteria_narrative"]


@dataclass(frozen=True)
class AwardDecision:
    """Whether an enrollment may get the badge, and what stands in the way."""

    eligible: bool
    by_override: bool
    remaining: list[str]


def award_decision(
    *,
    is_certification: bool,
    graduation_eligible: bool,
    graduation_remaining: list[str],
    assessment_complete: bool,
    assessment_remaining: list[str],
    override_reason: str = "",
) -> AwardDecision:
    """Decide the badge: certification track AND graduated AND every assessed assignment accepted.

    A staff override with a reason makes a certification-track enrollment eligible whatever the
    rest says; the open track never gets a badge.

    Examples
    --------
    >>> award_decision(is_certification=True, graduation_eligible=True, graduation_remaining=[],
    ...                assessment_complete=False, assessment_remaining=["Plan draft"]).eligible
    False
    """
    if not is_certification:
        return AwardDecision(False, False, ["not on the certification track"])
    remaining = [*graduation_remaining, *assessment_remaining]
    if not graduation_eligible and not graduation_remaining:
        remaining.insert(0, "the graduation rule is not met")
    if not assessment_complete and not assessment_remaining:
        remaining.append("assessed assignments are not all accepted")
    if override_reason.strip():
        return AwardDecision(True, True, remaining)
    return AwardDecision(graduation_eligible and assessment_complete, False, remaining)


def criteria_narrative(
    *,
    course_title: str,
    planned_sessions: int,
    absence_allowance: int,
    requires_graduation_event: bool,
    graduation_requirements: str = "",
    excused_counts_as_absence: bool = True,
) -> str:
    """State the badge criteria from the course's settings (Markdown, one requirement a line).

    Examples
    --------
    >>> print(criteria_narrative(course_title="CoP", planned_sessions=16, absence_allowance=2,
    ...       requires_graduation_event=True).splitlines()[2])
    1. Attend at least 14 of the 16 planned sessions (at most 2 absences).
    """
    needed = sessions_to_attend(planned=planned_sessions, absence_allowance=absence_allowance)
    lines = [
        f"Awarded to participants on the certification track of {course_title} who complete "
        "every course requirement:",
        "",
        f"1. Attend at least {needed} of the {planned_sessions} planned sessions "
        f"(at most {absence_allowance} absences).",
    ]
    if not excused_counts_as_absence:
        lines.append("   Excused absences do not count against the allowance.")
    number = 2
    if requires_graduation_event:
        lines.append(f"{number}. Take part in the final graduation event.")
        number += 1
    lines.append(f"{number}. Have every assessed assignment accepted.")
    if graduation_requirements.strip():
        lines += ["", f"From the course page: {graduation_requirements.strip()}"]
    return "\n".join(lines)
