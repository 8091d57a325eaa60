"""Pages: public documents and verification, the permission matrix of the staff pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from copkit.accounts.models import User
from copkit.credentials import services
from copkit.credentials.baking import unbake
from copkit.credentials.models import Award
from copkit.credentials.statuslist import bit_is_set
from copkit.credentials.verify import verify_credential
from tests.conftest import PASSWORD
from tests.credentials.conftest import EnrollFn, FakeAssessment, FakeStanding, Standings

pytestmark = pytest.mark.django_db

GRADUATED = (FakeStanding(True), FakeAssessment(True))


@pytest.fixture
def issued(standings: Standings, enroll: EnrollFn, staff: User) -> Award:
    enrollment = enroll("lara")
    enrollment.learner.display_name = "Lena Learner"
    enrollment.learner.save()
    standings[enrollment.pk] = GRADUATED
    award = services.award_evaluate(enrollment=enrollment)
    assert award is not None
    return services.award_issue(award=award, actor=staff)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def test_public_documents(issued: Award) -> None:
    client = Client()
    jwks = client.get(reverse("credentials:jwks")).json()
    assert {k["alg"] for k in jwks["keys"]} == {"RS256", "EdDSA"}
    assert all("d" not in k for k in jwks["keys"])
    issuer = client.get(reverse("credentials:issuer", args=["cmcp"])).json()
    assert issuer["type"] == ["Profile"] and issuer["id"] == "http://testserver/badges/issuers/cmcp"
    page = client.get(reverse("credentials:achievement", args=["communities-of-practice"]))
    assert b"at least 14 of the 16 planned sessions" in page.content
    assert issued.status_list is not None
    status = client.get(reverse("credentials:status_list", args=[issued.status_list.slug])).json()
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert not bit_is_set(status["credentialSubject"]["encodedList"], issued.status_index or 0)


def test_verification_page_shows_the_signed_claims(issued: Award) -> None:
    response = Client().get(reverse("credentials:verify", args=[issued.public_id]))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="badge-status">valid<' in text
    assert "Lena Learner" in text
    assert "Communities of Practice: graduate" in text
    assert "Community Manager Certification Program" in text
    assert "at least 14 of the 16 planned sessions" in text
    assert "Attended 15 of 16 planned sessions." in text


def test_verification_json_and_revocation(issued: Award, staff: User) -> None:
    url = reverse("credentials:verify_json", args=[issued.public_id])
    assert Client().get(url).json()["status"] == "valid"
    services.award_revoke(award=issued, actor=staff, reason="Withdrawn by the program")
    body = Client().get(url).json()
    assert body["status"] == "revoked"
    assert any(c["name"] == "status" and c["outcome"] == "fail" for c in body["checks"])
    page = Client().get(reverse("credentials:verify", args=[issued.public_id]))
    assert b'id="badge-status">revoked<' in page.content


def test_tampered_jwt_is_shown_as_tampered(issued: Award) -> None:
    head, body, sig = issued.jwt.split(".")
    Award.objects.filter(pk=issued.pk).update(jwt=f"{head}.{body}.{sig[:-8]}AAAAAAAA")
    page = Client().get(reverse("credentials:verify", args=[issued.public_id]))
    assert b'id="badge-status">tampered<' in page.content


@pytest.mark.parametrize("fmt", ["json", "jwt", "png", "svg"])
def test_downloads_verify(issued: Award, fmt: str) -> None:
    from copkit.credentials.selectors import status_list_document, trusted_keys

    response = Client().get(reverse("credentials:download", args=[issued.public_id, fmt]))
    assert response.status_code == 200
    content = b"".join(response)  # type: ignore[arg-type]
    if fmt in ("png", "svg"):
        assert unbake(content) == issued.jwt
    assert issued.status_list is not None
    document = status_list_document(status_list=issued.status_list)
    result = verify_credential(
        content,
        now=issued.issued_at,  # type: ignore[arg-type]
        keys=trusted_keys(),
        status_lists={document["id"]: document},
    )
    assert result.status == "valid", result.checks


def test_unknown_badge_is_404(db: None) -> None:
    url = reverse("credentials:verify", args=["00000000-0000-4000-8000-000000000000"])
    assert Client().get(url).status_code == 404


def test_learner_panel_links_to_the_verification_page(issued: Award) -> None:
    client = client_for(issued.enrollment.learner)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("credentials:verify", args=[issued.public_id]) in page


def test_other_learners_see_no_badge_of_hers(issued: Award, learner: User) -> None:
    page = client_for(learner).get(reverse("dashboard")).content.decode()
    assert str(issued.public_id) not in page


STAFF_PAGES = ["manage", "evaluate", "issue", "revoke", "override"]


def _request(client: Client, page: str, award: Award) -> Any:
    if page == "manage":
        return client.get(reverse("credentials:manage"))
    if page == "evaluate":
        return client.post(reverse("credentials:manage_evaluate", args=["cop-2026-spring"]))
    if page == "issue":
        return client.post(reverse("credentials:manage_issue", args=[award.public_id]))
    if page == "revoke":
        return client.post(
            reverse("credentials:manage_revoke", args=[award.public_id]), {"reason": "test"}
        )
    return client.post(
        reverse("credentials:manage_override", args=[award.enrollment_id]), {"reason": "test"}
    )


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 302), ("learner", 403), ("facilitator", 403)]
)
def test_staff_pages_refuse_others(
    request: pytest.FixtureRequest, issued: Award, page: str, who: str, expected: int
) -> None:
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = _request(client_for(user), page, issued)
    assert response.status_code == expected
    if expected == 302:
        assert reverse("login") in response["Location"]
    issued.refresh_from_db()
    assert issued.status == Award.Status.ISSUED


def test_staff_can_evaluate_issue_and_revoke(
    standings: Standings, enroll: EnrollFn, staff: User
) -> None:
    client = client_for(staff)
    enrollment = enroll("gina")
    standings[enrollment.pk] = GRADUATED
    response = _request(client, "evaluate", None)  # type: ignore[arg-type]
    assert response.status_code == 302
    award = Award.objects.get(enrollment=enrollment)
    assert b"gina" in client.get(reverse("credentials:manage")).content
    client.post(reverse("credentials:manage_issue", args=[award.public_id]))
    award.refresh_from_db()
    assert award.status == Award.Status.ISSUED
    missing = client.post(reverse("credentials:manage_revoke", args=[award.public_id]), {})
    assert missing.status_code == 302
    award.refresh_from_db()
    assert award.status == Award.Status.ISSUED
    client.post(reverse("credentials:manage_revoke", args=[award.public_id]), {"reason": "x"})
    award.refresh_from_db()
    assert award.status == Award.Status.REVOKED
    page = client.get(reverse("credentials:manage"))
    assert b"x" in page.content


def test_cli_style_fetch_gets_the_jwt(issued: Award) -> None:
    response = Client().get(
        reverse("credentials:verify", args=[issued.public_id]), HTTP_ACCEPT="application/jwt"
    )
    assert response.content.decode() == issued.jwt
    assert json.loads(Client().get(reverse("credentials:jwks")).content)["keys"]


def test_online_verification_with_the_signed_status_list(issued: Award, staff: User) -> None:
    client = Client()

    def fetch(url: str) -> bytes:
        assert url.startswith("http://testserver/")
        return b"".join(client.get(url.removeprefix("http://testserver")))  # type: ignore[arg-type]

    result = verify_credential(issued.jwt.encode(), now=issued.issued_at, fetch=fetch)  # type: ignore[arg-type]
    assert result.status == "valid", result.checks
    assert result.check("status-list") is None  # signed, and the proof holds
    services.award_revoke(award=issued, actor=staff, reason="test")
    result = verify_credential(issued.jwt.encode(), now=issued.issued_at, fetch=fetch)  # type: ignore[arg-type]
    assert result.status == "revoked"


def test_admin_is_read_only(issued: Award, staff: User) -> None:
    client = client_for(staff)
    assert client.get("/admin/credentials/award/").status_code == 200
    assert client.get(f"/admin/credentials/award/{issued.pk}/change/").status_code == 200
    assert client.get("/admin/credentials/award/add/").status_code == 403
    response = client.post(f"/admin/credentials/award/{issued.pk}/change/", {"status": "revoked"})
    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.status == Award.Status.ISSUED
