"""The graduation rule, defined once, over plain data.

The course page says: *to graduate, participants attend a majority of sessions (two absences
are permitted) and take part in a final graduation event*. :func:`graduation_standing` applies
that rule to one learner's marks and returns a :class:`Standing` that every page, export,
command and badge reads. It imports nothing from Django.

Definitions
-----------
planned
    The class sessions of the cohort that are not cancelled, held or not: the rule is computed
    against the **planned** sessions, never against the sessions held so far.
attended
    Sessions marked *present*, plus *late* when the course counts late as attended.
absences used
    Sessions marked *absent*, plus *excused* when the course counts excused toward the
    allowance, plus *late* when the course does **not** count late as attended.
unmarked
    A planned session without a mark. It counts as neither attended nor absent: it is what
    remains.
majority needed
    ``planned // 2 + 1`` sessions (a strict majority).

The learner meets the rule when ``attended >= majority needed`` and
``absences used <= allowance`` and (when the course requires it) the graduation event is marked
attended. Because unmarked sessions may still go either way:

* **eligible** means the rule is met whatever the remaining marks turn out to be (even if every
  unmarked session became an absence);
* **cannot graduate** means the rule fails whatever the remaining marks turn out to be (even if
  every unmarked session and the graduation event were attended);
* **at risk** means neither is certain yet and the learner cannot miss one more session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CourseRules",
    "Mark",
    "PlannedSession",
    "Standing",
    "StandingStatus",
    "graduation_standing",
    "majority_needed",
    "sessions_to_attend",
]


class Mark(StrEnum):
    """A learner's attendance at one session; ``UNMARKED`` is the absence of a mark."""

    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"
    UNMARKED = "unmarked"


class StandingStatus(StrEnum):
    """One word for a standing, in order of precedence."""

    NOT_PLANNED = "not_planned"
    ELIGIBLE = "eligible"
    CANNOT_GRADUATE = "cannot_graduate"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"


STATUS_LABELS: dict[StandingStatus, str] = {
    StandingStatus.NOT_PLANNED: "No sessions planned",
    StandingStatus.ELIGIBLE: "Eligible to graduate",
    StandingStatus.CANNOT_GRADUATE: "Cannot graduate",
    StandingStatus.AT_RISK: "At risk",
    StandingStatus.ON_TRACK: "On track",
}


@dataclass(frozen=True)
class CourseRules:
    """The per-course settings the rule reads (defaults are the CoP course's)."""

    absence_allowance: int = 2
    requires_graduation_event: bool = True
    late_counts_as_attended: bool = True
    excused_counts_as_absence: bool = True

    def __post_init__(self) -> None:
        if self.absence_allowance < 0:
            raise ValueError("absence_allowance must be zero or more")


@dataclass(frozen=True)
class PlannedSession:
    """A planned (not cancelled) class session: its number and a human label."""

    number: int
    label: str
    past: bool = False


@dataclass(frozen=True)
class Standing:
    """Where one learner stands against the graduation rule.

    ``remaining`` lists, human-readably, what is still open; ``reasons`` lists the conditions
    that are not met (certainly, when ``cannot_graduate``); ``explanation`` says in plain words
    how the numbers were reached.
    """

    planned: int
    majority_needed: int
    attended: int
    absences_used: int
    absence_allowance: int
    absences_left: int
    excused_not_counted: int
    unmarked: int
    graduation_event_required: bool
    graduation_event: Mark
    graduation_event_attended: bool
    at_risk: bool
    cannot_graduate: bool
    eligible: bool
    status: StandingStatus
    remaining: tuple[str, ...]
    reasons: tuple[str, ...]
    explanation: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def badge(self) -> str:
        """The CSS badge class for the status: ok, warn or bad."""
        if self.status in (StandingStatus.ELIGIBLE, StandingStatus.ON_TRACK):
            return "ok"
        if self.status is StandingStatus.CANNOT_GRADUATE:
            return "bad"
        return "warn"


def majority_needed(planned: int) -> int:
    """Sessions that make a strict majority of ``planned``.

    >>> majority_needed(16)
    9
    """
    return planned // 2 + 1


def sessions_to_attend(*, planned: int, absence_allowance: int) -> int:
    """Fewest attended sessions that meet the rule once every planned session is marked.

    A majority, and no more absences than allowed: whichever asks for more sessions.

    >>> sessions_to_attend(planned=16, absence_allowance=2)
    14
    """
    return max(majority_needed(planned), planned - absence_allowance)


def _counts_attended(mark: Mark, rules: CourseRules) -> bool:
    return mark is Mark.PRESENT or (mark is Mark.LATE and rules.late_counts_as_attended)


