"""Peer co-working toward the community playbook: co-working sessions, weekly goals, rotating
pairs, check-ins, and the playbook with its progress over the weeks.

Writes follow the services convention (``<entity>_<action>(*, ...)``); the reads that shape
pages (``coworking_overview``, ``playbook_progress``) are here too, next to the rules they use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max

from copkit.academy.models import Cohort, Enrollment, Session
from copkit.coursework import rules
from copkit.coursework.models import (
    CoworkingCheckIn,
    CoworkingGoal,
    CoworkingPair,
    Playbook,
    PlaybookRevision,
    PlaybookSection,
)
from copkit.errors import ApplicationError

__all__ = [
    "PLAYBOOK_SECTIONS",
    "CoworkingRow",
    "WeekProgress",
    "coworking_checkin",
    "coworking_goal_set",
    "coworking_overview",
    "coworking_pairs_assign",
    "coworking_session_create",
    "pair_members",
    "playbook_for",
    "playbook_progress",
    "playbook_section_update",
]

#: The playbook's default sections, one per topic of the CoP course.
PLAYBOOK_SECTIONS: list[tuple[str, str]] = [
    ("Purpose and domain", "What your community is about and why it exists."),
    ("Value we create", "The immediate and potential value members get, and how you will see it."),
    (
        "Members and structure",
        "Domain, community and practice; who is in the core, active and peripheral groups.",
    ),
    ("How knowledge flows", "Where questions go, who answers, what gets written down."),
    ("Roles and how we balance them", "Coordinator, core group and other roles; who does what."),
    ("Participation challenges", "What gets in the way of taking part, and what you will try."),
    ("How we will evolve", "Where the community is in its development and what comes next."),
]


def _closed(cohort: Cohort) -> None:
    if cohort.status == Cohort.Status.CLOSED:
        raise ApplicationError("This cohort is closed: co-working and the playbook are read-only.")


def _coworking(session: Session) -> None:
    if session.kind != Session.Kind.COWORKING:
        raise ApplicationError("That is not a co-working session.")


def coworking_session_create(
    *,
    cohort: Cohort,
    local_date: date,
    local_time: time,
    duration_minutes: int = 60,
    title: str = "",
) -> Session:
    """Schedule a co-working session at a local time in the cohort's zone (it appears in the
    cohort's calendar feed like any other session)."""
    _closed(cohort)
    if not 15 <= duration_minutes <= 240:
        raise ApplicationError("A co-working session lasts between 15 and 240 minutes.")
    zone = ZoneInfo(cohort.timezone)
    starts_at = datetime.combine(local_date, local_time, tzinfo=zone)
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    nearby = cohort.sessions.exclude(status=Session.Status.CANCELLED).filter(
        starts_at__lt=ends_at, starts_at__gt=starts_at - timedelta(days=1)
    )
    for other in nearby.order_by("starts_at"):
        if other.starts_at + timedelta(minutes=other.duration_minutes) > starts_at:
            local = other.starts_at.astimezone(zone)
            raise ApplicationError(
                f"That time overlaps {other} ({local:%a %d %b %H:%M}, "
                f"{other.duration_minutes} minutes); choose another time."
            )
    number = (
        cohort.sessions.filter(kind=Session.Kind.COWORKING).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    return Session.objects.create(
        cohort=cohort,
        kind=Session.Kind.COWORKING,
        number=number,
        title=title or f"Playbook co-working {number}",
        starts_at=starts_at,
        duration_minutes=duration_minutes,
    )


@transaction.atomic
def coworking_pairs_assign(*, session: Session) -> list[list[Enrollment]]:
    """(Re)assign the pairs of a co-working session by the rotation in
    :func:`copkit.coursework.rules.coworking_groups`; round = the session's place among the
    cohort's co-working sessions, history = the pairs of the earlier ones."""
    _coworking(session)
    _closed(session.cohort)
    earlier = list(
        session.cohort.sessions.filter(
            kind=Session.Kind.COWORKING, starts_at__lt=session.starts_at
        ).values_list("pk", flat=True)
    )
    history: list[frozenset[int]] = []
    groups_before: dict[tuple[int, int], list[int]] = {}
    for pair in CoworkingPair.objects.filter(session_id__in=earlier):
        groups_before.setdefault((pair.session_id, pair.group), []).append(pair.enrollment_id)
    for members in groups_before.values():
        history += [frozenset({a, b}) for a in members for b in members if a < b]
    learners = list(
        session.cohort.enrollments.filter(status=Enrollment.Status.ENROLLED).order_by("pk")
    )
    by_pk = {e.pk: e for e in learners}
    groups = rules.coworking_groups(
        [e.pk for e in learners], round_index=len(earlier), history=history
    )
    CoworkingPair.objects.filter(session=session).delete()
    CoworkingPair.objects.bulk_create(
        CoworkingPair(session=session, enrollment_id=pk, group=number)
        for number, group in enumerate(groups, start=1)
        for pk in group
    )
    return [[by_pk[pk] for pk in group] for group in groups]


def pair_members(*, session: Session, enrollment: Enrollment) -> list[Enrollment]:
    """The other members of the enrollment's pair (or trio) in a session."""
    mine = CoworkingPair.objects.filter(session=session, enrollment=enrollment).first()
    if mine is None:
        return []
    return [
        p.enrollment
        for p in CoworkingPair.objects.filter(session=session, group=mine.group)
        .exclude(enrollment=enrollment)
        .select_related("enrollment__learner")
    ]


def coworking_goal_set(*, session: Session, enrollment: Enrollment, text: str) -> CoworkingGoal:
    _coworking(session)
    _closed(session.cohort)
    if enrollment.cohort_id != session.cohort_id or enrollment.status != Enrollment.Status.ENROLLED:
        raise ApplicationError("Only learners of this cohort set goals here.")
    if not text.strip():
        raise ApplicationError("Write your goal for the week, e.g. 'draft the roles section'.")
    goal, _ = CoworkingGoal.objects.update_or_create(
        session=session, enrollment=enrollment, defaults={"text": text.strip()[:2000]}
    )
    return goal


def coworking_checkin(
    *, goal: CoworkingGoal, by: Enrollment, outcome: str, note: str, now: datetime
) -> CoworkingCheckIn:
    """A pair member checks in on the goal, once the co-working session has started."""
    _closed(goal.session.cohort)
    if outcome not in CoworkingCheckIn.Outcome.values:
        raise ApplicationError("Say whether the goal was met, partly met or not met.")
    if by.pk == goal.enrollment_id:
        raise ApplicationError("Your pair checks in on your goal; you check in on theirs.")
    if by not in pair_members(session=goal.session, enrollment=goal.enrollment):
        raise ApplicationError("You can check in only on the goals of your own pair.")
    if now < goal.session.starts_at:
        raise ApplicationError("Check in after the co-working session has started.")
    checkin, _ = CoworkingCheckIn.objects.update_or_create(
        goal=goal, by=by, defaults={"outcome": outcome, "note": note.strip()[:2000]}
    )
    return checkin


@dataclass(frozen=True)
class CoworkingRow:
    """One co-working session as one learner sees it."""

    session: Session
    goal: CoworkingGoal | None
    peers: list[Enrollment]
    peer_goals: list[CoworkingGoal]
    checkins_on_my_goal: list[CoworkingCheckIn]
    my_checkins: dict[int, CoworkingCheckIn]


def coworking_overview(*, cohort: Cohort, enrollment: Enrollment) -> list[CoworkingRow]:
    """The cohort's co-working sessions with the learner's goal, pair, the pair's goals and
    the check-ins (nothing about other pairs)."""
    rows = []
    for session in cohort.sessions.filter(kind=Session.Kind.COWORKING).order_by("starts_at"):
        goal = CoworkingGoal.objects.filter(session=session, enrollment=enrollment).first()
        peers = pair_members(session=session, enrollment=enrollment)
        peer_goals = list(
            CoworkingGoal.objects.filter(session=session, enrollment__in=peers).select_related(
                "enrollment__learner"
            )
        )
        rows.append(
            CoworkingRow(
                session=session,
                goal=goal,
                peers=peers,
                peer_goals=peer_goals,
                checkins_on_my_goal=list(goal.checkins.select_related("by__learner"))
                if goal
                else [],
                my_checkins={
                    c.goal_id: c
                    for c in CoworkingCheckIn.objects.filter(goal__in=peer_goals, by=enrollment)
                },
            )
        )
    return rows


# --- the playbook ----------------------------------------------------------------------------


@transaction.atomic
def playbook_for(*, enrollment: Enrollment) -> Playbook:
    """The learner's playbook, created with the default sections on first use."""
    playbook, created = Playbook.objects.get_or_create(enrollment=enrollment)
    if created:
        PlaybookSection.objects.bulk_create(
            PlaybookSection(playbook=playbook, position=i, title=title, guidance=guidance)
            for i, (title, guidance) in enumerate(PLAYBOOK_SECTIONS, start=1)
        )
    return playbook


def playbook_section_update(
    *, section: PlaybookSection, body: str, status: str, now: datetime
) -> PlaybookSection:
    """Save a section and append a revision (status, words) to the progress history."""
    _closed(section.playbook.enrollment.cohort)
    if status not in PlaybookSection.Status.values:
        raise ApplicationError(f"Unknown section status {status!r}.")
    if status == PlaybookSection.Status.DONE and not body.strip():
        raise ApplicationError(f"{section.title!r}: write the section before marking it done.")
    with transaction.atomic():
        section.body, section.status = body, status
        section.save()
        PlaybookRevision.objects.create(
            section=section, status=status, words=rules.word_count(body), created_at=now
        )
    return section


@dataclass(frozen=True)
class WeekProgress:
    """The playbook at the end of one course week, and that week's co-working goal."""

    week: int
    ends_on: date
    done: int
    drafting: int
    sections: int
    words: int
    goal: str
    goal_outcome: str

    @property
    def percent(self) -> int:
        """Done sections count fully, drafting ones half."""
        if not self.sections:
            return 0
        return round(100 * (self.done + 0.5 * self.drafting) / self.sections)


def playbook_progress(*, enrollment: Enrollment, now: datetime) -> list[WeekProgress]:
    """The playbook week by week from the cohort's start until ``now`` (at most the course's
    weeks): per week, the sections done or drafting and the words at the week's end (from the
    revision history), with the goal set in that week's co-working session and its check-in."""
    cohort = enrollment.cohort
    zone = ZoneInfo(cohort.timezone)
    playbook = playbook_for(enrollment=enrollment)
    sections = list(playbook.sections.all())
    revisions = list(
        PlaybookRevision.objects.filter(section__playbook=playbook).order_by("created_at", "id")
    )
    goals = list(
        CoworkingGoal.objects.filter(enrollment=enrollment)
        .select_related("session")
        .prefetch_related("checkins")
    )
    start = datetime.combine(cohort.starts_on, time(0), tzinfo=zone)
    weeks = []
    for week in range(1, cohort.course.weeks + 1):
        week_start = start + timedelta(days=7 * (week - 1))
        if week_start > now:
            break
        week_end = start + timedelta(days=7 * week)
        latest: dict[int, PlaybookRevision] = {}
        for revision in revisions:
            if revision.created_at < week_end:
                latest[revision.section_id] = revision
        goal = next((g for g in goals if week_start <= g.session.starts_at < week_end), None)
        checkin = goal.checkins.all()[0] if goal and goal.checkins.all() else None
        weeks.append(
            WeekProgress(
                week=week,
                ends_on=(week_end - timedelta(days=1)).date(),
                done=sum(1 for r in latest.values() if r.status == PlaybookSection.Status.DONE),
                drafting=sum(
                    1 for r in latest.values() if r.status == PlaybookSection.Status.DRAFTING
                ),
                sections=len(sections),
                words=sum(r.words for r in latest.values()),
                goal=goal.text if goal else "",
                goal_outcome=checkin.get_outcome_display() if checkin else "",
            )
        )
    return weeks
