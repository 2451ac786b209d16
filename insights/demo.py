"""Demo themes: after seed_demo, embed the demo notes, discover themes and accept the big ones,
as a lead would on their first morning, so the demo shows themes, trends and spikes."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from insights import services, trends
from insights.models import Theme
from voc.models import User

ACCEPT_FROM = 12  # proposals at least this big are accepted for the demo


def seed_themes() -> dict[str, int]:
    """Idempotent: notes already embedded are skipped, discovery only takes notes without a theme."""
    embedded = sum(services.embed_notes(note_ids=ids) for ids in services.notes_without_vectors(chunk=256))
    proposals = services.discover_themes(min_size=5)
    lead = User.objects.filter(role=User.Role.LEAD, is_active=True).order_by("id").first()
    accepted = 0
    if lead is not None:
        big = Theme.objects.proposed().annotate(size=Count("assignments")).filter(size__gte=ACCEPT_FROM)
        for theme in big:
            services.accept_theme(theme=theme, by=lead)
            accepted += 1
    today = timezone.localdate()
    last = trends.last_complete_week(today)
    services.detect_spikes(week=last - timedelta(days=7))  # as the Monday jobs would have run
    alerts = len(services.detect_spikes(week=last))
    return {"embedded": embedded, "proposed": len(proposals), "accepted": accepted, "alerts": alerts}
