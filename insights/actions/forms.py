from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from insights.actions import services
from insights.actions.models import Action
from insights.models import Theme
from insights.questions.models import Question
from voc.errors import DomainError, Problems, show_on_forms
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
        """The service's own rules (blank title, status move, dates, links), so that they show
        beside the fields' errors on the first submit."""
        data = super().clean() or {}
        problems, failed = Problems(), self.errors.keys()
        if "title" not in failed:  # blank to the eye (zero-width spaces) is blank
            problems.check(
                services.check_text, data.get("title", ""), field="title", limit=services.TITLE_MAX, required=True
            )
        if self.action is not None and "status" not in failed:
            problems.check(services.check_move, self.action, data["status"])
        if not {"status", "started_on", "done_on"} & failed:
            problems.check(services.check_dates, data["status"], data.get("started_on"), data.get("done_on"))
        if not {"themes", "questions"} & failed:
            problems.check(services.check_links, data.get("themes") or [], data.get("questions") or [])
        try:
            problems.raise_any()
        except DomainError as exc:
            show_on_forms(exc, self)
        return data
