"""Newsletter forms: input shapes only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from newsletter.models import Fact


class ReviewForm(forms.Form):
    editor_note = forms.CharField(
        label=_("Editor's note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional; shown at the top of the issue, as you write it, in every language."),
    )


class FactForm(forms.ModelForm):
    translations_checked = forms.BooleanField(label=_("The translations still say the same"), required=False)

    class Meta:
        model = Fact
        fields = ["position", "included", "sentence_en", "sentence_es", "sentence_gl"]
        widgets = {
            "position": forms.NumberInput(attrs={"min": 0, "max": 99, "class": "narrow", "data-position": ""}),
            "sentence_en": forms.Textarea(attrs={"rows": 4, "data-sentence": ""}),
            "sentence_es": forms.Textarea(attrs={"rows": 4, "data-sentence": ""}),
            "sentence_gl": forms.Textarea(attrs={"rows": 4, "data-sentence": ""}),
        }
        help_texts = {"sentence_gl": _("Empty: Galician readers get the Spanish sentence.")}


# Edit only: a lead changes the drafted facts and never adds one, even if the POST claims extra forms.
FactFormSet = forms.modelformset_factory(Fact, form=FactForm, extra=0, can_delete=False, edit_only=True)


class ApproveForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send automatically at (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class SubscriptionForm(forms.Form):
    weekly = forms.BooleanField(label=_("The weekly “Did you know…?” newsletter"), required=False)
    monthly_pack = forms.BooleanField(label=_("The monthly head-office pack (PDF)"), required=False)

    def __init__(self, *args: Any, with_pack: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_pack:
            del self.fields["monthly_pack"]
