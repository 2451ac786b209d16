"""Forms: input shapes only. Rules live in voc.notes.services; views map DomainError onto fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from voc.models import Insight, ProductArea


class NoteForm(forms.Form):
    """The quick capture form; field order is the keyboard order (text, kind, channel, Enter)."""

    text = forms.CharField(
        label=_("What did the customer say?"),
        max_length=Insight.TEXT_MAX_LENGTH,
        widget=forms.Textarea(
            attrs={"rows": 3, "autofocus": True, "maxlength": Insight.TEXT_MAX_LENGTH, "data-capture-text": ""}
        ),
        help_text=_(
            "Enter saves, Shift+Enter starts a new line. Card numbers, phones, e-mails, IBANs and ids are removed."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Insight.Kind.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Insight.Channel.choices)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Detect automatically")), *Insight.Language.choices],
    )
    product_area = forms.ModelChoiceField(
        label=_("Product or area"), required=False, queryset=ProductArea.objects.filter(is_active=True)
    )
    customer_abroad = forms.BooleanField(label=_("Customer abroad"), required=False)
    abroad_country = forms.CharField(
        label=_("Country (two letters)"), required=False, max_length=2, widget=forms.TextInput(attrs={"size": 3})
    )
    caused_by_us = forms.BooleanField(label=_("Caused by us (failure demand)"), required=False)
    lonely = forms.BooleanField(label=_("Lonely / needed to talk"), required=False)
    vulnerable = forms.BooleanField(label=_("Vulnerable customer"), required=False)
    occurred_at = forms.DateTimeField(
        label=_("When (if not now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ContactForm(forms.Form):
    """Complaints only: how to reach the customer, kept apart from the note."""

    contact_name = forms.CharField(label=_("Customer name"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    contact_account = forms.CharField(label=_("Account or policy number"), max_length=64, required=False)
    contact_consent = forms.BooleanField(label=_("The customer agreed to be contacted"), required=False)

    def has_details(self) -> bool:
        data = self.cleaned_data
        return any(data.get(f) for f in ("contact_name", "contact_phone", "contact_email", "contact_account"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, one note per row, with a header row."))
