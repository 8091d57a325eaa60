"""Writes on awards: evaluate the rule, override, issue (build + sign), revoke.

The graduation rule and the assessed assignments belong to the ``attendance`` and
``coursework`` apps; they are imported lazily from ``copkit.attendance.selectors`` and
``copkit.coursework.selectors`` so that this app never duplicates them. The submitted
knowledge management plan, evidence when it exists, comes lazily from ``copkit.plans``.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone

from copkit.academy.models import Cohort, Enrollment, Program, Session
from copkit.credentials import selectors
from copkit.credentials.credential import (
    AchievementInfo,
    EvidenceItem,
    IssuerInfo,
    Recipient,
    StatusEntry,
    achievement_credential,
    isoformat,
)
from copkit.credentials.dataintegrity import add_proof
from copkit.credentials.documents import schema_errors
from copkit.credentials.jwt import sign_credential
from copkit.credentials.models import Award, AwardEvent, StatusList
from copkit.credentials.rules import AwardDecision, award_decision
from copkit.errors import ApplicationError

__all__ = [
    "award_evaluate",
    "award_evaluate_cohort",
    "award_issue",
    "award_override",
    "award_revoke",
]

NOT_CERTIFICATION = "Only certification-track enrollments earn the badge."


@dataclass(frozen=True)
class _Standings:
    graduation: Any  # copkit.attendance Standing
    assessment: Any  # copkit.coursework AssessmentStanding
    outcome: Any  # copkit.attendance EnrollmentOutcome, recorded when the cohort closed

    @property
    def graduated(self) -> bool:
        """The recorded outcome when the cohort has closed (it includes staff waivers of the
        attendance rule), else the live graduation rule."""
        if self.outcome is not None:
            return bool(self.outcome.outcome == "graduated")
        return bool(self.graduation.eligible)

    @property
    def by_waiver(self) -> bool:
        return self.outcome is not None and self.outcome.basis == "waiver"


def _standings(enrollment: Enrollment) -> _Standings:
    from copkit.attendance.selectors import enrollment_outcome, graduation_standing
    from copkit.coursework.selectors import assessment_standing

    return _Standings(
        graduation=graduation_standing(enrollment=enrollment),
        assessment=assessment_standing(enrollment=enrollment),
        outcome=enrollment_outcome(enrollment=enrollment),
    )


def _decide(enrollment: Enrollment, override_reason: str) -> AwardDecision:
    standings = _standings(enrollment)
    graduation, assessment = standings.graduation, standings.assessment
    return award_decision(
        is_certification=enrollment.is_certification,
        graduation_eligible=standings.graduated,
        graduation_remaining=[] if standings.graduated else [str(i) for i in graduation.remaining],
        assessment_complete=bool(assessment.complete),
        assessment_remaining=[str(item) for item in assessment.remaining],
        override_reason=override_reason,
    )


def _event(award: Award, *, action: str, before: str, actor: Any, reason: str = "") -> None:
    AwardEvent.objects.create(
        award=award,
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_status=before,
        to_status=award.status,
        reason=reason,
    )


@transaction.atomic
def award_evaluate(*, enrollment: Enrollment, actor: Any = None) -> Award | None:
    """Apply the badge rule to one enrollment and record the outcome.

    Certification track only; eligible means the graduation rule holds AND every assessed
    assignment is accepted, or a staff override says so. Issued and revoked awards keep their
    status; an eligible award that no longer meets the rule (and has no override) goes back
    to not eligible. Returns None when there is nothing to record (never eligible, no award).
    """
    if not enrollment.is_certification:
        raise ApplicationError(NOT_CERTIFICATION)
    award = Award.objects.select_for_update().filter(enrollment=enrollment).first()
    decision = _decide(enrollment, award.override_reason if award else "")
    if award is None:
        if not decision.eligible:
            return None
        award = Award.objects.create(
            enrollment=enrollment,
            status=Award.Status.ELIGIBLE,
            remaining=decision.remaining,
            subject_salt=secrets.token_hex(16),
        )
        _event(award, action="evaluated", before="", actor=actor, reason="meets the badge rule")
        return award
    before = award.status
    award.remaining = decision.remaining
    if award.status in (Award.Status.ELIGIBLE, Award.Status.NOT_ELIGIBLE):
        award.status = Award.Status.ELIGIBLE if decision.eligible else Award.Status.NOT_ELIGIBLE
    award.save()
    if award.status != before:
        reason = "meets the badge rule" if decision.eligible else "; ".join(decision.remaining)
        _event(award, action="evaluated", before=before, actor=actor, reason=reason)
    return award


def award_evaluate_cohort(*, cohort: Cohort, actor: Any = None) -> list[Award]:
    """Evaluate every enrolled certification-track learner of ``cohort``."""
    awards = []
    for enrollment in cohort.enrollments.filter(
        track=Enrollment.Track.CERTIFICATION, status=Enrollment.Status.ENROLLED
    ):
        award = award_evaluate(enrollment=enrollment, actor=actor)
        if award is not None:
            awards.append(award)
    return awards


@transaction.atomic
def award_override(*, enrollment: Enrollment, actor: Any, reason: str) -> Award:
    """Make a certification-track enrollment eligible by staff decision, with a reason.

    The override is kept on the award and survives every later evaluation.
    """
    if not reason.strip():
        raise ApplicationError("An override needs a reason.")
    if not enrollment.is_certification:
        raise ApplicationError(NOT_CERTIFICATION)
    award, created = Award.objects.select_for_update().get_or_create(
        enrollment=enrollment,
        defaults={"status": Award.Status.ELIGIBLE, "subject_salt": secrets.token_hex(16)},
    )
    before = "" if created else award.status
    award.override_reason = reason.strip()
    award.override_by = actor
    if award.status == Award.Status.NOT_ELIGIBLE:
        award.status = Award.Status.ELIGIBLE
    award.save()
    _event(award, action="overridden", before=before, actor=actor, reason=reason.strip())
    return award


def _allocate(program: Program) -> tuple[StatusList, int]:
    lists = StatusList.objects.select_for_update().filter(program=program, purpose="revocation")
    status_list = next((sl for sl in lists if sl.next_index < sl.size), None)
    if status_list is None:
        status_list = StatusList.objects.create(
            program=program, slug=f"revocation-{uuid.uuid4().hex[:12]}"
        )
        status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
    index = status_list.next_index
    status_list.next_index += 1
    status_list.save(update_fields=["next_index"])
    return status_list, index


def _activity(cohort: Cohort) -> tuple[datetime | None, datetime | None]:
    sessions = cohort.sessions.exclude(status=Session.Status.CANCELLED)
    span = sessions.aggregate(start=Min("starts_at"), end=Max("starts_at"))
    return span["start"], span["end"]


def _plan_evidence(enrollment: Enrollment) -> EvidenceItem | None:
    """The submitted knowledge management plan, when there is one (issue #7).

    Only its title, submission date and number of goals: nothing the learner wrote in it.
    """
    from copkit.plans.selectors import submitted_plan

    plan = submitted_plan(enrollment=enrollment)
    if plan is None or plan.submitted_at is None:
        return None
    goals = plan.goals.count()
    return EvidenceItem(
        name="Knowledge management plan",
        narrative=f"Submitted the knowledge management plan \u201c{plan.title}\u201d on "
        f"{plan.submitted_at.astimezone(UTC):%Y-%m-%d}, with {goals} "
        f"goal{'' if goals == 1 else 's'}.",
        genre="Plan",
    )


def _evidence(award: Award) -> list[EvidenceItem]:
    standings = _standings(award.enrollment)
    graduation, assessment = standings.graduation, standings.assessment
    narrative = f"Attended {graduation.attended} of {graduation.planned} planned sessions."
    if standings.by_waiver:
        narrative += " Graduated by a staff waiver of the attendance rule."
    elif standings.graduated:
        narrative += " Met the graduation rule, including the final graduation event."
    items = [
        EvidenceItem(name="Attendance", narrative=narrative, genre="Attendance"),
        EvidenceItem(
            name="Assessed assignments",
            narrative="Every assessed assignment was accepted."
            if assessment.complete
            else "Not every assessed assignment is accepted: " + "; ".join(assessment.remaining),
            genre="Assessment",
        ),
    ]
    if (plan := _plan_evidence(award.enrollment)) is not None:
        items.append(plan)
    if award.override_reason:
        items.append(
            EvidenceItem(
                name="Staff decision",
                narrative="Eligibility confirmed by program staff (a recorded override).",
            )
        )
    return items


@transaction.atomic
def award_issue(*, award: Award, actor: Any, now: datetime | None = None) -> Award:
    """Build, validate and sign the credential of an eligible award, and mark it issued.

    The credential is signed twice: as a VC-JWT (RS256, the interoperable form every export
    carries) and with an embedded ``eddsa-rdfc-2022`` Data Integrity proof on the JSON form.
    """
    award = (
        Award.objects.select_for_update()
        .select_related("enrollment__cohort__course__program", "enrollment__learner")
        .get(pk=award.pk)
    )
    if award.status != Award.Status.ELIGIBLE:
        raise ApplicationError(
            f"Only an eligible award can be issued; this one is {award.get_status_display()}."
        )
    now = now or timezone.now()
    enrollment = award.enrollment
    cohort, learner = enrollment.cohort, enrollment.learner
    course, program = cohort.course, cohort.course.program
    status_list, index = _allocate(program)
    start, end = _activity(cohort)
    awarded = (
        cohort.graduation_event_at
        if cohort.graduation_event_at and (cohort.graduation_event_at <= now)
        else now
    )
    credential = achievement_credential(
        credential_id=selectors.absolute(reverse("credentials:verify", args=[award.public_id])),
        issuer=IssuerInfo(
            id=selectors.issuer_url(program), name=program.name, url=selectors.absolute("/")
        ),
        achievement=AchievementInfo(
            id=selectors.achievement_url(course),
            name=f"{course.title}: graduate",
            description=(course.summary or f"Graduated from {course.title}.").strip(),
            criteria_url=selectors.achievement_url(course),
            criteria_narrative=selectors.course_criteria(course=course),
            image_url=selectors.absolute(reverse("credentials:image", args=[course.slug])),
        ),
        recipient=Recipient(
            subject_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, _learner_key(learner.pk))}",
            name=str(learner),
            email=learner.email,
            salt=award.subject_salt,
        ),
        valid_from=now,
        awarded=awarded,
        evidence=_evidence(award),
        status=StatusEntry(
            list_url=selectors.absolute(
                reverse("credentials:status_list", args=[status_list.slug])
            ),
            index=index,
        ),
        activity_start=start,
        activity_end=end,
    )
    errors = schema_errors(credential)
    if errors:
        raise ApplicationError("The credential does not meet the OB 3.0 schema: " + errors[0])
    ring = selectors.keyring()
    rsa, ed25519 = ring.active("RS256"), ring.active("EdDSA")
    jwks = selectors.jwks_url()
    award.jwt = sign_credential(credential, key=rsa, kid=f"{jwks}#{rsa.thumbprint}")
    award.credential = add_proof(
        credential,
        private_key=ed25519.key.get_op_key("sign"),  # type: ignore[arg-type]
        verification_method=f"{jwks}#{ed25519.thumbprint}",
        created=isoformat(now),
    )
    award.key_thumbprint = rsa.thumbprint
    award.status_list, award.status_index = status_list, index
    award.issued_at = now
    award.status = Award.Status.ISSUED
    award.save()
    _event(award, action="issued", before=Award.Status.ELIGIBLE, actor=actor)
    return award


def _learner_key(pk: int) -> str:
    return f"{settings.BASE_URL}/learners/{pk}"


@transaction.atomic
def award_revoke(*, award: Award, actor: Any, reason: str) -> Award:
    """Revoke an issued badge: its bit in the public status list is set; the reason is kept."""
    if not reason.strip():
        raise ApplicationError("Revoking a badge needs a reason.")
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != Award.Status.ISSUED:
        raise ApplicationError(
            f"Only an issued badge can be revoked; this one is {award.get_status_display()}."
        )
    award.status = Award.Status.REVOKED
    award.revoked_at = timezone.now()
    award.revocation_reason = reason.strip()
    award.save()
    _event(award, action="revoked", before=Award.Status.ISSUED, actor=actor, reason=reason.strip())
    return award
