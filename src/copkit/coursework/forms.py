"""Forms: they parse and render; the services validate and write."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from copkit.academy.models import Cohort, SyllabusTopic
from copkit.coursework.models import (
    CoworkingCheckIn,
    PlaybookSection,
    Review,
    RubricCriterion,
    Worksheet,
    WorksheetField,
)

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def local_to_aware(value: datetime | None, zone: str) -> datetime | None:
    """A datetime typed as a wall-clock time in ``zone`` (Django parses it in UTC) as an aware
    datetime in that zone."""
    if value is None:
        return None
    naive = timezone.make_naive(value, ZoneInfo("UTC")) if timezone.is_aware(value) else value
    return naive.replace(tzinfo=ZoneInfo(zone))


class WorksheetForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Worksheet.Kind.choices)
    prompt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False, help_text="Markdown."
    )


class FieldForm(forms.Form):
    label = forms.CharField(max_length=300)
    key = forms.CharField(
        max_length=60, required=False, help_text="Stable answer name; made from the label if empty."
    )
    type = forms.ChoiceField(choices=WorksheetField.Type.choices)
    help_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One option per line."
    )
    required = forms.BooleanField(required=False)


class AssignmentForm(forms.Form):
    title = forms.CharField(max_length=200)
    topic = forms.ModelChoiceField(queryset=SyllabusTopic.objects.none(), required=False)
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False)
    due = forms.DateTimeField(
        required=False, widget=LOCAL_DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    assessed = forms.BooleanField(
        required=False, help_text="Certification-track submissions are reviewed with a rubric."
    )
    accepts_text = forms.BooleanField(required=False, initial=True)
    accepts_files = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.fields["topic"].queryset = SyllabusTopic.objects.filter(  # type: ignore[attr-defined]
            course=cohort.course
        )
        self.fields["due"].help_text = f"Local time in {cohort.timezone}."

    def due_at(self) -> datetime | None:
        return local_to_aware(self.cleaned_data.get("due"), self.cohort.timezone)


class CriterionForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    levels = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One level per line as 'points: description', e.g. '2: Clear and specific'.",
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; type and size are checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [data] if data else []


class SubmissionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), required=False)
    attachments = MultipleFileField(
        required=False,
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument, text, Markdown, CSV, PNG or JPEG; "
        "at most 10 MB each.",
    )


def worksheet_fill_form(worksheet: Worksheet, *, initial: dict[str, str]) -> type[forms.Form]:
    """A form class with one input per worksheet field (values are checked by the service)."""
    attrs: dict[str, forms.Field] = {}
    for field in worksheet.fields.all():
        common: dict[str, Any] = {
            "label": field.label,
            "required": False,
            "initial": initial.get(field.key, ""),
        }
        if field.type == WorksheetField.Type.LONG_TEXT:
            attrs[field.key] = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), **common)
        elif field.type == WorksheetField.Type.CHOICE:
            options = [("", "—")] + [(c, c) for c in field.choice_list]
            attrs[field.key] = forms.ChoiceField(choices=options, **common)
        elif field.type == WorksheetField.Type.NUMBER:
            attrs[field.key] = forms.CharField(
                widget=forms.NumberInput(attrs={"step": "any"}), **common
            )
        elif field.type == WorksheetField.Type.LINK:
            attrs[field.key] = forms.CharField(widget=forms.URLInput(), **common)
        elif field.type == WorksheetField.Type.FILE:
            common.pop("initial")
            attrs[field.key] = forms.FileField(**common)
        else:
            attrs[field.key] = forms.CharField(max_length=300, **common)
    return type("WorksheetFillForm", (forms.Form,), attrs)


class ReviewForm(forms.Form):
    feedback = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False)
    decision = forms.ChoiceField(
        choices=Review.Decision.choices, required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, criteria: list[RubricCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            levels = [("", "—")] + [
                (str(level.points), f"{level.points} – {level.label}")
                for level in criterion.levels.all()
            ]
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=criterion.title, required=False, widget=forms.Select(choices=levels)
            )
        self.order_fields([*(f"score_{c.pk}" for c in criteria), "feedback", "decision"])

    def scores(self) -> dict[int, int | None]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}


class CoworkingSessionForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(min_value=15, max_value=240, initial=60)
    title = forms.CharField(max_length=300, required=False)


class GoalForm(forms.Form):
    text = forms.CharField(
        label="My goal for this week",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class CheckInForm(forms.Form):
    outcome = forms.ChoiceField(choices=CoworkingCheckIn.Outcome.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PlaybookSectionForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False)
    status = forms.ChoiceField(choices=PlaybookSection.Status.choices)


class ChannelForm(forms.Form):
    slack_channel_name = forms.CharField(max_length=80, required=False, label="Channel name")
    slack_channel_url = forms.URLField(required=False, label="Channel link", assume_scheme="https")
    webhook_url = forms.CharField(
        required=False,
        label="New incoming-webhook URL",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the current one.",
    )
    clear_webhook = forms.BooleanField(required=False, label="Remove the stored webhook")


class PreferenceForm(forms.Form):
    session_reminders = forms.BooleanField(
        required=False, label="E-mail me a reminder before each session"
    )
    announcements = forms.BooleanField(
        required=False,
        label="E-mail me new assignments, released feedback and the graduation event",
    )
