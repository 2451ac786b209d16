from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules use the models.
        from insights import signals
        from newsletter import desk, tasks  # noqa: F401 - desk registers the home page's items

        signals.demo_themes_ready.connect(tasks.queue_demo_issues, dispatch_uid="newsletter.queue_demo_issues")
