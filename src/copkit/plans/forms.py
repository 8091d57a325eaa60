"""Forms of the plan pages: they check types; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from copkit.accounts.models import User
from copkit.communities.models import Community
from copkit.plans.measures import MEASURES


class PlanForm(forms.Form):
    title = forms.CharField(max_length=200)
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(),
        required=False,
        empty_label="none",
        label="Linked community",
        help_text="One of your communities: its latest analysis fills sections 1-3. "
        "Your cohort's facilitators will see those figures in your plan.",
    )
    review = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Review and next steps",
        help_text="How and when you will review the plan, with whom, and what comes next.",
    )

    def __init__(self, *args: Any, learner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Community.objects.filter(owner=learner)


class GoalForm(forms.Form):
    goal = forms.CharField(max_length=300, help_text="What should change, in one sentence.")
    intervention = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you will do to get there (a programme, a practice, a role).",
    )
    measure = forms.ChoiceField(
        choices=[(m.key, f"{m.label} ({m.unit})") for m in MEASURES],
        help_text="Its value in the linked analysis becomes the goal's baseline.",
    )
    target = forms.FloatField(help_text="The value to reach, in the measure's unit.")
    owner = forms.CharField(max_length=200, help_text="Who is responsible.")
    due_on = forms.DateField(
        label="Due date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the target should be reached.",
    )


class FeedbackForm(forms.Form):
    body = forms.CharField(
        label="Feedback", widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )
