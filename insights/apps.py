from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from insights import tasks
        from voc import signals

        signals.notes_recorded.connect(tasks.queue_embedding, dispatch_uid="insights.queue_embedding")
        signals.demo_seeded.connect(tasks.queue_demo_themes, dispatch_uid="insights.queue_demo_themes")
