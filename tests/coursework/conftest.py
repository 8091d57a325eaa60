from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.coursework.fake_slack import FakeSlack


@pytest.fixture(autouse=True)
def _isolated(settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Uploads and keys in a temporary dir; fast Slack back-off."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    # Fast password hashing for the many users these tests create (never in production).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    settings.COPKIT_SLACK_BACKOFF = 0.01  # type: ignore[attr-defined]
    settings.COPKIT_SLACK_RETRIES = 2  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    monkeypatch.setenv("COPKIT_FERNET_KEY", Fernet.generate_key().decode())


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
