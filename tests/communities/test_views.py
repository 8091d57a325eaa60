"""Community pages: who may see what, the report on the page, and the downloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from copkit.accounts.models import Role, User
from copkit.communities.models import Community
from copkit.communities.services import NOT_ANALYSED, community_create
from tests.conftest import make_user

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "analysis-example.json"


@pytest.fixture
def analysis() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    return data


@pytest.fixture
def owner(db: None) -> User:
    return make_user("olga", Role.LEARNER)


@pytest.fixture
def community(owner: User, analysis: dict[str, Any], tmp_path: Path) -> Community:
    c = community_create(name="Research Software Guild", owner=owner, store_path=tmp_path / "s")
    c.analysis_json = analysis
    c.save()
    return c


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pages(slug: str) -> list[str]:
    return [
        reverse("communities:detail", args=[slug]),
        *(reverse("communities:download", args=[slug, f]) for f in ("html", "md", "json")),
    ]


@pytest.mark.parametrize("shared", [False, True])
def test_permission_matrix(
    community: Community,
    owner: User,
    learner: User,
    facilitator: User,
    staff: User,
    shared: bool,
) -> None:
    community.shared_with_staff = shared
    community.save()
    expected = {
        "anonymous": 302,
        "owner": 200,
        "other learner": 404,
        "facilitator": 404,
        "staff": 200 if shared else 404,
    }
    users: dict[str, User | None] = {
        "anonymous": None,
        "owner": owner,
        "other learner": learner,
        "facilitator": facilitator,
        "staff": staff,
    }
    for who, user in users.items():
        client = client_for(user)
        for url in pages(community.slug):
            response = client.get(url)
            assert response.status_code == expected[who], (who, url)
            if who == "anonymous":
                assert response["Location"].startswith(reverse("login"))
        listing = client.get(reverse("communities:list"))
        if who == "anonymous":
            assert listing.status_code == 302
        else:
            visible = expected[who] == 200
            assert (community.name in listing.content.decode()) is visible, who


def test_the_page_shows_the_report(community: Community, owner: User) -> None:
    response = client_for(owner).get(reverse("communities:detail", args=[community.slug]))
    html = response.content.decode()
    assert "Levels of participation" in html
    assert html.count("<svg") == 7
    assert 'class="copkit-report"' in html
    assert "not defined: fewer than 90 days" in html
    for fmt in ("html", "md", "pdf", "json"):
        assert reverse("communities:download", args=[community.slug, fmt]) in html


@pytest.mark.parametrize(
    ("fmt", "content_type", "start"),
    [
        ("html", "text/html; charset=utf-8", b"<!doctype html>"),
        ("md", "text/markdown; charset=utf-8", b"# Research Software Guild: community report"),
        ("json", "application/json", b"{"),
    ],
)
def test_downloads(
    community: Community, owner: User, fmt: str, content_type: str, start: bytes
) -> None:
    response = client_for(owner).get(reverse("communities:download", args=[community.slug, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="{community.slug}-report.{fmt}"'
    )
    assert response.content.startswith(start)
    if fmt == "json":
        assert json.loads(response.content)["format"] == "copkit-analysis"


@pytest.mark.slow
def test_pdf_download(community: Community, owner: User) -> None:
    response = client_for(owner).get(reverse("communities:download", args=[community.slug, "pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_unknown_format_is_404(community: Community, owner: User) -> None:
    url = reverse("communities:download", args=[community.slug, "docx"])
    assert client_for(owner).get(url).status_code == 404


def test_a_community_not_analysed_yet_says_so(owner: User, tmp_path: Path) -> None:
    community = community_create(name="New one", owner=owner, store_path=tmp_path / "n")
    client = client_for(owner)
    page = client.get(reverse("communities:detail", args=[community.slug]))
    assert page.status_code == 200
    assert NOT_ANALYSED in page.content.decode()
    assert "<svg" not in page.content.decode()
    download = client.get(reverse("communities:download", args=[community.slug, "html"]))
    assert download.status_code == 409
    assert NOT_ANALYSED in download.content.decode()


def test_a_broken_analysis_is_explained_not_a_crash(community: Community, owner: User) -> None:
    assert community.analysis_json is not None
    community.analysis_json["version"] = 99
    community.save()
    page = client_for(owner).get(reverse("communities:detail", args=[community.slug]))
    assert page.status_code == 200
    assert "version 99 is not supported" in page.content.decode()


def test_dashboard_panel_and_navigation(community: Community, owner: User, learner: User) -> None:
    dashboard = client_for(owner).get(reverse("dashboard")).content.decode()
    assert "Your communities" in dashboard and community.name in dashboard
    other = client_for(learner).get(reverse("dashboard")).content.decode()
    assert "Your communities" not in other
    home = Client().get(reverse("home")).content.decode()
    assert f'href="{reverse("communities:list")}"' in home and "Communities" in home


def test_slugs_are_unique(owner: User, tmp_path: Path) -> None:
    from copkit.errors import ApplicationError

    community_create(name="Guild", owner=owner, store_path=tmp_path)
    with pytest.raises(ApplicationError, match="already exists"):
        community_create(name="Guild", owner=owner, store_path=tmp_path)
