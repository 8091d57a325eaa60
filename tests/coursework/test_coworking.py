from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from copkit.academy.models import Cohort, Session
from copkit.coursework import coworking
from copkit.coursework.models import CoworkingPair, PlaybookSection
from copkit.errors import ApplicationError
from tests.coursework.factories import NOW, cohort_make, enroll

pytestmark = pytest.mark.django_db


def _sessions(cohort: Cohort, count: int) -> list[Session]:
    return [
        coworking.coworking_session_create(
            cohort=cohort,
            local_date=date(2026, 3, 4) + timedelta(days=7 * i),
            local_time=time(13, 0),
        )
        for i in range(count)
    ]


def test_coworking_sessions_are_academy_sessions_in_local_time() -> None:
    cohort = cohort_make()
    first, second = _sessions(cohort, 2)
    assert (first.kind, first.number, second.number) == ("coworking", 1, 2)
    assert first.starts_at.isoformat() == "2026-03-04T13:00:00-05:00"
    assert second.starts_at.utcoffset() == timedelta(hours=-4)  # after the DST change
    assert first.uid != second.uid


def test_pairs_rotate_without_repeats() -> None:
    cohort = cohort_make()
    learners = [enroll(cohort) for _ in range(4)]
    sessions = _sessions(cohort, 3)
    seen = set()
    for session in sessions:
        groups = coworking.coworking_pairs_assign(session=session)
        assert sorted(len(g) for g in groups) == [2, 2]
        for g in groups:
            pair = frozenset(e.pk for e in g)
            assert pair not in seen
            seen.add(pair)
    assert seen == {frozenset(p) for p in itertools.combinations([e.pk for e in learners], 2)}
    # re-assigning a session gives the same pairs
    before = list(
        CoworkingPair.objects.filter(session=sessions[1]).values_list("enrollment", "group")
    )
    coworking.coworking_pairs_assign(session=sessions[1])
    after = list(
        CoworkingPair.objects.filter(session=sessions[1]).values_list("enrollment", "group")
    )
    assert before == after


def test_odd_cohort_makes_a_trio() -> None:
    cohort = cohort_make()
    for _ in range(5):
        enroll(cohort)
    (session,) = _sessions(cohort, 1)
    assert sorted(len(g) for g in coworking.coworking_pairs_assign(session=session)) == [2, 3]


def test_goals_and_checkins_between_pairs_only() -> None:
    cohort = cohort_make()
    a, b, c, d = (enroll(cohort) for _ in range(4))
    (session,) = _sessions(cohort, 1)
    coworking.coworking_pairs_assign(session=session)
    peer = coworking.pair_members(session=session, enrollment=a)[0]
    stranger = next(e for e in (b, c, d) if e != peer)
    goal = coworking.coworking_goal_set(session=session, enrollment=a, text="Draft roles")
    with pytest.raises(ApplicationError, match="Write your goal"):
        coworking.coworking_goal_set(session=session, enrollment=a, text="  ")
    with pytest.raises(ApplicationError, match="after the co-working session has started"):
        coworking.coworking_checkin(
            goal=goal, by=peer, outcome="met", note="", now=session.starts_at - timedelta(hours=1)
        )
    later = session.starts_at + timedelta(hours=2)
    with pytest.raises(ApplicationError, match="only on the goals of your own pair"):
        coworking.coworking_checkin(goal=goal, by=stranger, outcome="met", note="", now=later)
    with pytest.raises(ApplicationError, match="you check in on theirs"):
        coworking.coworking_checkin(goal=goal, by=a, outcome="met", note="", now=later)
    checkin = coworking.coworking_checkin(
        goal=goal, by=peer, outcome="partly", note="half", now=later
    )
    assert checkin.get_outcome_display() == "Partly met"


def test_playbook_progress_over_the_weeks() -> None:
    cohort = cohort_make(starts_on=date(2026, 3, 2))
    enrollment = enroll(cohort)
    sessions = _sessions(cohort, 2)
    coworking.coworking_goal_set(session=sessions[0], enrollment=enrollment, text="Purpose")
    book = coworking.playbook_for(enrollment=enrollment)
    sections = list(book.sections.all())
    assert len(sections) == len(coworking.PLAYBOOK_SECTIONS)
    week1 = sessions[0].starts_at + timedelta(hours=1)
    coworking.playbook_section_update(
        section=sections[0],
        body="We exist to share methods.",
        status=PlaybookSection.Status.DONE,
        now=week1,
    )
    coworking.playbook_section_update(
        section=sections[1], body="Tips", status="drafting", now=week1
    )
    week2 = sessions[1].starts_at + timedelta(hours=1)
    coworking.playbook_section_update(
        section=sections[1], body="Tips and stories here", status="done", now=week2
    )
    progress = coworking.playbook_progress(enrollment=enrollment, now=week2)
    assert [(w.week, w.done, w.drafting, w.words) for w in progress] == [
        (1, 1, 1, 6),
        (2, 2, 0, 9),
    ]
    assert progress[0].goal == "Purpose" and progress[1].goal == ""
    assert progress[0].percent == round(100 * 1.5 / 7)


def test_playbook_rejects_done_without_text_and_closed_cohort() -> None:
    cohort = cohort_make()
    enrollment = enroll(cohort)
    section = coworking.playbook_for(enrollment=enrollment).sections.first()
    assert section is not None
    with pytest.raises(ApplicationError, match="write the section before marking it done"):
        coworking.playbook_section_update(section=section, body=" ", status="done", now=NOW)
    cohort.status = Cohort.Status.CLOSED
    cohort.save()
    with pytest.raises(ApplicationError, match="closed"):
        coworking.playbook_section_update(section=section, body="x", status="drafting", now=NOW)
    assert not section.revisions.exists()


def test_a_coworking_session_may_not_overlap_another_session() -> None:
    cohort = cohort_make()
    zone = ZoneInfo(cohort.timezone)
    Session.objects.create(
        cohort=cohort,
        kind=Session.Kind.CLASS,
        number=1,
        starts_at=datetime(2026, 3, 4, 12, 0, tzinfo=zone),
        duration_minutes=90,
    )
    with pytest.raises(ApplicationError, match="overlaps .*Wed 04 Mar 12:00, 90 minutes"):
        coworking.coworking_session_create(
            cohort=cohort, local_date=date(2026, 3, 4), local_time=time(13, 0)
        )
    with pytest.raises(ApplicationError, match="overlaps"):  # ends inside the class
        coworking.coworking_session_create(
            cohort=cohort, local_date=date(2026, 3, 4), local_time=time(11, 30)
        )
    after = coworking.coworking_session_create(  # starts as the class ends
        cohort=cohort, local_date=date(2026, 3, 4), local_time=time(13, 30)
    )
    assert after.number == 1
    Session.objects.filter(kind=Session.Kind.CLASS).update(status=Session.Status.CANCELLED)
    coworking.coworking_session_create(  # a cancelled class frees its slot
        cohort=cohort, local_date=date(2026, 3, 4), local_time=time(12, 0), duration_minutes=30
    )
