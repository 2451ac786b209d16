"""People and places (users, sites, teams), notes and what hangs off them, and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from voc.privacy import RedactedCharField, RedactedJSONField, RedactedTextField


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
    rank = models.PositiveSmallIntegerField(
        _("seniority rank"),
        null=True,
        blank=True,
        help_text=_("Executives only: 1 is the most senior, who chooses a complaint first each month."),
    )
    remit_areas: models.ManyToManyField[ProductArea, Any] = models.ManyToManyField(
        "ProductArea",
        blank=True,
        related_name="owners",
        verbose_name=_("remit (product areas)"),
        help_text=_("Executives: complaints about these areas are preferred for their monthly case."),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # there at run time; the stubs omit it
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
    object_repr = RedactedCharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    details = RedactedJSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class ProductArea(models.Model):
    """A product or area a note is about; the list is kept by admins."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product or area")
        verbose_name_plural = _("products and areas")

    def __str__(self) -> str:
        return self.name


class InsightQuerySet(models.QuerySet["Insight"]):
    def active(self) -> InsightQuerySet:
        """Notes that count: withdrawn notes are kept for audit but hidden from counts."""
        return self.filter(status=Insight.Status.ACTIVE)

    def for_sites(self, site_ids: list[int]) -> InsightQuerySet:
        return self.filter(site_id__in=site_ids)


class Insight(models.Model):
    """A note: one thing a customer said, logged by an agent. Text is redacted before it is stored."""

    # What an author sets and may edit (within the edit window): the form, the API, the import
    # and ``services.edit_note`` all take these, in this order.
    EDITABLE_FIELDS = (
        "kind",
        "text",
        "channel",
        "language",
        "occurred_at",
        "customer_abroad",
        "abroad_country",
        "caused_by_us",
        "lonely",
        "vulnerable",
        "product_area",
    )

    class Kind(models.TextChoices):
        NEED = "need", _("Need")
        WANT = "want", _("Want")
        LOVE = "love", _("Love")
        FRUSTRATION = "frustration", _("Frustration")
        QUESTION = "question", _("Question")
        THANKS = "thanks", _("Thanks")
        COMPLAINT = "complaint", _("Complaint")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        CHAT = "chat", _("Chat")
        SMS = "sms", _("SMS")
        SOCIAL = "social", _("Social media")
        IN_PERSON = "in_person", _("In person")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SPANISH = "es", _("Spanish")
        GALICIAN = "gl", _("Galician")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TEXT_MAX_LENGTH = 2000

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = RedactedCharField(_("what the customer said"), max_length=TEXT_MAX_LENGTH)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    # Agent and site are looked up through the (agent, occurred_at) and (site, occurred_at)
    # indexes below; an index of their own would only slow every INSERT down.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notes",
        verbose_name=_("agent"),
        db_index=False,
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="notes", verbose_name=_("site"), db_index=False
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes", verbose_name=_("team")
    )
    occurred_at = models.DateTimeField(_("when it happened"), db_index=True)
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    customer_abroad = models.BooleanField(_("customer abroad"), default=False)
    abroad_country = models.CharField(_("country the customer was in"), max_length=2, blank=True)
    caused_by_us = models.BooleanField(
        _("caused by us"),
        default=False,
        help_text=_("Failure demand: the contact happened because we got something wrong."),
    )
    lonely = models.BooleanField(_("lonely / needed to talk"), default=False)
    vulnerable = models.BooleanField(_("vulnerable customer"), default=False)
    product_area = models.ForeignKey(
        ProductArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("product or area"),
    )
    source = models.CharField(_("source system"), max_length=32, blank=True)
    external_id = models.CharField(_("id in the source system"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    objects = InsightQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="insight_unique_external_id_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["need", "want", "love", "frustration", "question", "thanks", "complaint"]),
                name="insight_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", withdrawn_at__isnull=True)
                | models.Q(status="withdrawn", withdrawn_at__isnull=False),
                name="insight_withdrawn_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "occurred_at"], name="insight_site_time_idx"),
            models.Index(fields=["agent", "occurred_at"], name="insight_agent_time_idx"),
            models.Index(fields=["status", "occurred_at"], name="insight_status_time_idx"),
            # The dashboard's breakdowns of a period (PostgreSQL): every column they group or
            # filter by is in the index, so each GROUP BY is an index-only scan of the range.
            models.Index(
                fields=["occurred_at"],
                include=["id", "site", "kind", "channel", "language", "product_area", "caused_by_us"],
                condition=models.Q(status="active"),
                name="insight_active_time_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class ComplaintContact(models.Model):
    """A complaining customer's contact details: kept apart from the note, shown only to the few
    who may handle the complaint, and every view is audited."""

    note = models.OneToOneField(Insight, on_delete=models.PROTECT, related_name="contact", verbose_name=_("note"))
    name = models.CharField(_("customer name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    account = models.CharField(_("account or policy number"), max_length=64, blank=True)
    consent = models.BooleanField(_("customer agreed to be contacted"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("complaint contact")
        verbose_name_plural = _("complaint contacts")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(phone="", email=""), name="complaint_contact_has_phone_or_email"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Contact for note')} {self.note_id}"


class Tally(models.Model):
    """A "+1, heard this too": another customer said the same as an existing note."""

    note = models.ForeignKey(Insight, on_delete=models.PROTECT, related_name="tallies", verbose_name=_("note"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tallies", verbose_name=_("agent")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="tallies", verbose_name=_("site"))
    channel = models.CharField(_("channel"), max_length=16, choices=Insight.Channel.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("+1")
        verbose_name_plural = _("+1s")

    def __str__(self) -> str:
        return f"+1 {self.note_id} by {self.agent_id}"


class ImportJob(models.Model):
    """A CSV of notes uploaded by a lead, imported by a worker in chunks that each commit.

    ``file`` (the raw upload) exists only while the job is queued or running; ``last_row`` is
    the file row up to which every row's fate is committed (resuming starts after it), and
    ``error_file_size`` the committed length of ``error_file`` (a resumed job cuts anything
    written after it). The error file and ``problems`` hold redacted values only."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = RedactedCharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("notes created"), default=0)
    duplicates = models.PositiveIntegerField(_("already there"), default=0)
    invalid = models.PositiveIntegerField(_("rows with errors"), default=0)
    message = RedactedTextField(_("message"), blank=True)
    problems = RedactedJSONField(_("first problems"), default=list, blank=True)
    error_file = models.FileField(_("rows to fix"), upload_to="imports/%Y/%m/", blank=True)
    last_row = models.PositiveIntegerField(_("last row committed"), default=0)
    error_file_size = models.PositiveBigIntegerField(_("error file bytes committed"), default=0)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    # How the file was read (voc.notes.fileformat), stored as codes so the page says it in the reader's language.
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    delimiter = models.CharField(_("separator"), max_length=1, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.original_name

    def problems_display(self) -> list[dict[str, object]]:
        """The kept problems with each reason in the active language (jobs stored before reasons
        were kept per language show the text stored, in the uploader's language)."""
        language = get_language() or settings.LANGUAGE_CODE
        return [{**p, "reason": (p.get("reasons") or {}).get(language, p.get("reason", ""))} for p in self.problems]

    def file_format_display(self) -> str:
        """ "Read as Latin-1 (Windows), separated by semicolons." ("" for jobs from before detection)."""
        from voc.notes.fileformat import describe  # models load before the notes package

        return describe(self.encoding, self.delimiter)
