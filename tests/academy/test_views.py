from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from copkit.academy.models import Cohort, Enrollment, PrerequisiteWaiver, Session
from copkit.accounts.models import Role, User
from tests.academy.conftest import apply, ready
from tests.conftest import make_user

ROLES = ["anonymous", "learner", "facilitator", "cohort_facilitator", "staff"]


@pytest.fixture
def people(cohort: Cohort, learner: User, facilitator: User, staff: User) -> dict[str, User]:
    own = make_user("olga", Role.FACILITATOR)
    cohort.facilitators.add(own)
    return {
        "learner": learner,
        "facilitator": facilitator,
        "cohort_facilitator": own,
        "staff": staff,
    }


def _client(role: str, people: dict[str, User]) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    return client


def _status(response: Any) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return int(response.status_code)


PUBLIC = {role: 200 for role in ROLES}
STAFF_ONLY = {
    "anonymous": "login",
    "learner": 403,
    "facilitator": 403,
    "cohort_facilitator": 403,
    "staff": 200,
}


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("academy:catalog", [], PUBLIC),
        ("academy:course_detail", ["communities-of-practice"], PUBLIC),
        ("academy:cohort_detail", ["cop-test"], PUBLIC),
        ("academy:cohort_feed", ["cop-test"], PUBLIC),
        ("academy:cohort_create", [], STAFF_ONLY),
        ("academy:cohort_edit", ["cop-test"], STAFF_ONLY),
        ("academy:waiver_create", [], STAFF_ONLY),
        (
            "academy:apply",
            ["cop-test"],
            {
                "anonymous": "login",
                "learner": 200,
                "facilitator": 403,
                "cohort_facilitator": 403,
                "staff": 200,
            },
        ),
        (
            "dashboard",
            [],
            {
                "anonymous": "login",
                "learner": 200,
                "facilitator": 200,
                "cohort_facilitator": 200,
                "staff": 200,
            },
        ),
    ],
)
def test_permission_matrix_get(
    people: dict[str, User], name: str, args: list[str], expected: dict[str, Any]
) -> None:
    seen = {role: _status(_client(role, people).get(reverse(name, args=args))) for role in ROLES}
    assert seen == expected


def test_permission_matrix_session_edit(people: dict[str, User], cohort: Cohort) -> None:
    expected = {
        "anonymous": "login",
        "learner": 403,
        "facilitator": 403,
        "cohort_facilitator": 200,
        "staff": 200,
    }
    for number, role in enumerate(ROLES, start=1):
        session = cohort.sessions.get(kind="class", number=number)
        url = reverse("academy:session_edit", args=[session.uid])
        assert _status(_client(role, people).get(url)) == expected[role], role
        _client(role, people).post(url, {"action": "cancel"})
        session.refresh_from_db()
        assert (session.status == Session.Status.CANCELLED) == (expected[role] == 200), role


def test_roster_only_for_staff_and_own_facilitators(
    people: dict[str, User], cohort: Cohort
) -> None:
    apply(cohort, ready("rosa"))
    for role in ROLES:
        page = _client(role, people).get(reverse("academy:cohort_detail", args=[cohort.slug]))
        shows = b"Ocean Data Collaboration" in page.content
        assert shows == (role in ("staff", "cohort_facilitator")), role
        assert reverse("academy:cohort_feed", args=[cohort.slug]).encode() in page.content


def test_withdraw_only_own_enrollment_or_staff(people: dict[str, User], cohort: Cohort) -> None:
    for role in ROLES:
        enrollment = apply(cohort, ready(f"rosa-{role}"))
        response = _client(role, people).post(reverse("academy:withdraw", args=[enrollment.pk]))
        enrollment.refresh_from_db()
        expected = {"anonymous": "login", "staff": 302}.get(role, 404)
        assert _status(response) == expected, role
        assert (enrollment.status == Enrollment.Status.WITHDRAWN) == (role == "staff"), role


def test_learner_withdraws_own_enrollment(
    client: Client, cohort: Cohort, ready_learner: User
) -> None:
    enrollment = apply(cohort, ready_learner)
    client.force_login(ready_learner)
    assert client.get(reverse("academy:withdraw", args=[enrollment.pk])).status_code == 405
    client.post(reverse("academy:withdraw", args=[enrollment.pk]))
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN


