"""Forms of the attendance pages: the roster, the Zoom upload, the waiver."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms

from copkit.academy.models import Enrollment
from copkit.attendance.models import MarkStatus
from copkit.attendance.rules import Mark

MAX_REPORT_BYTES = 2 * 1024 * 1024


class RosterForm(forms.Form):
    """One radio group (and an optional reason) per enrolled learner."""

    def __init__(
        self,
        *args: Any,
        enrollments: list[Enrollment],
        current: dict[int, Mark],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.enrollments = enrollments
        for e in enrollments:
            self.fields[f"status_{e.pk}"] = forms.ChoiceField(
                label=str(e.learner),
                choices=MarkStatus.choices,
                initial=current.get(e.pk, Mark.UNMARKED).value,
                widget=forms.RadioSelect,
            )
            self.fields[f"reason_{e.pk}"] = forms.CharField(
                label=f"Reason for {e.learner}", required=False, max_length=500
            )

    def rows(self) -> list[tuple[Enrollment, forms.BoundField, forms.BoundField]]:
        return [(e, self[f"status_{e.pk}"], self[f"reason_{e.pk}"]) for e in self.enrollments]

    def statuses(self) -> dict[int, str]:
        return {e.pk: self.cleaned_data[f"status_{e.pk}"] for e in self.enrollments}

    def reasons(self) -> dict[int, str]:
        return {e.pk: self.cleaned_data[f"reason_{e.pk}"] for e in self.enrollments}


class ZoomUploadForm(forms.Form):
    report = forms.FileField(
        label="Zoom participants report (CSV)",
        help_text="In Zoom: Reports > Usage > Participants > Export with meeting data.",
    )
    min_minutes = forms.IntegerField(
        label="Minutes that count as attended", min_value=1, max_value=600, initial=60
    )
    timezone = forms.CharField(
        label="Time zone of the report",
        max_length=64,
        help_text="The time zone of the Zoom account that exported it (IANA name).",
    )
    mark_missing_absent = forms.BooleanField(
        label="Mark enrolled learners who are not in the report absent", required=False
    )

    def clean_report(self) -> str:
        upload = self.cleaned_data["report"]
        if upload.size > MAX_REPORT_BYTES:
            raise forms.ValidationError("The report is larger than 2 MB; is it the right file?")
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text: str = raw.decode(encoding)
                return text
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError("The report is not a text (CSV) file.")

    def clean_timezone(self) -> str:
        name: str = self.cleaned_data["timezone"].strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(
                f"Unknown time zone {name!r}; use an IANA name such as America/New_York."
            ) from exc
        return name


class WaiverForm(forms.Form):
    reason = forms.CharField(
        label="Reason for waiving the graduation rule",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ConfirmForm(forms.Form):
    """A button with a CSRF token: confirm an action."""
