from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from insights.models import Theme
from insights.questions import services
from insights.questions.models import Question
from voc.errors import DomainError, show_on_forms
from voc.models import ProductArea
from voc.notes.filters import IdsField


class QuestionForm(forms.Form):
    """Ask or reword a question; the service checks the rules again (the API and this form obey one)."""

    text = forms.CharField(
        label=_("Question (English)"),
        max_length=Question.TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Will you launch an app that integrates banking?")}),
    )
    text_es = forms.CharField(
        label=_("Question (Spanish)"),
        max_length=Question.TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("¿Lanzaréis una app que integre la banca?")}),
        help_text=_("Either wording is enough; notes in every language are matched by meaning."),
    )
    department = forms.CharField(label=_("Department that owns it"), max_length=100, required=False)
    themes = IdsField(
        label=_("Related themes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )
    product_areas = IdsField(
        label=_("Products and areas"),
        queryset=ProductArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        themes = self.fields["themes"]
        areas = self.fields["product_areas"]
        assert isinstance(themes, IdsField)
        assert isinstance(areas, IdsField)
        themes.queryset = Theme.objects.accepted().order_by("name")
        for name in ("text", "text_es"):
            # No browser cut-off: a pasted question longer than allowed comes back whole, with
            # the error saying how long it is, instead of silently losing its end.
            self.fields[name].widget.attrs.pop("maxlength", None)
        areas.queryset = ProductArea.objects.filter(is_active=True).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not {"text", "text_es"} & self.errors.keys():
            try:
                services.check_wording(data.get("text") or "", data.get("text_es") or "")
            except DomainError as exc:
                show_on_forms(exc, self)
        return data
