"""Every attendance page with the permission matrix, and what each role can do there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from copkit.accounts.models import Role
from copkit.attendance.models import AttendanceMark, StaffWaiver, ZoomImport
from copkit.attendance.services import attendance_mark, attendance_mark_session
from tests.attendance import factories as f
from tests.conftest import make_user

FIXTURE = Path(__file__).parent / "fixtures" / "zoom" / "participants.csv"


def text(response) -> str:
    """The page's visible text, tags stripped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


WHO = ["anonymous", "learner", "facilitator", "other_facilitator", "staff"]


@pytest.fixture
def world(learner, facilitator, staff):
    c = f.cohort(facilitator=facilitator)
    e = f.enroll(c, learner)
    # Sessions must be in the past for marking through the pages.
    return {
        "cohort": c,
        "enrollment": e,
        "users": {
            "learner": learner,
            "facilitator": facilitator,
            "other_facilitator": make_user("ofelia", Role.FACILITATOR),
            "staff": staff,
        },
    }


def _login(client, world, who: str) -> None:
    if who != "anonymous":
        client.force_login(world["users"][who])


def _urls(world) -> dict[str, tuple[str, set[str]]]:
    slug = world["cohort"].slug
    e = world["enrollment"]
    manage = {"facilitator", "staff"}
    return {
        "cohort": (reverse("attendance:cohort", args=[slug]), manage),
        "roster": (reverse("attendance:roster", args=[slug, 1]), manage),
        "graduation": (reverse("attendance:graduation", args=[slug]), manage),
        "import": (reverse("attendance:import", args=[slug, 1]), manage),
        "export": (reverse("attendance:export", args=[slug, "outcomes", "csv"]), manage),
        "audit": (reverse("attendance:audit", args=[slug]), {"staff"}),
        "close": (reverse("attendance:close", args=[slug]), {"staff"}),
        "waiver": (reverse("attendance:waiver", args=[slug, e.pk]), {"staff"}),
    }


@pytest.mark.parametrize("who", WHO)
def test_permission_matrix(client, world, who) -> None:
    _login(client, world, who)
    home = client.get(reverse("attendance:home"))
    assert home.status_code == (302 if who == "anonymous" else 200)
    for name, (url, allowed) in _urls(world).items():
        response = client.get(url)
        if who == "anonymous":
            expected = 302
        elif who in allowed:
            expected = 200
        else:
            expected = 403
        assert response.status_code == expected, (name, who)


def test_learner_sees_only_their_own_attendance(client, world) -> None:
    c = world["cohort"]
    other = f.enroll(c, "otto")
    fac = world["users"]["facilitator"]
    now = f.after_course(c)
    attendance_mark(
        enrollment=world["enrollment"], session=f.session(c, 1), status="absent", by=fac, now=now
    )
    attendance_mark(enrollment=other, session=f.session(c, 1), status="present", by=fac, now=now)
    client.force_login(world["users"]["learner"])
    page = text(client.get(reverse("attendance:home")))
    assert "1 absence left" in page and "otto" not in page
    assert "Session 2 (" in page  # what remains
    dashboard = text(client.get(reverse("dashboard")))
    assert "At risk" not in dashboard and "1 absence left" in dashboard


def test_facilitator_marks_all_present_then_an_exception(client, world) -> None:
    c, e = world["cohort"], world["enrollment"]
    second = f.enroll(c, "otto")
    client.force_login(world["users"]["facilitator"])
    url = reverse("attendance:roster", args=[c.slug, 1])
    response = client.post(url, {"all_present": "1"}, follow=True)
    assert "Marked 2 learners present" in response.content.decode()
    response = client.post(
        url,
        {
            f"status_{e.pk}": "present",
            f"status_{second.pk}": "late",
            f"reason_{second.pk}": "joined at 11:20",
            f"reason_{e.pk}": "",
        },
        follow=True,
    )
    assert "1 marks changed" in response.content.decode()
    last = AttendanceMark.objects.filter(enrollment=second).order_by("-id").first()
    assert (last.previous_status, last.status, last.reason) == (
        "present",
        "late",
        "joined at 11:20",
    )
    matrix = client.get(reverse("attendance:cohort", args=[c.slug])).content.decode()
    assert 'class="mark-late"' in matrix


