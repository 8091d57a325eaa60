from django import forms


class ReasonForm(forms.Form):
    """A reason, required for revoking a badge or overriding the rule."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, strip=True, required=True
    )
