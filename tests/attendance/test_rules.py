"""The graduation rule: hand-computed cases and properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copkit.attendance.rules import (
    CourseRules,
    Mark,
    PlannedSession,
    StandingStatus,
    graduation_standing,
)

SIXTEEN = [PlannedSession(n, f"Session {n}") for n in range(1, 17)]
COP = CourseRules()


def standing(marks: dict[int, Mark], event: Mark = Mark.UNMARKED, rules: CourseRules = COP):
    return graduation_standing(sessions=SIXTEEN, marks=marks, rules=rules, graduation_event=event)


def all_(mark: Mark, upto: int = 16) -> dict[int, Mark]:
    return dict.fromkeys(range(1, upto + 1), mark)


def test_nothing_marked_is_on_track_with_everything_remaining() -> None:
    s = standing({})
    assert (s.attended, s.absences_used, s.absences_left, s.unmarked) == (0, 0, 2, 16)
    assert s.majority_needed == 9
    assert s.status is StandingStatus.ON_TRACK
    assert len(s.remaining) == 17 and s.remaining[-1] == "the graduation event"


def test_two_absences_is_at_risk_three_cannot_graduate() -> None:
    two = standing({1: Mark.ABSENT, 2: Mark.ABSENT})
    assert two.at_risk and not two.cannot_graduate and two.absences_left == 0
    three = standing({1: Mark.ABSENT, 2: Mark.ABSENT, 3: Mark.ABSENT})
    assert three.cannot_graduate and not three.at_risk
    assert three.status is StandingStatus.CANNOT_GRADUATE
    assert "3 absences, more than the 2 permitted" in three.reasons


def test_planned_not_held_so_far() -> None:
    # 5 of 5 held sessions attended is 5 of 16 planned, not 100 %.
    s = standing(all_(Mark.PRESENT, 5))
    assert s.attended == 5 and s.planned == 16 and not s.eligible


def test_eligible_needs_the_graduation_event() -> None:
    marks = {**all_(Mark.PRESENT), 4: Mark.ABSENT, 9: Mark.EXCUSED}
    assert not standing(marks).eligible
    s = standing(marks, event=Mark.PRESENT)
    assert s.eligible and s.status is StandingStatus.ELIGIBLE
    assert (s.attended, s.absences_used) == (14, 2)
    missed = standing(marks, event=Mark.ABSENT)
    assert missed.cannot_graduate
    assert "did not take part in the graduation event (absent)" in missed.reasons


def test_course_settings_change_what_counts() -> None:
    marks = {**all_(Mark.PRESENT), 1: Mark.LATE, 2: Mark.LATE, 3: Mark.LATE}
    assert standing(marks, Mark.PRESENT).eligible
    strict = CourseRules(late_counts_as_attended=False)
    assert standing(marks, Mark.PRESENT, strict).cannot_graduate
    excused = {**all_(Mark.PRESENT), 1: Mark.EXCUSED, 2: Mark.EXCUSED, 3: Mark.EXCUSED}
    assert standing(excused, Mark.PRESENT).cannot_graduate
    lenient = standing(excused, Mark.PRESENT, CourseRules(excused_counts_as_absence=False))
    assert lenient.eligible and lenient.excused_not_counted == 3
    no_event = standing(all_(Mark.PRESENT), rules=CourseRules(requires_graduation_event=False))
    assert no_event.eligible


def test_majority_binds_when_excused_do_not_count() -> None:
    rules = CourseRules(excused_counts_as_absence=False)
    s = standing({**all_(Mark.EXCUSED, 8)}, rules=rules)
    # 8 remaining could give at most 8 of 16: a majority (9) is out of reach.
    assert s.cannot_graduate and s.absences_used == 0


def test_unmarked_is_not_an_absence() -> None:
    s = standing({1: Mark.UNMARKED, 2: Mark.PRESENT})
    assert s.absences_used == 0 and s.unmarked == 15


def test_past_unmarked_sessions_say_so() -> None:
    sessions = [PlannedSession(1, "Session 1", past=True), PlannedSession(2, "Session 2")]
    s = graduation_standing(sessions=sessions, marks={}, rules=COP)
    assert s.remaining[:2] == ("Session 1 (held, not marked yet)", "Session 2")


def test_no_sessions_planned_is_said_not_silently_zero() -> None:
    s = graduation_standing(sessions=[], marks={}, rules=COP)
    assert s.status is StandingStatus.NOT_PLANNED and not s.eligible and not s.cannot_graduate


def test_marks_of_unplanned_sessions_are_ignored() -> None:
    s = standing({99: Mark.ABSENT})
    assert s.absences_used == 0


def test_negative_allowance_is_refused() -> None:
    with pytest.raises(ValueError, match="absence_allowance"):
        CourseRules(absence_allowance=-1)


# --- properties -------------------------------------------------------------------------------

MARKS = st.sampled_from(list(Mark))
DECIDED = st.sampled_from([Mark.PRESENT, Mark.LATE, Mark.EXCUSED, Mark.ABSENT])
RULES = st.builds(
    CourseRules,
    absence_allowance=st.integers(0, 5),
    requires_graduation_event=st.booleans(),
    late_counts_as_attended=st.booleans(),
    excused_counts_as_absence=st.booleans(),
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[PlannedSession], dict[int, Mark], Mark, CourseRules]:
    n = draw(st.integers(1, 20))
    sessions = [PlannedSession(i, f"Session {i}") for i in range(1, n + 1)]
    marks = {i: draw(MARKS) for i in range(1, n + 1)}
    return sessions, marks, draw(MARKS), draw(RULES)


def _meets_rule(marks: dict[int, Mark], event: Mark, rules: CourseRules, n: int) -> bool:
    attended = sum(
        1
        for m in marks.values()
        if m is Mark.PRESENT or (m is Mark.LATE and rules.late_counts_as_attended)
    )
    absences = sum(
        1
        for m in marks.values()
        if m is Mark.ABSENT
        or (m is Mark.EXCUSED and rules.excused_counts_as_absence)
        or (m is Mark.LATE and not rules.late_counts_as_attended)
    )
    event_ok = event is Mark.PRESENT or (event is Mark.LATE and rules.late_counts_as_attended)
    return (
        attended > n / 2
        and absences <= rules.absence_allowance
        and (event_ok or not rules.requires_graduation_event)
    )


@settings(max_examples=150, deadline=None)
@given(cases(), st.data())
def test_certain_verdicts_are_never_contradicted(case, data) -> None:
    sessions, marks, event, rules = case
    s = graduation_standing(sessions=sessions, marks=marks, rules=rules, graduation_event=event)
    assert not (s.eligible and s.cannot_graduate)
    # Complete every unmarked session (and the event) in any way.
    completed = {k: (data.draw(DECIDED) if m is Mark.UNMARKED else m) for k, m in marks.items()}
    final_event = data.draw(DECIDED) if event is Mark.UNMARKED else event
    final = graduation_standing(
        sessions=sessions, marks=completed, rules=rules, graduation_event=final_event
    )
    if s.cannot_graduate:
        assert not final.eligible
    if s.eligible:
        assert final.eligible
    assert final.eligible == _meets_rule(completed, final_event, rules, len(sessions))


@settings(max_examples=150, deadline=None)
@given(cases())
def test_not_cannot_graduate_means_a_way_remains(case) -> None:
    sessions, marks, event, rules = case
    s = graduation_standing(sessions=sessions, marks=marks, rules=rules, graduation_event=event)
    best = {k: (Mark.PRESENT if m is Mark.UNMARKED else m) for k, m in marks.items()}
    best_event = Mark.PRESENT if event is Mark.UNMARKED else event
    reachable = graduation_standing(
        sessions=sessions, marks=best, rules=rules, graduation_event=best_event
    ).eligible
    assert reachable == (not s.cannot_graduate)


@settings(max_examples=150, deadline=None)
@given(cases(), st.data())
def test_attending_more_never_hurts(case, data) -> None:
    sessions, marks, event, rules = case
    key = data.draw(st.sampled_from(sorted(marks)))
    before = graduation_standing(
        sessions=sessions, marks={**marks, key: Mark.ABSENT}, rules=rules, graduation_event=event
    )
    after = graduation_standing(
        sessions=sessions, marks={**marks, key: Mark.PRESENT}, rules=rules, graduation_event=event
    )
    assert after.attended >= before.attended
    assert after.absences_used <= before.absences_used
    assert after.absences_left >= before.absences_left
    assert not (before.eligible and not after.eligible)
    assert not (after.cannot_graduate and not before.cannot_graduate)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_counts_add_up_and_unmarked_counts_as_nothing(case) -> None:
    sessions, marks, event, rules = case
    s = graduation_standing(sessions=sessions, marks=marks, rules=rules, graduation_event=event)
    assert s.attended + s.absences_used + s.excused_not_counted + s.unmarked == s.planned
    without_unmarked = {k: m for k, m in marks.items() if m is not Mark.UNMARKED}
    assert s == graduation_standing(
        sessions=sessions, marks=without_unmarked, rules=rules, graduation_event=event
    )
    assert 0 <= s.absences_left <= rules.absence_allowance
    if s.at_risk:
        assert s.absences_left == 0 and not s.cannot_graduate and not s.eligible


def test_docstring_examples_run() -> None:
    import doctest

    from copkit.attendance import rules, zoom

    for module in (rules, zoom):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