def test_roster_refusal_is_a_message_not_a_crash(client, world) -> None:
    c, e = world["cohort"], world["enrollment"]
    c.status = "closed"
    c.save()
    client.force_login(world["users"]["facilitator"])
    url = reverse("attendance:roster", args=[c.slug, 1])
    response = client.post(url, {f"status_{e.pk}": "absent", f"reason_{e.pk}": ""}, follow=True)
    assert response.status_code == 200 and "is closed" in response.content.decode()
    assert not AttendanceMark.objects.exists()


def test_unknown_cohort_and_session_are_404(client, world) -> None:
    client.force_login(world["users"]["staff"])
    assert client.get(reverse("attendance:cohort", args=["nope"])).status_code == 404
    assert (
        client.get(reverse("attendance:roster", args=[world["cohort"].slug, 99])).status_code == 404
    )
    url = reverse("attendance:export", args=[world["cohort"].slug, "secrets", "csv"])
    assert client.get(url).status_code == 404


def _upload(client, c, content: bytes, tz: str = "America/New_York"):
    return client.post(
        reverse("attendance:import", args=[c.slug, 1]),
        {
            "report": SimpleUploadedFile("participants.csv", content, content_type="text/csv"),
            "min_minutes": 60,
            "timezone": tz,
        },
    )


def test_zoom_upload_preview_then_confirm(client, world) -> None:
    c = world["cohort"]
    enrolled = {}
    for name, first, last in (("ana", "Ana", "Lopez"), ("ben", "Ben", "Okafor")):
        u = make_user(name)
        u.first_name, u.last_name = first, last
        u.save()
        enrolled[name] = f.enroll(c, u)
    fac = world["users"]["facilitator"]
    attendance_mark(
        enrollment=enrolled["ben"],
        session=f.session(c, 1),
        status="excused",
        by=fac,
        now=f.after_course(c),
    )
    client.force_login(fac)
    response = _upload(client, c, FIXTURE.read_bytes())
    assert response.status_code == 302
    preview = text(client.get(response["Location"]))
    assert "Matched (2)" in preview and "iPhone de Eva" in preview and "lena" in preview
    assert "excused (kept)" in preview
    assert AttendanceMark.objects.count() == 1  # nothing applied before confirming
    response = client.post(response["Location"], follow=True)
    page = text(response)
    assert "Imported: 1 marks recorded" in page
    assert "Ben Okafor: kept excused (the report says present)" in page
    assert AttendanceMark.objects.count() == 2
    upload = ZoomImport.objects.get()
    assert upload.applied_at is not None
    again = client.post(reverse("attendance:import_preview", args=[c.slug, upload.pk]), follow=True)
    assert "already applied" in again.content.decode()
    assert AttendanceMark.objects.count() == 2


def test_malformed_upload_names_line_and_column_and_stores_nothing(client, world) -> None:
    c = world["cohort"]
    client.force_login(world["users"]["facilitator"])
    bad = (
        b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        b"Ana,ana@example.org,yesterday,09/01/2026 12:00 PM,60,No\n"
    )
    response = _upload(client, c, bad)
    assert response.status_code == 200
    assert "line 2, column &quot;Join Time&quot;" in response.content.decode()
    assert not ZoomImport.objects.exists()
    response = _upload(client, c, FIXTURE.read_bytes(), tz="Mars/Olympus")
    assert "Unknown time zone" in response.content.decode()


