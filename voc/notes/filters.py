"""Note filters, shared by the leads' page, "my notes", the CSV export and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.forms import DateInput
from django.utils.translation import gettext_lazy as _

from voc.models import Insight, ProductArea, Site


class IdsField(forms.ModelMultipleChoiceField):
    """Several rows chosen by id (sites, themes, questions, product areas), refusing ids no
    database column can hold instead of letting the lookup overflow into a server error. Every
    form and filter choosing several rows uses it."""

    def clean(self, value: Any) -> Any:
        for item in value or []:
            if not str(item).isdecimal() or len(str(item)) > 18:
                raise forms.ValidationError(_("Choose from the list."), code="invalid_choice")
        return super().clean(value)


class IdsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdsField


class NoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Text contains"), method="filter_text")
    text = django_filters.CharFilter(label=_("Text contains"), method="filter_text")
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=Insight.Kind.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    channel = django_filters.MultipleChoiceFilter(
        label=_("Channel"), choices=Insight.Channel.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    language = django_filters.MultipleChoiceFilter(
        label=_("Language"), choices=Insight.Language.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    site = IdsFilter(label=_("Site"), queryset=Site.objects.all(), widget=forms.CheckboxSelectMultiple, distinct=False)
    product_area = IdsFilter(
        label=_("Product or area"),
        queryset=ProductArea.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Insight.Status.choices, empty_label=_("Any"))
    occurred_after = django_filters.DateFilter(
        label=_("From"), field_name="occurred_at", lookup_expr="date__gte", widget=DateInput(attrs={"type": "date"})
    )
    occurred_before = django_filters.DateFilter(
        label=_("To"), field_name="occurred_at", lookup_expr="date__lte", widget=DateInput(attrs={"type": "date"})
    )
    customer_abroad = django_filters.BooleanFilter(label=_("Customer abroad"))
    caused_by_us = django_filters.BooleanFilter(label=_("Caused by us"))
    lonely = django_filters.BooleanFilter(label=_("Lonely / needed to talk"))
    vulnerable = django_filters.BooleanFilter(label=_("Vulnerable customer"))
    external_id = django_filters.CharFilter(label=_("External id"))

    class Meta:
        model = Insight
        fields: list[str] = []

    def __init__(self, *args, site_queryset: QuerySet[Site] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if site_queryset is not None:
            self.filters["site"].queryset = site_queryset

    def filter_text(self, queryset: QuerySet[Insight], name: str, value: str) -> QuerySet[Insight]:
        words = [w for w in value.split() if w][:8]
        condition = Q()
        for word in words:
            condition &= Q(text__icontains=word)
        return queryset.filter(condition)
