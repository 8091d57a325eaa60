"""Forms of the academy pages: they parse input; services decide."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone as dj_timezone

from copkit.academy import rules
from copkit.academy.models import Cohort, Course, Enrollment
from copkit.accounts.models import Role, User
from copkit.errors import ApplicationError

SLOTS_HELP = "One weekly meeting per line, in the cohort's local time, e.g. 'Tuesday 16:00'."
HOLIDAYS_HELP = (
    "Local dates without a session, one per line: 'YYYY-MM-DD note'. Sessions move past them."
)


class CohortForm(forms.Form):
    """Create or edit a cohort; ``course`` and ``slug`` are fixed once created."""

    course = forms.ModelChoiceField(queryset=Course.objects.all())
    slug = forms.SlugField(
        max_length=50, help_text="Short name used in addresses, e.g. cop-2027-spring."
    )
    name = forms.CharField(max_length=200)
    status = forms.ChoiceField(choices=Cohort.Status.choices, initial=Cohort.Status.OPEN)
    starts_on = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))
    timezone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="IANA name, e.g. America/New_York or Europe/Berlin.",
    )
    slots = forms.CharField(
        label="Weekly meetings", widget=forms.Textarea(attrs={"rows": 3}), help_text=SLOTS_HELP
    )
    holidays = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=HOLIDAYS_HELP
    )
    capacity = forms.IntegerField(min_value=1, initial=20)
    facilitators = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(role=Role.FACILITATOR), required=False
    )
    graduation_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Local date of the graduation event; empty = the slot after the last session.",
    )
    graduation_time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="Local time, HH:MM",
    )
    slack_channel_name = forms.CharField(max_length=80, required=False)
    slack_channel_url = forms.URLField(
        label="Slack channel link", required=False, assume_scheme="https"
    )
    meeting_url = forms.URLField(
        label="Meeting link",
        required=False,
        assume_scheme="https",
        help_text="Where sessions meet.",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            del self.fields["course"]
            del self.fields["slug"]

    def clean_timezone(self) -> str:
        name: str = self.cleaned_data["timezone"].strip()
        try:
            rules.timezone_get(name)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return name

    def clean_slots(self) -> list[rules.Slot]:
        try:
            return rules.slots_parse(self.cleaned_data["slots"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_holidays(self) -> list[tuple[date, str]]:
        try:
            return rules.holidays_parse(self.cleaned_data.get("holidays") or "")
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, at, zone = (
            data.get("graduation_date"),
            data.get("graduation_time"),
            data.get("timezone"),
        )
        data["graduation_event_at"] = None
        starts_on = data.get("starts_on")
        changed = not self.editing or "starts_on" in self.changed_data
        if starts_on and zone and changed:
            error = rules.start_date_error(
                starts_on=starts_on, timezone=zone, now=dj_timezone.now()
            )
            if error:
                self.add_error("starts_on", error)
        if (day is None) != (at is None):
            self.add_error(
                "graduation_time",
                "Give both the date and the time of the graduation event, or neither.",
            )
        elif day is not None and at is not None and zone:
            data["graduation_event_at"] = datetime.combine(day, at, tzinfo=rules.timezone_get(zone))
        return data

    @staticmethod
    def initial_for(cohort: Cohort) -> dict[str, Any]:
        """Initial values for editing ``cohort``."""
        zone = rules.timezone_get(cohort.timezone)
        grad = cohort.graduation_event_at.astimezone(zone) if cohort.graduation_event_at else None
        return {
            "name": cohort.name,
            "status": cohort.status,
            "starts_on": cohort.starts_on,
            "timezone": cohort.timezone,
            "slots": "\n".join(
                str(rules.Slot(s.weekday, s.start_time)) for s in cohort.slots.all()
            ),
            "holidays": "\n".join(
                f"{h.date.isoformat()} {h.note}".strip() for h in cohort.holidays.all()
            ),
            "capacity": cohort.capacity,
            "facilitators": list(cohort.facilitators.all()),
            "graduation_date": grad.date() if grad else None,
            "graduation_time": grad.time().replace(tzinfo=None) if grad else None,
            "slack_channel_name": cohort.slack_channel_name,
            "slack_channel_url": cohort.slack_channel_url,
            "meeting_url": cohort.meeting_url,
        }


class SessionForm(forms.Form):
    """Reschedule a session to a new local date and time, or cancel it."""

    action = forms.ChoiceField(
        choices=[("reschedule", "Reschedule"), ("cancel", "Cancel this session")],
        widget=forms.RadioSelect,
        initial="reschedule",
    )
    day = forms.DateField(
        label="New local date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label="New local start time", required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(min_value=1, max_value=600, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "reschedule":
            for field in ("day", "start_time"):
                if data.get(field) is None:
                    self.add_error(field, "Needed to reschedule.")
        return data


class ApplyForm(forms.Form):
    """A learner's application to a cohort, with the attestation of their community."""

    track = forms.ChoiceField(
        choices=Enrollment.Track.choices,
        widget=forms.RadioSelect,
        initial=Enrollment.Track.CERTIFICATION,
        help_text="The certification track adds assessment, feedback and a digital badge.",
    )
    community_name = forms.CharField(
        max_length=200, label="Community, collaboration or team you actively manage"
    )
    community_url = forms.URLField(label="Its link", required=False, assume_scheme="https")
    community_role = forms.CharField(max_length=200, label="Your role in it")


class WaiverForm(forms.Form):
    """Staff waive a prerequisite course for a learner, with the reason on record."""

    learner = forms.ModelChoiceField(queryset=User.objects.filter(role=Role.LEARNER))
    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(required_by__isnull=False).distinct(),
        label="Prerequisite course",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
