"""Reads: the issuer's public documents, awards by who may see them, and verification."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from copkit.academy.models import Cohort, Course, Program
from copkit.credentials.credential import isoformat
from copkit.credentials.keys import KeyRing, public_key_from_jwk
from copkit.credentials.models import Award, StatusList
from copkit.credentials.rules import criteria_narrative
from copkit.credentials.statuslist import status_list_credential
from copkit.credentials.verify import Verification, verify_credential
from copkit.errors import ApplicationError

__all__ = [
    "EXPORT_FORMATS",
    "absolute",
    "achievement_url",
    "award_export",
    "award_list",
    "award_verification",
    "awards_for_learner",
    "course_criteria",
    "issuer_profile",
    "issuer_url",
    "jwks_url",
    "keyring",
    "signed_claims",
    "status_list_document",
    "trusted_keys",
]


def absolute(path: str) -> str:
    """Return the public URL of a site path (``settings.BASE_URL`` + path)."""
    return f"{settings.BASE_URL}{path}"


def keyring() -> KeyRing:
    """The issuer's keys, from ``DATA_DIR/keys`` or the environment."""
    return KeyRing(Path(settings.DATA_DIR) / "keys")


def jwks_url() -> str:
    return absolute(reverse("credentials:jwks"))


def issuer_url(program: Program) -> str:
    return absolute(reverse("credentials:issuer", args=[program.slug]))


def achievement_url(course: Course) -> str:
    return absolute(reverse("credentials:achievement", args=[course.slug]))


def issuer_profile(*, program: Program) -> dict[str, Any]:
    """The issuer Profile document served at the issuer's id."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": issuer_url(program),
        "type": ["Profile"],
        "name": program.name,
        "url": absolute("/"),
        "description": program.description or f"Issuer of the badges of {program.name}.",
    }


def course_criteria(*, course: Course) -> str:
    """The badge criteria of ``course``, stated from its settings."""
    return criteria_narrative(
        course_title=course.title,
        planned_sessions=course.planned_sessions,
        absence_allowance=course.absence_allowance,
        requires_graduation_event=course.requires_graduation_event,
        graduation_requirements=course.graduation_requirements,
        excused_counts_as_absence=course.excused_counts_as_absence,
    )


def status_list_document(*, status_list: StatusList, signed: bool = False) -> dict[str, Any]:
    """The BitstringStatusListCredential of ``status_list``, built from the revoked awards.

    ``signed`` adds an ``eddsa-rdfc-2022`` proof by the issuer's Ed25519 key (the public
    document is signed; copkit's own verification page reads the list from the database).
    """
    revoked = Award.objects.filter(status_list=status_list, status=Award.Status.REVOKED)
    document = status_list_credential(
        list_url=absolute(reverse("credentials:status_list", args=[status_list.slug])),
        issuer_id=issuer_url(status_list.program),
        valid_from=isoformat(status_list.created_at),
        set_indexes=[a.status_index for a in revoked if a.status_index is not None],
        purpose=status_list.purpose,
        size=status_list.size,
    )
    if not signed:
        return document
    from django.utils import timezone

    from copkit.credentials.dataintegrity import add_proof

    ed25519 = keyring().active("EdDSA")
    return add_proof(
        document,
        private_key=ed25519.key.get_op_key("sign"),  # type: ignore[arg-type]
        verification_method=f"{jwks_url()}#{ed25519.thumbprint}",
        created=isoformat(timezone.now()),
    )


def trusted_keys() -> dict[str, Any]:
    """Every issuer public key by ``kid`` URI and by thumbprint (for offline verification)."""
    url = jwks_url()
    keys: dict[str, Any] = {}
    for issuer_key in keyring().issuer_keys():
        key = public_key_from_jwk(issuer_key.key.as_dict(private=False))
        keys[issuer_key.thumbprint] = key
        keys[f"{url}#{issuer_key.thumbprint}"] = key
    return keys


def award_verification(*, award: Award, now: datetime) -> Verification | None:
    """Verify the award's signed JWT against the issuer's own keys and status list."""
    if not award.jwt:
        return None
    lists: dict[str, Any] = {}
    if award.status_list is not None:
        document = status_list_document(status_list=award.status_list)
        lists[document["id"]] = document
    return verify_credential(
        award.jwt.encode("utf-8"), now=now, keys=trusted_keys(), status_lists=lists
    )


def awards_for_learner(*, user: Any) -> QuerySet[Award]:
    """The learner's own issued or revoked badges."""
    return Award.objects.filter(
        enrollment__learner=user, status__in=[Award.Status.ISSUED, Award.Status.REVOKED]
    ).select_related("enrollment__cohort__course")


