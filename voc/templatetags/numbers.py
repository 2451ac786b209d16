"""Numbers in templates, written the way the active language writes them."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from voc.numbers import decimal

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """A share (0 to 1) as a whole percentage: "13%" in English, "13 %" in Spanish and Galician."""
    if share is None:
        return "—"
    return _("%(n)s%%") % {"n": decimal(round(float(share) * 100))}
