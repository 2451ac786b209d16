from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from insights.models import Theme

LIVE = [Theme.Status.ACCEPTED, Theme.Status.PROPOSED]


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Name (English)"), max_length=120)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=120, required=False)
    help = _("What Spanish and Galician readers see; left empty, they see the English name.")


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Merge into"), queryset=Theme.objects.filter(status__in=LIVE))

    def __init__(self, *args, theme: Theme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _model_choices(self, "target").queryset = (
            Theme.objects.filter(status__in=LIVE).exclude(pk=theme.pk).order_by("name")
        )


class ParentForm(forms.Form):
    parent = forms.ModelChoiceField(
        label=_("Parent theme"), required=False, queryset=Theme.objects.none(), empty_label=_("None (top level)")
    )

    def __init__(self, *args, theme: Theme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _model_choices(self, "parent").queryset = (
            Theme.objects.accepted().filter(parent__isnull=True).exclude(pk=theme.pk).order_by("name")
        )


class NotesForm(forms.Form):
    """Chosen notes of a theme, to split off into a new theme or move to another."""

    note_ids = forms.TypedMultipleChoiceField(label=_("Notes"), coerce=int, choices=[])
    name = forms.CharField(label=_("New theme name"), max_length=120, required=False)
    target = forms.ModelChoiceField(label=_("Move to"), required=False, queryset=Theme.objects.none())

    def __init__(self, *args, theme: Theme, note_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        note_field = self.fields["note_ids"]
        assert isinstance(note_field, forms.ChoiceField)
        note_field.choices = [(n, n) for n in note_ids]
        _model_choices(self, "target").queryset = (
            Theme.objects.filter(status__in=LIVE).exclude(pk=theme.pk).order_by("name")
        )


def _model_choices(form: forms.Form, name: str) -> forms.ModelChoiceField[Theme]:
    """The form's theme picker ``name``, to narrow its choices for one theme."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field
