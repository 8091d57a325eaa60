from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from copkit.accounts.models import Role
from copkit.accounts.services import user_create
from copkit.errors import ApplicationError
from tests.conftest import PASSWORD


def test_staff_role_grants_admin(db: None) -> None:
    user = user_create(username="s", email="s@example.org", password=PASSWORD, role=Role.STAFF)
    assert user.is_staff and user.is_program_staff


def test_unknown_role_is_refused(db: None) -> None:
    with pytest.raises(ApplicationError, match="Unknown role"):
        user_create(username="x", email="x@example.org", password=PASSWORD, role="wizard")


def test_duplicate_username_is_refused(learner) -> None:
    with pytest.raises(ApplicationError, match="already exists"):
        user_create(username="lena", email="other@example.org", password=PASSWORD)


def test_sign_in_and_out(client, learner) -> None:
    response = client.post(reverse("login"), {"username": "lena", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_wrong_password_is_an_error_on_the_form(client, learner) -> None:
    response = client.post(reverse("login"), {"username": "lena", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def test_password_reset_by_email(client, learner) -> None:
    client.post(reverse("password_reset"), {"email": "lena@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/reset/\S+/", mail.outbox[0].body)
    assert link is not None
    response = client.get(link.group(0), follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    assert client.login(username="lena", password="a new long passphrase")


@pytest.mark.parametrize("who", ["anonymous", "learner", "facilitator", "staff"])
def test_admin_is_for_staff_only(client, who, learner, facilitator, staff) -> None:
    users = {"learner": learner, "facilitator": facilitator, "staff": staff}
    if who != "anonymous":
        client.force_login(users[who])
    response = client.get("/admin/")
    assert response.status_code == (200 if who == "staff" else 302)
