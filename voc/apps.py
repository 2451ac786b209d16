from typing import Any

from celery import signals as celery_signals
from django.apps import AppConfig
from django.contrib.auth import signals as auth_signals
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class VocConfig(AppConfig):
    name = "voc"
    verbose_name = _("Voice of the customer")

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules use the models.
        from voc import audit, schedules
        from voc.accounts import signin_limits

        auth_signals.user_logged_in.connect(audit.on_login, dispatch_uid="voc.audit.login")
        auth_signals.user_logged_out.connect(audit.on_logout, dispatch_uid="voc.audit.logout")
        auth_signals.user_login_failed.connect(audit.on_login_failed, dispatch_uid="voc.audit.login_failed")
        auth_signals.user_login_failed.connect(signin_limits.on_login_failed, dispatch_uid="voc.accounts.signin_limits")
        post_migrate.connect(schedules.ensure_default_schedules, sender=self, dispatch_uid="voc.schedules")
        celery_signals.task_failure.connect(_job_failed, dispatch_uid="voc.machinery.failed")
        celery_signals.task_retry.connect(_job_retried, dispatch_uid="voc.machinery.retried")
        checks.register(_site_url_check)


def _site_url_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from voc.emails import site_url_problem

    problem = site_url_problem()
    if problem is None:
        return []
    return [checks.Warning(problem, hint="Set VOC_SITE_URL to the address people open.", id="voc.W001")]


def _job_failed(sender: Any = None, exception: BaseException | None = None, **kwargs: Any) -> None:
    from voc import machinery

    machinery.job_event(task=getattr(sender, "name", str(sender)), outcome="failed", error=exception)


def _job_retried(sender: Any = None, reason: Any = None, **kwargs: Any) -> None:
    from voc import machinery

    error = reason if isinstance(reason, BaseException) else None
    machinery.job_event(task=getattr(sender, "name", str(sender)), outcome="retried", error=error)