def test_calendar_reset_needs_sign_in(people: dict[str, User]) -> None:
    for role in ROLES:
        response = _client(role, people).post(reverse("academy:calendar_reset"))
        assert _status(response) == ("login" if role == "anonymous" else 302), role


def test_course_page_renders_everything(client: Client, catalog: Any, cohort: Cohort) -> None:
    html = client.get(reverse("academy:course_detail", args=["communities-of-practice"]))
    text = html.content.decode()
    for expected in [
        "Communities of Practice",
        "Elective course of the Community Manager Certification Program",
        "specifically designed for community managers",
        "Scientific Community Engagement Fundamentals",
        "actively managing a community",
        "8 weeks, 2 sessions a week of 90 minutes: 16 sessions",
        "two absences are permitted",
        "Defining communities of practice and social learning spaces",
        "CoP development – and how your community might evolve",
        "A knowledge management plan",
        "Cultivating Communities of Practice",
        "Lou Woodley, CSCCE Director",
        "Coming soon!",
        "Access to worksheets, activities and assignments",
        "Assessment and feedback on select course assignments",
        "Apply to CoP test cohort",
    ]:
        assert expected in text, expected
    prereq = client.get(reverse("academy:course_detail", args=["content-design"])).content
    assert b"format of this course is not published" in prereq
    assert b"prerequisite of" in prereq


def _cohort_post(**changes: Any) -> dict[str, Any]:
    data = {
        "course": "",
        "slug": "cop-web",
        "name": "CoP from the web",
        "status": "open",
        "starts_on": (timezone.now().date() + timedelta(days=10)).isoformat(),
        "timezone": "Europe/Berlin",
        "slots": "Monday 09:30\nWednesday 09:30",
        "holidays": "",
        "capacity": "12",
        "graduation_date": "",
        "graduation_time": "",
    }
    data.update(changes)
    return data


