"""Writes on accounts."""

from __future__ import annotations

from django.db import transaction

from copkit.accounts.models import Role, User
from copkit.errors import ApplicationError


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    role: str = Role.LEARNER,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user with a role; program staff may use the admin."""
    if role not in Role.values:
        raise ApplicationError(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(f"A user named {username!r} already exists.")
    user = User(
        username=username,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        is_staff=(role == Role.STAFF),
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    return user
