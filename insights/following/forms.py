from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from voc.models import Insight, ProductArea, Site


class FollowForm(forms.Form):
    """Follow a site, a product area and/or a kind (themes and questions are followed from their
    pages), and how to hear of it."""

    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.none(), required=False, empty_label=_("Any site")
    )
    product_area = forms.ModelChoiceField(
        label=_("Product or area"), queryset=ProductArea.objects.none(), required=False, empty_label=_("Any")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *Insight.Kind.choices], required=False)
    alert_threshold = forms.IntegerField(
        label=_("Alert me above this many a day"),
        required=False,
        min_value=1,
        help_text=_("Leave empty for no threshold alert."),
    )
    alert_on_spike = forms.BooleanField(label=_("Alert me when it spikes"), required=False, initial=True)

    def __init__(self, *args: Any, sites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site, area = self.fields["site"], self.fields["product_area"]
        assert isinstance(site, forms.ModelChoiceField) and isinstance(area, forms.ModelChoiceField)
        site.queryset = sites if sites is not None else Site.objects.filter(is_active=True)
        area.queryset = ProductArea.objects.filter(is_active=True)
