from __future__ import annotations

from datetime import date, time

import icalendar
from django.test import Client
from django.urls import reverse

from copkit.academy import services
from copkit.academy.models import Cohort, Session
from copkit.accounts.models import User
from tests.academy.conftest import apply


def _events(body: bytes) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return [c for c in cal.walk("VEVENT")]


def test_cohort_feed_has_one_event_per_session_with_stable_uid(
    client: Client, cohort: Cohort
) -> None:
    response = client.get(reverse("academy:cohort_feed", args=[cohort.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = _events(response.content)
    assert len(events) == 17  # 16 sessions + the graduation event
    uids = {str(e["UID"]) for e in events}
    assert uids == {f"{s.uid}@copkit" for s in cohort.sessions.all()}
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["America/New_York"]
    first = cohort.sessions.order_by("starts_at").first()
    assert first is not None
    event = next(e for e in events if str(e["UID"]) == f"{first.uid}@copkit")
    start = event.decoded("DTSTART")
    assert start == first.starts_at and start.time() == time(12, 0)
    assert str(event["DTSTART"].params["TZID"]) == "America/New_York"
    assert (event.decoded("DTEND") - start).total_seconds() == 90 * 60
    assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"
    assert any("graduation" in str(e["SUMMARY"]) for e in events)


def test_changes_show_in_the_feed_with_sequence_and_cancelled_status(
    client: Client, cohort: Cohort
) -> None:
    moved = cohort.sessions.get(kind="class", number=2)
    services.session_reschedule(session=moved, day=date(2040, 5, 2), start_time=time(15, 30))
    cancelled = cohort.sessions.get(kind="class", number=5)
    services.session_cancel(session=cancelled)
    events = {
        str(e["UID"]): e
        for e in _events(client.get(reverse("academy:cohort_feed", args=[cohort.slug])).content)
    }
    assert len(events) == 17  # the cancelled session stays in the feed
    moved_event = events[f"{moved.uid}@copkit"]
    assert int(moved_event["SEQUENCE"]) == 1
    assert moved_event.decoded("DTSTART").isoformat() == "2040-05-02T15:30:00-04:00"
    cancelled_event = events[f"{cancelled.uid}@copkit"]
    assert str(cancelled_event["STATUS"]) == "CANCELLED" and int(cancelled_event["SEQUENCE"]) == 1


def test_personal_feed_by_token_and_revocation(
    client: Client, cohort: Cohort, ready_learner: User, make_cohort: object
) -> None:
    other = make_cohort(slug="cop-other", name="Other")  # type: ignore[operator]
    apply(cohort, ready_learner)
    token = services.calendar_token_get_or_create(user=ready_learner)
    url = reverse("academy:personal_feed", args=[token.token])
    events = _events(client.get(url).content)
    assert len(events) == 17
    assert {str(e["UID"]) for e in events}.isdisjoint(
        {f"{s.uid}@copkit" for s in Session.objects.filter(cohort=other)}
    )
    services.calendar_token_reset(user=ready_learner)
    assert client.get(url).status_code == 404
    assert client.get(reverse("academy:personal_feed", args=["guess"])).status_code == 404


def test_waitlisted_learner_feed_is_empty(client: Client, make_cohort: object) -> None:
    from tests.academy.conftest import ready

    cohort = make_cohort(capacity=1)  # type: ignore[operator]
    apply(cohort, ready("ana"))
    waiting = ready("ben")
    apply(cohort, waiting)
    token = services.calendar_token_get_or_create(user=waiting)
    body = client.get(reverse("academy:personal_feed", args=[token.token])).content
    assert _events(body) == []
