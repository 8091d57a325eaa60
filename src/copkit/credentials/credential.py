"""Build an Open Badges 3.0 AchievementCredential as plain JSON (no signing, no I/O).

The output follows the strict "plain JSON" variant of the 1EdTech schema: every ``type`` is an
array, ``evidence`` is an array, and the ``@context`` is the VC 2.0 context followed by the OB
3.0.3 context, as in the conformance examples.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from copkit.credentials.documents import OB_CONTEXT, SCHEMA_ID, VC_V2_CONTEXT

__all__ = [
    "AchievementInfo",
    "EvidenceItem",
    "IssuerInfo",
    "Recipient",
    "StatusEntry",
    "achievement_credential",
    "email_identity_hash",
    "isoformat",
]


@dataclass(frozen=True)
class IssuerInfo:
    """The issuer Profile: who signs the badge."""

    id: str
    name: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class AchievementInfo:
    """The Achievement: what the badge is for; ``id`` is stable across cohorts and earners."""

    id: str
    name: str
    description: str
    criteria_url: str
    criteria_narrative: str
    image_url: str = ""


@dataclass(frozen=True)
class Recipient:
    """The earner: an opaque subject id, a display name and a salted hash of the e-mail."""

    subject_id: str
    name: str
    email: str
    salt: str


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence (the attendance summary, the knowledge management plan)."""

    name: str
    narrative: str
    id: str = ""
    genre: str = ""


@dataclass(frozen=True)
class StatusEntry:
    """Where the credential's revocation bit lives (a BitstringStatusListEntry)."""

    list_url: str
    index: int
    purpose: str = "revocation"


def isoformat(moment: datetime) -> str:
    """Return ``moment`` in UTC as ``YYYY-MM-DDThh:mm:ssZ`` (the form the examples use)."""
    if moment.tzinfo is None:
        raise ValueError("a credential date must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def email_identity_hash(email: str, salt: str) -> str:
    """Return the OB IdentityHash ``sha256$<hex>`` of a normalised e-mail address and salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def achievement_credential(
    *,
    credential_id: str,
    issuer: IssuerInfo,
    achievement: AchievementInfo,
    recipient: Recipient,
    valid_from: datetime,
    awarded: datetime,
    evidence: list[EvidenceItem],
    status: StatusEntry | None,
    activity_start: datetime | None = None,
    activity_end: datetime | None = None,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """Return an OpenBadgeCredential (AchievementCredential) as a JSON-ready dict.

    Parameters
    ----------
    credential_id
        A URL that identifies this credential for good (copkit uses the verification page).
    issuer, achievement, recipient
        Who issues, for what, to whom.
    valid_from, awarded
        When the credential becomes valid and when the achievement was awarded (aware).
    evidence
        Evidence entries, in order.
    status
        The revocation entry, or None for a credential that cannot be revoked.
    activity_start, activity_end
        The cohort's activity dates, recorded on the credential subject.
    valid_until
        Expiry, if any.

    Returns
    -------
    dict
        The unsigned credential; sign it with :func:`copkit.credentials.jwt.sign_credential`.
    """
    achievement_json: dict[str, Any] = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"id": achievement.criteria_url, "narrative": achievement.criteria_narrative},
    }
    if achievement.image_url:
        achievement_json["image"] = {"id": achievement.image_url, "type": "Image"}
    subject: dict[str, Any] = {
        "id": recipient.subject_id,
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": recipient.name,
            },
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": email_identity_hash(recipient.email, recipient.salt),
                "salt": recipient.salt,
            },
        ],
        "achievement": achievement_json,
    }
    if activity_start is not None:
        subject["activityStartDate"] = isoformat(activity_start)
    if activity_end is not None:
        subject["activityEndDate"] = isoformat(activity_end)
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "description": f"{recipient.name}: {achievement.name}",
        "issuer": {
            "id": issuer.id,
            "type": ["Profile"],
            "name": issuer.name,
            "url": issuer.url,
            **({"description": issuer.description} if issuer.description else {}),
        },
        "validFrom": isoformat(valid_from),
        "awardedDate": isoformat(awarded),
        "credentialSubject": subject,
        "credentialSchema": [{"id": SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if valid_until is not None:
        credential["validUntil"] = isoformat(valid_until)
    if evidence:
        credential["evidence"] = [_evidence(item) for item in evidence]
    if status is not None:
        credential["credentialStatus"] = {
            "id": f"{status.list_url}#{status.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": status.purpose,
            "statusListIndex": str(status.index),
            "statusListCredential": status.list_url,
        }
    return credential


def _evidence(item: EvidenceItem) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": ["Evidence"], "name": item.name, "narrative": item.narrative}
    if item.id:
        entry["id"] = item.id
    if item.genre:
        entry["genre"] = item.genre
    return entry