def test_staff_creates_a_cohort_through_the_form(
    client: Client, staff: User, catalog: Any, facilitator: User
) -> None:
    client.force_login(staff)
    data = _cohort_post(course=catalog.pk, facilitators=[facilitator.pk])
    response = client.post(reverse("academy:cohort_create"), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    cohort = Cohort.objects.get(slug="cop-web")
    assert cohort.sessions.count() == 17 and list(cohort.facilitators.all()) == [facilitator]
    page = client.get(reverse("academy:cohort_detail", args=["cop-web"])).content.decode()
    assert "Mon" in page and "09:30" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "not a known IANA time zone"),
        ({"starts_on": "2020-01-06"}, "starts_on", "is in the past"),
        ({"slots": "someday"}, "slots", "is not a slot"),
        ({"graduation_date": "2040-01-01"}, "graduation_time", "both the date and the time"),
    ],
)
def test_cohort_form_bad_input_is_a_form_error_and_saves_nothing(
    client: Client, staff: User, catalog: Any, changes: dict[str, str], field: str, message: str
) -> None:
    client.force_login(staff)
    response = client.post(
        reverse("academy:cohort_create"), _cohort_post(course=catalog.pk, **changes)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert not Cohort.objects.exists()


def test_cohort_edit_capacity_below_enrolled_is_a_form_error(
    client: Client, staff: User, cohort: Cohort
) -> None:
    for name in ("ana", "ben"):
        apply(cohort, ready(name))
    client.force_login(staff)
    data = _cohort_post(
        timezone=cohort.timezone,
        starts_on=cohort.starts_on.isoformat(),
        slots="Tuesday 12:00\nThursday 12:00",
        capacity="1",
        name="Renamed",
    )
    response = client.post(reverse("academy:cohort_edit", args=[cohort.slug]), data)
    assert response.status_code == 200
    assert "below the 2 learners" in " ".join(response.context["form"].errors["capacity"])
    cohort.refresh_from_db()
    assert (cohort.capacity, cohort.name) == (20, "CoP test cohort")


def test_cohort_edit_reschedules(client: Client, staff: User, cohort: Cohort) -> None:
    client.force_login(staff)
    data = _cohort_post(
        timezone=cohort.timezone,
        starts_on=cohort.starts_on.isoformat(),
        slots="Tuesday 13:00\nThursday 13:00",
        capacity="25",
    )
    response = client.post(reverse("academy:cohort_edit", args=[cohort.slug]), data)
    assert response.status_code == 302
    assert set(cohort.sessions.filter(kind="class").values_list("sequence", flat=True)) == {1}


APPLICATION = {
    "track": "open",
    "community_name": "Birders",
    "community_role": "Lead",
    "community_url": "https://birds.example.org",
}


def test_apply_through_the_form_then_second_application_is_a_form_error(
    client: Client, cohort: Cohort, ready_learner: User
) -> None:
    client.force_login(ready_learner)
    url = reverse("academy:apply", args=[cohort.slug])
    response = client.post(url, APPLICATION)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "CoP test cohort" in dashboard and "Enrolled" in dashboard
    response = client.post(url, {**APPLICATION, "track": "certification"})
    assert response.status_code == 200
    assert "already applied to this cohort" in " ".join(response.context["form"].non_field_errors())
    assert Enrollment.objects.get().track == "open"


def test_apply_refusal_lists_missing_prerequisites(
    client: Client, cohort: Cohort, learner: User
) -> None:
    client.force_login(learner)
    url = reverse("academy:apply", args=[cohort.slug])
    page = client.get(url).content.decode()
    assert "Content Design: not completed, not waived" in page
    response = client.post(url, APPLICATION)
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Content Design" in errors and "Scientific Community Engagement Fundamentals" in errors
    assert not Enrollment.objects.exists()


def test_apply_to_a_full_cohort_shows_waitlist_position(
    client: Client, make_cohort: Any, ready_learner: User
) -> None:
    cohort = make_cohort(capacity=1)
    apply(cohort, ready("ana"))
    client.force_login(ready_learner)
    response = client.post(reverse("academy:apply", args=[cohort.slug]), APPLICATION, follow=True)
    text = response.content.decode()
    assert "number 1 on the waitlist" in text


def test_staff_waiver_form(client: Client, staff: User, learner: User, catalog: Any) -> None:
    client.force_login(staff)
    from copkit.academy.models import Course

    course = Course.objects.get(slug="content-design")
    url = reverse("academy:waiver_create")
    response = client.post(url, {"learner": learner.pk, "course": course.pk, "reason": ""})
    assert response.status_code == 200 and not PrerequisiteWaiver.objects.exists()
    client.post(url, {"learner": learner.pk, "course": course.pk, "reason": "Prior degree"})
    waiver = PrerequisiteWaiver.objects.get()
    assert (waiver.waived_by, waiver.reason) == (staff, "Prior degree")


def test_dashboard_panel_shows_next_sessions_and_feed(
    client: Client, cohort: Cohort, ready_learner: User
) -> None:
    apply(cohort, ready_learner)
    client.force_login(ready_learner)
    text = client.get(reverse("dashboard")).content.decode()
    assert "My next sessions" in text and "CoP session 1" in text
    assert "/calendar/" in text and ".ics" in text


def test_facilitator_dashboard_lists_their_cohorts(
    client: Client, people: dict[str, User], cohort: Cohort
) -> None:
    client.force_login(people["cohort_facilitator"])
    text = client.get(reverse("dashboard")).content.decode()
    assert "Cohorts I facilitate" in text and "CoP test cohort" in text
    client.force_login(people["facilitator"])
    assert "CoP test cohort" not in client.get(reverse("dashboard")).content.decode()


def test_staff_dashboard_lists_all_cohorts(client: Client, staff: User, cohort: Cohort) -> None:
    client.force_login(staff)
    text = client.get(reverse("dashboard")).content.decode()
    assert "All cohorts" in text and "CoP test cohort" in text
    assert reverse("academy:cohort_create") in text


ACADEMY_MODELS = [
    "program",
    "course",
    "syllabustopic",
    "cohort",
    "meetingslot",
    "holiday",
    "session",
    "coursecompletion",
    "prerequisitewaiver",
    "enrollment",
    "calendartoken",
]


def test_admin_has_every_academy_model(client: Client, staff: User, cohort: Cohort) -> None:
    staff.is_superuser = True  # the admin's model permissions; the role stays program staff
    staff.save()
    client.force_login(staff)
    for model in ACADEMY_MODELS:
        for view, args in (("changelist", []), ("add", [])):
            url = reverse(f"admin:academy_{model}_{view}", args=args)
            assert client.get(url).status_code == 200, url
    change = reverse("admin:academy_cohort_change", args=[cohort.pk])
    assert client.get(change).status_code == 200


def test_admin_refuses_learners(client: Client, learner: User) -> None:
    client.force_login(learner)
    response = client.get(reverse("admin:academy_course_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_cohort_form_reports_every_error_at_once(client: Client, staff: User, catalog: Any) -> None:
    client.force_login(staff)
    data = _cohort_post(course=catalog.pk, starts_on="2020-01-06", slots="", capacity="0")
    response = client.post(reverse("academy:cohort_create"), data)
    errors = response.context["form"].errors
    assert set(errors) == {"starts_on", "slots", "capacity"}
    assert "is in the past (today is" in errors["starts_on"][0]
    assert not Cohort.objects.exists()


def test_cohort_edit_keeps_a_past_start_date_that_did_not_change(
    client: Client, staff: User, make_cohort: Any
) -> None:
    cohort = make_cohort(starts_on=date(2024, 1, 8), allow_past_start=True)
    client.force_login(staff)
    data = _cohort_post(
        timezone=cohort.timezone,
        starts_on="2024-01-08",
        slots="Tuesday 12:00\nThursday 12:00",
        capacity="30",
    )
    response = client.post(reverse("academy:cohort_edit", args=[cohort.slug]), data)
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.capacity == 30


def test_session_form_reschedules_in_local_time_and_refuses_a_skipped_time(
    client: Client, staff: User, cohort: Cohort
) -> None:
    client.force_login(staff)
    session = cohort.sessions.get(kind="class", number=4)
    url = reverse("academy:session_edit", args=[session.uid])
    assert b'value="12:00' in client.get(url).content  # prefilled with the local time
    bad = {"action": "reschedule", "day": "2030-03-10", "start_time": "02:30"}
    response = client.post(url, bad)
    assert "does not exist on 2030-03-10" in " ".join(response.context["form"].non_field_errors())
    session.refresh_from_db()
    assert session.sequence == 0
    good = {"action": "reschedule", "day": "2030-03-12", "start_time": "09:15"}
    assert client.post(url, good).status_code == 302
    session.refresh_from_db()
    local = session.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert (local.date(), local.hour, local.minute, session.sequence) == (
        date(2030, 3, 12),
        9,
        15,
        1,
    )


def test_roster_shows_waitlist_positions(client: Client, staff: User, make_cohort: Any) -> None:
    cohort = make_cohort(capacity=1)
    for name in ("alpha1", "bravo2", "charlie3"):
        apply(cohort, ready(name))
    client.force_login(staff)
    text = client.get(reverse("academy:cohort_detail", args=[cohort.slug])).content.decode()
    assert text.index("alpha1") < text.index("bravo2") < text.index("charlie3")
    assert "Waitlisted (number 1)" in text and "Waitlisted (number 2)" in text


def test_admin_cohort_add_generates_sessions_and_checks_the_zone(
    client: Client, staff: User, catalog: Any
) -> None:
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    url = reverse("admin:academy_cohort_add")
    data = {
        "course": catalog.pk,
        "slug": "cop-admin",
        "name": "Admin cohort",
        "status": "open",
        "starts_on": "2031-02-03",
        "timezone": "Nowhere/City",
        "capacity": "10",
        "graduation_event_minutes": "90",
        "slots-TOTAL_FORMS": "1",
        "slots-INITIAL_FORMS": "0",
        "slots-0-weekday": "0",
        "slots-0-start_time": "10:00",
        "holidays-TOTAL_FORMS": "0",
        "holidays-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and b"not a known IANA time zone" in response.content
    assert not Cohort.objects.exists()
    response = client.post(url, {**data, "timezone": "Europe/Berlin"})
    assert response.status_code == 302
    cohort = Cohort.objects.get(slug="cop-admin")
    assert cohort.sessions.filter(kind="class").count() == 16


def test_apply_page_of_a_closed_cohort_says_so(
    client: Client, cohort: Cohort, ready_learner: User
) -> None:
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.RUNNING)
    client.force_login(ready_learner)
    url = reverse("academy:apply", args=[cohort.slug])
    assert b"not open for applications (running)" in client.get(url).content
    response = client.post(url, APPLICATION)
    assert not Enrollment.objects.exists() and response.status_code == 200
