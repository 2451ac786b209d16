"""People and places (users, sites, teams) and the audit log; notes arrive with issue 3."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    """A contact centre."""

    class Country(models.TextChoices):
        SPAIN = "ES", _("Spain")
        UNITED_KINGDOM = "GB", _("United Kingdom")

    name = models.CharField(_("name"), max_length=100, unique=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team of agents at one site."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="teams", verbose_name=_("site"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["site__name", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="team_unique_name_per_site")]

    def __str__(self) -> str:
        return f"{self.site} · {self.name}"


class User(AbstractUser):
    """A person who uses Listening Post; what they may do follows from ``role`` (voc.roles)."""

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        LEAD = "lead", _("Lead")
        HQ = "hq", _("Head office")
        EXECUTIVE = "executive", _("Executive")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("home site"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    lead_sites = models.ManyToManyField(
        Site,
        blank=True,
        related_name="leads",
        verbose_name=_("sites led"),
        help_text=_("Further sites whose notes a lead sees, besides the home site."),
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["agent", "lead", "hq", "executive", "admin"]),
                name="user_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AuditEntry(models.Model):
    """Who did what to which object, when and from where. Written by services only."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