def award_list(*, cohort: Cohort | None = None) -> QuerySet[Award]:
    """Every award (of one cohort), with what the pages show."""
    awards = Award.objects.select_related(
        "enrollment__cohort__course", "enrollment__learner"
    ).order_by("enrollment__cohort__slug", "enrollment__learner__username")
    return awards if cohort is None else awards.filter(enrollment__cohort=cohort)


EXPORT_FORMATS = ("json", "jwt", "png", "svg")


def award_export(*, award: Award, fmt: str) -> tuple[bytes, str, str]:
    """Return ``(content, media type, file name)`` of an issued badge in ``fmt``.

    ``json`` is the credential with its Data Integrity proof; ``jwt`` the VC-JWT; ``png`` and
    ``svg`` the badge image with the VC-JWT baked in.
    """
    import json

    from copkit.credentials.baking import bake_png, bake_svg
    from copkit.credentials.images import badge_png, badge_svg

    if not award.jwt or award.credential is None:
        raise ApplicationError("This award has not been issued, so there is nothing to export.")
    name = f"badge-{award.public_id}"
    if fmt == "json":
        text = json.dumps(award.credential, indent=2, ensure_ascii=False) + "\n"
        return text.encode("utf-8"), "application/json", f"{name}.json"
    if fmt == "jwt":
        return award.jwt.encode("ascii"), "application/jwt", f"{name}.jwt"
    if fmt == "png":
        return bake_png(badge_png(), award.jwt), "image/png", f"{name}.png"
    if fmt == "svg":
        title = award.enrollment.cohort.course.title
        return bake_svg(badge_svg(title), award.jwt), "image/svg+xml", f"{name}.svg"
    raise ApplicationError(f"Unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}.")


def signed_claims(verification: Verification) -> dict[str, Any]:
    """The claims a verification page shows, taken from the signed credential itself."""
    credential = verification.loaded.credential if verification.loaded else {}
    subject = credential.get("credentialSubject", {}) or {}
    achievement = subject.get("achievement", {}) or {}
    issuer = credential.get("issuer", {})
    names = [
        i.get("identityHash")
        for i in subject.get("identifier", []) or []
        if isinstance(i, dict) and i.get("identityType") == "name" and not i.get("hashed")
    ]
    return {
        "id": credential.get("id"),
        "recipient": names[0] if names else subject.get("id"),
        "subject_id": subject.get("id"),
        "achievement": achievement.get("name"),
        "achievement_id": achievement.get("id"),
        "description": achievement.get("description"),
        "criteria": (achievement.get("criteria") or {}).get("narrative", ""),
        "criteria_url": (achievement.get("criteria") or {}).get("id", ""),
        "issuer": issuer.get("name") if isinstance(issuer, dict) else issuer,
        "issuer_id": issuer.get("id") if isinstance(issuer, dict) else issuer,
        "valid_from": credential.get("validFrom"),
        "valid_until": credential.get("validUntil"),
        "awarded": credential.get("awardedDate"),
        "activity_start": subject.get("activityStartDate"),
        "activity_end": subject.get("activityEndDate"),
        "evidence": credential.get("evidence", []),
        "kid": verification.loaded.header.get("kid") if verification.loaded else None,
        "alg": verification.loaded.header.get("alg") if verification.loaded else None,
    }
