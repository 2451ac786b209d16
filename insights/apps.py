from typing import Any

from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def owned_themes(executive: Any) -> Q:
    """An executive's remit includes the themes they own (insights.Theme.owners)."""
    return Q(assignment__theme__owners=executive)


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules use the models.
        from insights import desk, tasks  # noqa: F401 - desk registers the home page's items
        from insights.questions import suggest
        from voc import signals
        from voc.notes import suggestions
        from voc.programme.cases import services as cases

        signals.notes_recorded.connect(tasks.queue_embedding, dispatch_uid="insights.queue_embedding")
        signals.demo_seeded.connect(tasks.queue_demo_themes, dispatch_uid="insights.queue_demo_themes")
        if suggest.suggest not in suggestions.SUGGESTERS:
            suggestions.SUGGESTERS.append(suggest.suggest)
        if owned_themes not in cases.REMIT_MATCHERS:
            cases.REMIT_MATCHERS.append(owned_themes)
