"""iCalendar feeds (RFC 5545) of cohort sessions, built with the ``icalendar`` library.

One VEVENT per session, including the graduation event. Each event has a stable UID (the
session's UUID), a SEQUENCE bumped on every change, ``STATUS:CANCELLED`` for a cancelled
session (kept in the feed so calendars remove it), and start/end in the cohort's zone with
the matching VTIMEZONE component.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone as dj_timezone

from copkit.academy.models import Session

__all__ = ["calendar_build"]

PRODID = "-//copkit//academy//EN"


def _uid(session: Session) -> str:
    return f"{session.uid}@copkit"


def _description(session: Session) -> str:
    lines = [f"{session.cohort.course.title} · {session.cohort.name}"]
    if session.topic is not None:
        lines.append(f"Topic: {session.topic.title}")
    if session.cohort.meeting_url:
        lines.append(f"Join: {session.cohort.meeting_url}")
    return "\n".join(lines)


def calendar_build(*, name: str, sessions: Iterable[Session]) -> bytes:
    """Return an iCalendar document with one VEVENT per session and the zones they use."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = dj_timezone.now()
    days: list[date] = []
    for session in sessions:
        zone = ZoneInfo(session.cohort.timezone)
        start = session.starts_at.astimezone(zone)
        days.append(start.date())
        event = icalendar.Event()
        event.add("uid", _uid(session))
        event.add("dtstamp", stamp)
        event.add("sequence", session.sequence)
        event.add("summary", session.title or str(session))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=session.duration_minutes))
        event.add("last-modified", session.updated_at)
        event.add("description", _description(session))
        event.add(
            "url",
            settings.BASE_URL + reverse("academy:cohort_detail", args=[session.cohort.slug]),
        )
        if session.cohort.meeting_url:
            event.add("location", session.cohort.meeting_url)
        event.add(
            "status", "CANCELLED" if session.status == Session.Status.CANCELLED else "CONFIRMED"
        )
        cal.add_component(event)
    if days:
        # Only the transitions around the feed's sessions, not fifty years of them.
        cal.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )
    body: bytes = cal.to_ical()
    return body
