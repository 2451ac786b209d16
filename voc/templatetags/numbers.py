"""Numbers in templates, written the way the active language writes them."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from voc.numbers import decimal

register = template.Library()


def _written(number: str) -> str:
    """ "13%" in English, "13 %" in Spanish and Galician."""
    return _("%(n)s%%") % {"n": number}


@register.filter
def percent(share: float | None) -> str:
    """A share (0 to 1) as a whole percentage."""
    if share is None:
        return "—"
    return _written(decimal(round(float(share) * 100)))


@register.filter
def percentage(value: float | None, sign: str = "") -> str:
    """A number already in percent (8.3), one decimal at most; ``"+"`` writes a rise as "+6"."""
    if value is None:
        return "—"
    text = decimal(value)
    return _written(f"+{text}" if sign == "+" and float(value) > 0 else text)
