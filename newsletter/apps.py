from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules use the models.
        from insights import signals
        from insights.search import services as search
        from newsletter import desk, tasks  # noqa: F401 - desk registers the home page's items
        from newsletter import search as issues

        signals.demo_themes_ready.connect(tasks.queue_demo_issues, dispatch_uid="newsletter.queue_demo_issues")
        if ("issues", issues.search_issues) not in search.SEARCHERS:
            search.SEARCHERS.append(("issues", issues.search_issues))
