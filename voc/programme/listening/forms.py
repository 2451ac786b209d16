"""The listening-session form: input shapes only; the rules live in voc.programme.listening."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from voc.models import ListeningSession, Site


class ListeningSessionForm(forms.Form):
    """Field order is the keyboard order: when, how long, where, then what was heard."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    minutes = forms.IntegerField(
        label=_("Minutes"),
        widget=forms.NumberInput(
            attrs={"min": 1, "max": ListeningSession.MAX_MINUTES, "step": 1, "inputmode": "numeric", "class": "narrow"}
        ),
    )
    site = forms.ModelChoiceField(
        label=_("Site"), required=False, queryset=Site.objects.filter(is_active=True), empty_label="—"
    )
    queue = forms.CharField(
        label=_("Queue or team"),
        required=False,
        max_length=100,
        help_text=_("A site, a queue or both: where you listened."),
    )
    heard = forms.CharField(
        label=_("What I heard"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    surprised = forms.CharField(
        label=_("What surprised me"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    idea = forms.CharField(
        label=_("An idea"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Becomes a note heard by you, redacted, and joins the themes like any note."),
    )