def test_staff_waiver_close_and_audit(client, world) -> None:
    c, e = world["cohort"], world["enrollment"]
    fac = world["users"]["facilitator"]
    now = f.after_course(c)
    for n in range(1, 17):
        attendance_mark(
            enrollment=e,
            session=f.session(c, n),
            status="absent" if n < 4 else "present",
            by=fac,
            now=now,
        )
    client.force_login(world["users"]["staff"])
    close_url = reverse("attendance:close", args=[c.slug])
    response = client.post(close_url, follow=True)
    assert "cannot close yet" in response.content.decode()
    event = c.sessions.get(kind="graduation")
    attendance_mark(enrollment=e, session=event, status="present", by=fac, now=now)
    waiver_url = reverse("attendance:waiver", args=[c.slug, e.pk])
    assert client.post(waiver_url, {"reason": ""}).status_code == 200
    client.post(waiver_url, {"reason": "Bereavement leave"})
    assert StaffWaiver.objects.get().reason == "Bereavement leave"
    response = client.post(close_url, follow=True)
    assert "1 of 1 graduated" in response.content.decode()
    audit = client.get(
        reverse("attendance:audit", args=[c.slug]) + "?learner=lena"
    ).content.decode()
    assert "unmarked → absent" in audit and fac.username in audit
    # Times are shown in the cohort's zone: marked at 11:00 New York on the day after the course.
    assert f"{now:%Y-%m-%d} 11:00" in audit


def test_exports_from_the_web(client, world) -> None:
    c = world["cohort"]
    client.force_login(world["users"]["facilitator"])
    csv_response = client.get(reverse("attendance:export", args=[c.slug, "outcomes", "csv"]))
    assert csv_response["Content-Type"].startswith("text/csv")
    header = csv_response.content.decode().splitlines()[0].split(",")
    assert header[:3] == ["learner", "name", "track"]
    xlsx = client.get(reverse("attendance:export", args=[c.slug, "matrix", "xlsx"]))
    assert xlsx.content[:2] == b"PK"
    assert "cop-test-matrix.xlsx" in xlsx["Content-Disposition"]


def test_admin_shows_marks_read_only(client, world) -> None:
    c, e = world["cohort"], world["enrollment"]
    mark = attendance_mark(
        enrollment=e,
        session=f.session(c, 1),
        status="present",
        by=world["users"]["facilitator"],
        now=f.after_course(c),
    )
    client.force_login(world["users"]["staff"])
    assert client.get("/admin/attendance/attendancemark/").status_code == 200
    assert client.get(f"/admin/attendance/attendancemark/{mark.pk}/change/").status_code == 200
    assert client.get("/admin/attendance/attendancemark/add/").status_code == 403
    response = client.post(f"/admin/attendance/attendancemark/{mark.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AttendanceMark.objects.count() == 1


def test_matrix_takes_few_queries(client, world, django_assert_max_num_queries) -> None:
    c = world["cohort"]
    fac = world["users"]["facilitator"]
    enrollments = [f.enroll(c, f"learner{i:02d}") for i in range(1, 21)]
    for n in range(1, 9):
        attendance_mark_session(
            session=f.session(c, n),
            statuses={e.pk: "present" for e in enrollments},
            by=fac,
            now=f.after_course(c),
        )
    client.force_login(fac)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("attendance:cohort", args=[c.slug]))
    assert response.status_code == 200 and text(response).count("On track") == 21


def test_dashboard_panel_for_facilitators_counts_learners_at_risk(client, world) -> None:
    c, e = world["cohort"], world["enrollment"]
    fac = world["users"]["facilitator"]
    for n in (1, 2):
        attendance_mark(
            enrollment=e, session=f.session(c, n), status="absent", by=fac, now=f.after_course(c)
        )
    client.force_login(fac)
    page = text(client.get(reverse("dashboard")))
    assert "Cop Test : 1 learner · 1 at risk" in page
    client.force_login(world["users"]["other_facilitator"])
    assert "Cop Test" not in text(client.get(reverse("dashboard")))


def test_roster_rejects_a_forged_status(client, world) -> None:
    c, e = world["cohort"], world["enrollment"]
    client.force_login(world["users"]["facilitator"])
    url = reverse("attendance:roster", args=[c.slug, 1])
    response = client.post(url, {f"status_{e.pk}": "teleported", f"reason_{e.pk}": ""})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not AttendanceMark.objects.exists()
