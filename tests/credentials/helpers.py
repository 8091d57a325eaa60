"""Shared builders for the credentials tests: a sample credential and a fresh key ring."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from copkit.credentials.credential import (
    AchievementInfo,
    EvidenceItem,
    IssuerInfo,
    Recipient,
    StatusEntry,
    achievement_credential,
)

ROOT = Path(__file__).resolve().parents[2]
# ``shared/`` sits beside the checkout (main) or one level up (a worktree under wt/).
SHARED = next(
    (p for p in (ROOT / ".." / "shared", ROOT / ".." / ".." / "shared") if p.is_dir()),
    ROOT / ".." / "shared",
)
CONFORMANCE = SHARED / "conformance" / "openbadges"
EXAMPLES = CONFORMANCE / "ob_v3p0" / "examples"
BASE = "https://copkit.example.org"
JWKS = f"{BASE}/badges/jwks.json"
LIST_URL = f"{BASE}/badges/status/revocation-1.json"
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def sample_credential(*, email: str = "lena@example.org", index: int = 3) -> dict[str, Any]:
    return achievement_credential(
        credential_id=f"{BASE}/badges/7f1c0d7e-0000-4000-8000-000000000001/",
        issuer=IssuerInfo(id=f"{BASE}/badges/issuers/cmcp", name="CMCP", url=f"{BASE}/"),
        achievement=AchievementInfo(
            id=f"{BASE}/badges/achievements/communities-of-practice",
            name="Communities of Practice: graduate",
            description="Graduated from Communities of Practice.",
            criteria_url=f"{BASE}/badges/achievements/communities-of-practice",
            criteria_narrative="Attend at least 14 of the 16 planned sessions.",
        ),
        recipient=Recipient(
            subject_id="urn:uuid:0d6c1f2e-1111-4111-8111-111111111111",
            name="Lena Learner",
            email=email,
            salt="pepper",
        ),
        valid_from=datetime(2026, 5, 1, tzinfo=UTC),
        awarded=datetime(2026, 4, 30, 18, tzinfo=UTC),
        evidence=[EvidenceItem(name="Attendance", narrative="Attended 15 of 16 sessions.")],
        status=StatusEntry(list_url=LIST_URL, index=index),
        activity_start=datetime(2026, 3, 2, 14, tzinfo=UTC),
        activity_end=datetime(2026, 4, 23, 14, tzinfo=UTC),
    )
