from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from insights.following.models import Subscription
from insights.following.services import MAX_ALERT_THRESHOLD, NOTHING_CHOSEN, target_key
from voc.models import Insight, ProductArea, Site


class HowForm(forms.Form):
    """How a person hears of what they follow."""

    in_app = forms.BooleanField(label=_("Show alerts and news under Notifications"), required=False, initial=True)
    alert_on_spike = forms.BooleanField(label=_("Alert me when it spikes"), required=False, initial=True)
    alert_threshold = forms.IntegerField(
        label=_("Alert me above this many a day"),
        required=False,
        min_value=1,
        max_value=MAX_ALERT_THRESHOLD,
        help_text=_("Leave empty for no threshold alert."),
    )
    alert_email = forms.BooleanField(
        label=_("E-mail me alerts and news of actions at once"),
        required=False,
        help_text=_("One e-mail per alert or action, however long it goes on."),
    )
    digest = forms.ChoiceField(label=_("E-mail digest"), choices=Subscription.Digest.choices, required=False)


class FollowForm(HowForm):
    """Follow a site, a product area and/or a kind (themes and questions are followed from their
    pages), and how to hear of it."""

    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any site")
    )
    product_area = forms.ModelChoiceField(
        label=_("Product or area"), queryset=ProductArea.objects.none(), required=False, empty_label=_("Any")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *Insight.Kind.choices], required=False)
    field_order = ["site", "product_area", "kind"]

    def __init__(self, *args: Any, sites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site, area = self.fields["site"], self.fields["product_area"]
        assert isinstance(site, forms.ModelChoiceField) and isinstance(area, forms.ModelChoiceField)
        site.queryset = sites if sites is not None else Site.objects.filter(is_active=True)
        area.queryset = ProductArea.objects.filter(is_active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = target_key(site=data.get("site"), product_area=data.get("product_area"), kind=data.get("kind") or "")
        if not {"site", "product_area", "kind"} & self.errors.keys() and not chosen:
            self.add_error(None, NOTHING_CHOSEN)
        return data


class WhatHappenedForm(forms.Form):
    what_happened_weekly = forms.BooleanField(
        label=_("E-mail me every Monday what became of my notes of the week before"), required=False
    )
