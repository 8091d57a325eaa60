"""Fixtures shared by every test: users in each role, made fresh for each test."""

from __future__ import annotations

import pytest

from copkit.accounts.models import Role, User
from copkit.accounts.services import user_create

PASSWORD = "correct horse battery staple"


def make_user(username: str, role: str = Role.LEARNER) -> User:
    return user_create(
        username=username, email=f"{username}@example.org", password=PASSWORD, role=role
    )


@pytest.fixture
def learner(db: None) -> User:
    return make_user("lena", Role.LEARNER)


@pytest.fixture
def facilitator(db: None) -> User:
    return make_user("fatima", Role.FACILITATOR)


@pytest.fixture
def staff(db: None) -> User:
    return make_user("sam", Role.STAFF)
