"""Awards: the rule, overrides that survive recalculation, issuing, revoking, history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from copkit.academy.models import Enrollment
from copkit.credentials import selectors, services
from copkit.credentials.documents import schema_errors
from copkit.credentials.models import Award, AwardEvent
from copkit.credentials.rules import award_decision, criteria_narrative
from copkit.errors import ApplicationError
from copkit.plans import services as plans
from tests.credentials.conftest import (
    EnrollFn,
    FakeAssessment,
    FakeOutcome,
    FakeStanding,
    Standings,
)

GRADUATED = (FakeStanding(True), FakeAssessment(True))
MISSING_ASSIGNMENT = (FakeStanding(True), FakeAssessment(False, ["Knowledge management plan"]))
ABSENT = (FakeStanding(False, ["3 absences, 2 allowed"], attended=13), FakeAssessment(True))


def test_rule_needs_both_and_the_certification_track() -> None:
    base = dict(graduation_remaining=[], assessment_remaining=[])
    assert award_decision(
        is_certification=True, graduation_eligible=True, assessment_complete=True, **base
    ).eligible
    assert not award_decision(
        is_certification=True, graduation_eligible=True, assessment_complete=False, **base
    ).eligible
    assert not award_decision(
        is_certification=True, graduation_eligible=False, assessment_complete=True, **base
    ).eligible
    assert not award_decision(
        is_certification=False,
        graduation_eligible=True,
        assessment_complete=True,
        override_reason="x",
        **base,
    ).eligible
    overridden = award_decision(
        is_certification=True,
        graduation_eligible=False,
        assessment_complete=True,
        override_reason="medical leave, made up",
        **base,
    )
    assert overridden.eligible and overridden.by_override


def test_criteria_reads_the_course_settings() -> None:
    text = criteria_narrative(
        course_title="CoP",
        planned_sessions=16,
        absence_allowance=3,
        requires_graduation_event=False,
    )
    assert "at least 13 of the 16" in text and "graduation event" not in text


def test_criteria_state_the_attendance_rule_not_a_copy_of_it() -> None:
    # A large allowance: the majority is what binds, as in copkit.attendance.rules.
    lenient = criteria_narrative(
        course_title="X", planned_sessions=4, absence_allowance=3, requires_graduation_event=True
    )
    assert "at least 3 of the 4" in lenient
    excused_free = criteria_narrative(
        course_title="X",
        planned_sessions=16,
        absence_allowance=2,
        requires_graduation_event=True,
        excused_counts_as_absence=False,
    )
    assert "Excused absences do not count" in excused_free


@pytest.mark.django_db
def test_only_eligible_certification_learners_get_an_award(
    standings: Standings, enroll: EnrollFn
) -> None:
    graduate, absent, missing = enroll("g"), enroll("a"), enroll("m")
    open_track = enroll("o", Enrollment.Track.OPEN)
    standings.update({graduate.pk: GRADUATED, absent.pk: ABSENT, missing.pk: MISSING_ASSIGNMENT})
    standings[open_track.pk] = GRADUATED
    awards = services.award_evaluate_cohort(cohort=graduate.cohort)
    assert [a.enrollment for a in awards] == [graduate]
    assert awards[0].status == Award.Status.ELIGIBLE
    with pytest.raises(ApplicationError, match="certification-track"):
        services.award_evaluate(enrollment=open_track)
    assert not Award.objects.filter(enrollment=open_track).exists()


@pytest.mark.django_db
def test_override_survives_recalculation(
    standings: Standings, enroll: EnrollFn, staff: object
) -> None:
    learner = enroll("a")
    standings[learner.pk] = ABSENT
    assert services.award_evaluate(enrollment=learner) is None
    with pytest.raises(ApplicationError, match="reason"):
        services.award_override(enrollment=learner, actor=staff, reason="  ")
    award = services.award_override(enrollment=learner, actor=staff, reason="Made up the work")
    assert award.status == Award.Status.ELIGIBLE
    again = services.award_evaluate(enrollment=learner)
    assert again is not None and again.status == Award.Status.ELIGIBLE
    assert again.remaining == ["3 absences, 2 allowed"]
    assert again.override_reason == "Made up the work"


@pytest.mark.django_db
def test_eligible_goes_back_when_the_rule_no_longer_holds(
    standings: Standings, enroll: EnrollFn
) -> None:
    learner = enroll("g")
    standings[learner.pk] = GRADUATED
    services.award_evaluate(enrollment=learner)
    standings[learner.pk] = MISSING_ASSIGNMENT
    award = services.award_evaluate(enrollment=learner)
    assert award is not None and award.status == Award.Status.NOT_ELIGIBLE
    assert award.remaining == ["Knowledge management plan"]
    with pytest.raises(ApplicationError, match="Only an eligible award"):
        services.award_issue(award=award, actor=None)


@pytest.mark.django_db
def test_issue_and_revoke(standings: Standings, enroll: EnrollFn, staff: object) -> None:
    learner = enroll("g")
    standings[learner.pk] = GRADUATED
    award = services.award_evaluate(enrollment=learner)
    assert award is not None
    award = services.award_issue(award=award, actor=staff)
    assert award.status == Award.Status.ISSUED
    assert schema_errors(award.credential) == []
    assert award.credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    subject = award.credential["credentialSubject"]
    assert subject["activityStartDate"] == "2026-03-05T14:00:00Z"
    assert (
        subject["achievement"]["id"]
        == "http://testserver/badges/achievements/communities-of-practice"
    )
    assert (
        "at least 14 of the 16 planned sessions" in subject["achievement"]["criteria"]["narrative"]
    )
    assert award.credential["awardedDate"] == "2026-04-30T18:00:00Z"
    assert award.credential["evidence"][0]["narrative"].startswith("Attended 15 of 16")
    verification = selectors.award_verification(award=award, now=award.issued_at)
    assert verification is not None and verification.status == "valid", verification.checks
    with pytest.raises(ApplicationError, match="Only an eligible award"):
        services.award_issue(award=award, actor=staff)
    with pytest.raises(ApplicationError, match="reason"):
        services.award_revoke(award=award, actor=staff, reason="")
    award = services.award_revoke(award=award, actor=staff, reason="Plagiarised plan")
    verification = selectors.award_verification(award=award, now=award.issued_at)
    assert verification is not None and verification.status == "revoked"
    history = [(e.action, e.from_status, e.to_status) for e in award.events.all()]
    assert history == [
        ("evaluated", "", "eligible"),
        ("issued", "eligible", "issued"),
        ("revoked", "issued", "revoked"),
    ]
    assert award.events.last().reason == "Plagiarised plan"
    assert award.events.get(action="revoked").actor == staff


@pytest.mark.django_db
def test_status_indexes_are_unique(standings: Standings, enroll: EnrollFn) -> None:
    awards = []
    for name in ("a", "b", "c"):
        enrollment = enroll(name)
        standings[enrollment.pk] = GRADUATED
        award = services.award_evaluate(enrollment=enrollment)
        assert award is not None
        awards.append(services.award_issue(award=award, actor=None))
    assert sorted(a.status_index for a in awards) == [0, 1, 2]
    assert len({a.status_list_id for a in awards}) == 1


@pytest.mark.django_db
def test_events_are_append_only(standings: Standings, enroll: EnrollFn) -> None:
    learner = enroll("g")
    standings[learner.pk] = GRADUATED
    services.award_evaluate(enrollment=learner)
    event = AwardEvent.objects.get()
    event.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


@pytest.mark.django_db
def test_recorded_outcome_with_a_waiver_counts_as_graduated(
    standings: Standings, enroll: EnrollFn
) -> None:
    waived, failed = enroll("w"), enroll("f")
    standings[waived.pk] = standings[failed.pk] = ABSENT
    standings.outcomes[waived.pk] = FakeOutcome("graduated", "waiver")
    standings.outcomes[failed.pk] = FakeOutcome("not_completed", "rule_not_met")
    assert services.award_evaluate(enrollment=failed) is None
    award = services.award_evaluate(enrollment=waived)
    assert award is not None and award.status == Award.Status.ELIGIBLE
    award = services.award_issue(award=award, actor=None)
    assert "staff waiver" in award.credential["evidence"][0]["narrative"]


@pytest.mark.django_db
def test_a_submitted_plan_is_evidence_without_its_content(
    standings: Standings, enroll: EnrollFn, staff: object
) -> None:
    learner, other = enroll("p"), enroll("q")
    standings[learner.pk] = standings[other.pk] = GRADUATED
    plan = plans.plan_start(enrollment=learner)
    plan = plans.plan_update(
        plan=plan, title="Plan for Open Lab", community=None, review="Private next steps"
    )
    for text in ("Answer faster", "Welcome newcomers"):
        plans.plan_goal_add(
            plan=plan,
            fields=plans.GoalFields(
                goal=text,
                intervention="A private intervention",
                measure="unanswered_share",
                target=10.0,
                owner="me",
                due_on=date(2026, 6, 1),
            ),
        )
    plans.plan_submit(plan=plan, now=datetime(2026, 4, 20, 12, tzinfo=UTC))
    # a draft plan (the other learner's) is no evidence
    plans.plan_start(enrollment=other)
    evidence = {}
    for enrollment in (learner, other):
        award = services.award_evaluate(enrollment=enrollment)
        assert award is not None
        award = services.award_issue(award=award, actor=staff)
        assert schema_errors(award.credential) == []
        evidence[enrollment.pk] = award.credential["evidence"]
    item = next(e for e in evidence[learner.pk] if e["name"] == "Knowledge management plan")
    assert item["narrative"] == (
        "Submitted the knowledge management plan \u201cPlan for Open Lab\u201d on 2026-04-20, "
        "with 2 goals."
    )
    assert item["genre"] == "Plan"
    assert "private" not in str(evidence[learner.pk]).lower()
    assert [e["name"] for e in evidence[other.pk]] == ["Attendance", "Assessed assignments"]
