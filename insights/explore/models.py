"""The dashboard's daily roll-up (issue 16): active notes counted per local day and per every
dimension the dashboard filters or breaks down by, so that a period reads a few thousand rows
instead of every note. PostgreSQL keeps both tables exact in the same transaction as the change,
with statement triggers on ``voc_insight`` and ``insights_assignment`` (``explore/rollup.py``);
other databases leave them empty and the dashboard counts the notes themselves.

Plain integer columns, no foreign keys: a count outlives nothing and blocks no deletion."""

from __future__ import annotations

from django.db import models

# The note's dimensions a day's tally is kept by, in key order (the triggers' SQL uses them too).
NOTE_COLUMNS = (
    "site_id",
    "kind",
    "channel",
    "language",
    "product_area_id",
    "customer_abroad",
    "caused_by_us",
    "lonely",
    "vulnerable",
)


class DailyTally(models.Model):
    """Active notes of one local day with one combination of site, kind, channel, language,
    product area and flags."""

    day = models.DateField()
    site_id = models.BigIntegerField()
    kind = models.CharField(max_length=16)
    channel = models.CharField(max_length=16)
    language = models.CharField(max_length=2)
    product_area_id = models.BigIntegerField(null=True)
    customer_abroad = models.BooleanField()
    caused_by_us = models.BooleanField()
    lonely = models.BooleanField()
    vulnerable = models.BooleanField()
    notes = models.IntegerField()

    class Meta:
        constraints = [
            # one row per combination (no product area is one value), the key the triggers upsert on
            models.UniqueConstraint(
                fields=["day", *NOTE_COLUMNS],
                name="dailytally_key",
                nulls_distinct=False,
                include=["notes"],  # a period's figures from the index alone
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} site {self.site_id}: {self.notes}"


class DailyThemeTally(models.Model):
    """Active notes of one local day and site assigned to one theme (any status: the reader
    keeps the accepted ones): all of them (``dimension`` and ``value`` empty), and again per
    value of each other dimension (``kind``/``complaint``, ``product_area``/``3``,
    ``caused_by_us``/``true``…), so that the themes under one filter read a few rows."""

    day = models.DateField()
    site_id = models.BigIntegerField()
    theme_id = models.BigIntegerField()
    dimension = models.CharField(max_length=16, blank=True)
    value = models.CharField(max_length=24, blank=True)
    notes = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "value", "day", "site_id", "theme_id"],
                name="dailythemetally_key",
                include=["notes"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} site {self.site_id} theme {self.theme_id}: {self.notes}"
