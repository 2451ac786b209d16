"""Forms of the complaint-case pages: input shapes only; the rules live in voc.programme.cases."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from voc.models import ComplaintCase


class ResolveForm(forms.Form):
    root_cause = forms.ChoiceField(
        label=_("Root cause"), choices=[("", "—"), *list(ComplaintCase.RootCause.choices)], required=False
    )
    action_taken = forms.CharField(
        label=_("Action taken"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )
    outcome = forms.ChoiceField(
        label=_("Customer outcome"), choices=[("", "—"), *list(ComplaintCase.Outcome.choices)], required=False
    )
    learned = forms.CharField(
        label=_("What I learned"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("One or two sentences for the newsletter and the monthly pack."),
    )


class HandBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why hand it back?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class CaseNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Add to the timeline"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
