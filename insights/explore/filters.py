"""The filters of the head-office dashboard and of search, one definition for pages and API:
a period (presets or custom dates), site, channel, kind, language, product area, theme and the
flags. They live in the URL, so a view is shareable and bookmarkable."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from insights.models import Theme
from insights.questions.counts import midnight
from voc.models import Insight, ProductArea, Site
from voc.notes.filters import IdsFilter
from voc.periods import month_start, week_start

PERIODS = [
    ("last_week", _("Last week")),
    ("last_4_weeks", _("Last 4 weeks")),
    ("this_month", _("This month")),
    ("last_90_days", _("Last 90 days")),
    ("custom", _("Custom dates")),
]
DEFAULT_PERIOD = "last_4_weeks"


def period_dates(period: str, today: date) -> tuple[date, date]:
    """``[first, last]`` days of a preset period (whole ISO weeks for the weekly presets)."""
    this_monday = week_start(today)
    if period == "last_week":
        return this_monday - timedelta(days=7), this_monday - timedelta(days=1)
    if period == "this_month":
        return month_start(today), today
    if period == "last_90_days":
        return today - timedelta(days=89), today
    return this_monday - timedelta(days=28), this_monday - timedelta(days=1)


# Dates outside these years are typing mistakes; the last day of year 9999 would overflow the
# range's end (the day after it) into a server error.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class ExploreForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("date_from", "date_to"):
            value = data.get(name)
            if value and not EARLIEST <= value <= LATEST:
                self.add_error(name, _("Choose a date between 1900 and 2999."))
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class ExploreFilter(django_filters.FilterSet):
    """``bounds`` (the first and last day shown) is set once the filter has run."""

    period = django_filters.ChoiceFilter(label=_("Period"), choices=PERIODS, method="filter_nothing", empty_label=None)
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_nothing", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_nothing", widget=forms.DateInput(attrs={"type": "date"})
    )
    site = IdsFilter(label=_("Site"), queryset=Site.objects.all(), widget=forms.CheckboxSelectMultiple, distinct=False)
    channel = django_filters.MultipleChoiceFilter(
        label=_("Channel"), choices=Insight.Channel.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=Insight.Kind.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    language = django_filters.MultipleChoiceFilter(
        label=_("Language"), choices=Insight.Language.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    product_area = IdsFilter(
        label=_("Product or area"),
        queryset=ProductArea.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    theme = IdsFilter(
        label=_("Theme"),
        field_name="assignment__theme",
        queryset=Theme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    customer_abroad = django_filters.BooleanFilter(label=_("Customer abroad"))
    caused_by_us = django_filters.BooleanFilter(label=_("Caused by us"))
    lonely = django_filters.BooleanFilter(label=_("Lonely / needed to talk"))
    vulnerable = django_filters.BooleanFilter(label=_("Vulnerable customer"))

    class Meta:
        model = Insight
        fields: list[str] = []
        form = ExploreForm

    def __init__(
        self,
        *args: Any,
        sites: QuerySet[Site] | None = None,
        today: date | None = None,
        dated: bool = True,
        **kwargs: Any,
    ):
        """``dated=False``: every other filter, any date (the period before, for comparisons)."""
        super().__init__(*args, **kwargs)
        self.dated = dated
        self.today = today or timezone.localdate()
        if sites is not None:
            self.filters["site"].queryset = sites
        self.filters["theme"].queryset = Theme.objects.accepted()
        self.bounds: tuple[date, date] = period_dates(DEFAULT_PERIOD, self.today)

    def filter_nothing(self, queryset: QuerySet[Insight], name: str, value: Any) -> QuerySet[Insight]:
        return queryset  # the period is applied once, in filter_queryset

    def filter_queryset(self, queryset: QuerySet[Insight]) -> QuerySet[Insight]:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        period = data.get("period") or DEFAULT_PERIOD
        first, last = period_dates(period, self.today)
        if data.get("date_from") or data.get("date_to") or period == "custom":
            first = data.get("date_from") or first
            last = data.get("date_to") or last
        self.bounds = (first, last)
        if not self.dated:
            return queryset
        # a range on the indexed column, not a cast per row
        return queryset.filter(occurred_at__gte=midnight(first), occurred_at__lt=midnight(last + timedelta(days=1)))