def _counts_absence(mark: Mark, rules: CourseRules) -> bool:
    return (
        mark is Mark.ABSENT
        or (mark is Mark.EXCUSED and rules.excused_counts_as_absence)
        or (mark is Mark.LATE and not rules.late_counts_as_attended)
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def graduation_standing(
    *,
    sessions: Sequence[PlannedSession],
    marks: Mapping[int, Mark],
    rules: CourseRules,
    graduation_event: Mark = Mark.UNMARKED,
    graduation_event_scheduled: bool = True,
) -> Standing:
    """Apply the graduation rule to one learner's marks.

    Parameters
    ----------
    sessions
        The planned class sessions (not cancelled), held or not.
    marks
        The current mark per session number; a missing number is unmarked. Marks for numbers
        that are not planned (a cancelled session) are ignored.
    rules
        The course's settings: absence allowance, whether the graduation event is required,
        whether late counts as attended and whether excused counts toward the allowance.
    graduation_event
        The learner's mark at the graduation event (``UNMARKED`` while it has not been marked).
    graduation_event_scheduled
        Whether the cohort has a graduation event on its calendar (only changes the wording).

    Returns
    -------
    Standing
        The counts, the flags ``eligible`` / ``cannot_graduate`` / ``at_risk`` (each certain
        whatever the remaining marks), what remains and why.

    Examples
    --------
    >>> s = [PlannedSession(n, f"Session {n}") for n in range(1, 17)]
    >>> st = graduation_standing(sessions=s, marks={1: Mark.ABSENT, 2: Mark.ABSENT},
    ...                          rules=CourseRules())
    >>> (st.absences_used, st.absences_left, st.at_risk, st.cannot_graduate)
    (2, 0, True, False)
    """
    planned = len(sessions)
    numbers = {s.number for s in sessions}
    current = {n: m for n, m in marks.items() if n in numbers}
    attended = sum(1 for m in current.values() if _counts_attended(m, rules))
    absences = sum(1 for m in current.values() if _counts_absence(m, rules))
    unmarked_sessions = [
        s for s in sessions if current.get(s.number, Mark.UNMARKED) is Mark.UNMARKED
    ]
    unmarked = len(unmarked_sessions)
    neutral = planned - attended - absences - unmarked
    majority = majority_needed(planned)
    allowance = rules.absence_allowance
    required = rules.requires_graduation_event
    event_attended = _counts_attended(graduation_event, rules)
    event_open = graduation_event is Mark.UNMARKED

    if planned == 0:
        return Standing(
            planned=0,
            majority_needed=0,
            attended=0,
            absences_used=0,
            absence_allowance=allowance,
            absences_left=allowance,
            excused_not_counted=0,
            unmarked=0,
            graduation_event_required=required,
            graduation_event=graduation_event,
            graduation_event_attended=event_attended,
            at_risk=False,
            cannot_graduate=False,
            eligible=False,
            status=StandingStatus.NOT_PLANNED,
            remaining=("The class sessions are not planned yet.",),
            reasons=(),
            explanation="No class sessions are planned yet, so the rule cannot be applied.",
        )

    # Best case: every unmarked session attended (and the event, if still open).
    best_attended = attended + unmarked
    event_possible = (not required) or event_attended or event_open
    cannot_graduate = not (best_attended >= majority and absences <= allowance and event_possible)
    # Worst case: every unmarked session an absence (and the event missed, if still open).
    eligible = (
        attended >= majority
        and absences + unmarked <= allowance
        and ((not required) or event_attended)
    )
    absences_left = max(0, min(allowance - absences, best_attended - majority))
    at_risk = not cannot_graduate and not eligible and absences_left == 0 and unmarked > 0

    reasons: list[str] = []
    if best_attended < majority:
        reasons.append(
            f"can attend at most {best_attended} of {planned} sessions; a majority is {majority}"
        )
    if absences > allowance:
        reasons.append(f"{_plural(absences, 'absence')}, more than the {allowance} permitted")
    if required and not event_attended and not event_open:
        reasons.append(f"did not take part in the graduation event ({graduation_event})")

    remaining: list[str] = []
    for s in unmarked_sessions:
        remaining.append(f"{s.label} (held, not marked yet)" if s.past else s.label)
    if required and event_open:
        remaining.append(
            "the graduation event"
            if graduation_event_scheduled
            else "the graduation event (not scheduled yet)"
        )

    if eligible:
        status = StandingStatus.ELIGIBLE
    elif cannot_graduate:
        status = StandingStatus.CANNOT_GRADUATE
    elif at_risk:
        status = StandingStatus.AT_RISK
    else:
        status = StandingStatus.ON_TRACK

    parts = [
        f"Attended {attended} of {planned} planned sessions (a majority is {majority}).",
        f"{_plural(absences, 'absence')} used of {allowance} permitted"
        + (f"; {absences_left} left." if not cannot_graduate else "."),
    ]
    if neutral:
        parts.append(
            f"{_plural(neutral, 'session')} marked excused (or late) that count as neither "
            "attended nor an absence in this course."
        )
    if unmarked:
        parts.append(f"{_plural(unmarked, 'session')} not marked yet.")
    if required:
        parts.append(
            "Graduation event: "
            + ("attended." if event_attended else "still to come." if event_open else "missed.")
        )
    if status is StandingStatus.CANNOT_GRADUATE:
        parts.append("Cannot graduate: " + "; ".join(reasons) + ".")
    elif status is StandingStatus.AT_RISK:
        parts.append("At risk: one more missed session and graduation is out of reach.")
    elif status is StandingStatus.ELIGIBLE:
        parts.append("Meets the graduation rule.")

    return Standing(
        planned=planned,
        majority_needed=majority,
        attended=attended,
        absences_used=absences,
        absence_allowance=allowance,
        absences_left=absences_left if not cannot_graduate else 0,
        excused_not_counted=neutral,
        unmarked=unmarked,
        graduation_event_required=required,
        graduation_event=graduation_event,
        graduation_event_attended=event_attended,
        at_risk=at_risk,
        cannot_graduate=cannot_graduate,
        eligible=eligible,
        status=status,
        remaining=tuple(remaining),
        reasons=tuple(reasons),
        explanation=" ".join(parts),
    )
