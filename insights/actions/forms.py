from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from insights.actions import services
from insights.actions.models import Action
from insights.models import Theme
from insights.questions.models import Question
from voc.errors import DomainError, show_on_forms
from voc.notes.filters import IdsField


class ActionForm(forms.Form):
    """Record or change an action; the service checks the rules again (the API obeys the same)."""

    title = forms.CharField(label=_("What was done"), max_length=200)
    description = forms.CharField(
        label=_("Details"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    started_on = forms.DateField(label=_("Started on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    done_on = forms.DateField(
        label=_("Done on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Left empty when marked done: today. The effect is measured from this week."),
    )
    themes = IdsField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )
    questions = IdsField(
        label=_("Questions"),
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )

    def __init__(self, *args: Any, action: Action | None = None, **kwargs: Any) -> None:
        """``action``: the one being changed, whose status may only move forward."""
        super().__init__(*args, **kwargs)
        self.action = action
        themes, questions = self.fields["themes"], self.fields["questions"]
        assert isinstance(themes, IdsField)
        assert isinstance(questions, IdsField)
        themes.queryset = Theme.objects.accepted().order_by("name")
        questions.queryset = Question.objects.order_by("-created_at")

    def clean(self) -> dict[str, Any]:
        """The service's rules for dates and links, so that they show beside the fields' own errors."""
        data = super().clean() or {}
        try:
            if "title" not in self.errors:  # blank to the eye (zero-width spaces) is blank
                services.check_text(data.get("title", ""), field="title", limit=services.TITLE_MAX, required=True)
        except DomainError as exc:
            show_on_forms(exc, self)
        try:
            if self.action is not None and "status" not in self.errors:
                services.check_move(self.action, data["status"])
        except DomainError as exc:
            show_on_forms(exc, self)
        try:
            if not {"status", "started_on", "done_on"} & self.errors.keys():
                services.check_dates(data["status"], data.get("started_on"), data.get("done_on"))
        except DomainError as exc:
            show_on_forms(exc, self)
        try:
            if not {"themes", "questions"} & self.errors.keys():
                services.check_links(data.get("themes") or [], data.get("questions") or [])
        except DomainError as exc:
            show_on_forms(exc, self)
        return data
