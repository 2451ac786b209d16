"""Pages for notes: capture, my notes, the site's notes, export, import."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from voc import audit, csvfiles, xlsxfiles
from voc.access import lead_site_ids, suggestible_notes
from voc.audit import client_ip
from voc.errors import DomainError, show_on_forms
from voc.http import AuthedHttpRequest
from voc.models import ComplaintContact, ImportJob, Insight, Site
from voc.notes import import_jobs, imports, services
from voc.notes.filters import NoteFilter
from voc.notes.forms import ContactForm, ImportForm, NoteForm
from voc.notes.plus_one import answer as plus_one_answer
from voc.notes.plus_one import last_channel
from voc.notes.similarity import similar_notes
from voc.notes.suggestions import suggestions
from voc.roles import Capability, capability_required

PAGE_SIZE = 25


def describe_removed(found: dict[str, int]) -> str:
    labels = {
        "EMAIL": _("e-mail addresses"),
        "PHONE": _("phone numbers"),
        "CARD": _("card numbers"),
        "IBAN": _("IBANs"),
        "ID": _("ID numbers"),
        "EXPIRY": _("card expiry dates"),
        "CVV": _("card security codes"),
        "ACCOUNT": _("account numbers"),
        "PASSPORT": _("passport numbers"),
    }
    return ", ".join(f"{labels.get(kind, kind)}: {count}" for kind, count in sorted(found.items()))


def _contact(contact_form: ContactForm) -> services.ContactDetails:
    data = contact_form.cleaned_data
    return services.ContactDetails(
        name=data["contact_name"],
        phone=data["contact_phone"],
        email=data["contact_email"],
        account=data["contact_account"],
        consent=data["contact_consent"],
    )


def _note_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The note form's fields are exactly the fields an author may set (Insight.EDITABLE_FIELDS)."""
    return {name: data[name] for name in Insight.EDITABLE_FIELDS}


@capability_required(Capability.LOG_NOTES)
def capture(request: AuthedHttpRequest) -> HttpResponse:
    """The quick capture form. "Preview" shows what would be stored without saving."""
    if request.method == "POST":
        form = NoteForm(request.POST)
        contact_form = ContactForm(request.POST)
        preview = None
        note_ok, contact_ok = form.is_valid(), contact_form.is_valid()  # both: every error at once
        typed = services.ContactDetails(
            name=request.POST.get("contact_name", ""),
            phone=request.POST.get("contact_phone", ""),
            email=request.POST.get("contact_email", ""),
            account=request.POST.get("contact_account", ""),
            consent=bool(request.POST.get("contact_consent")),
        )
        if request.POST.get("kind") == Insight.Kind.COMPLAINT and any(
            (typed.name.strip(), typed.phone.strip(), typed.email.strip(), typed.account.strip())
        ):
            for field, message in services.contact_problems(typed).items():
                if not contact_form.has_error(field):
                    contact_form.add_error(field, message)
            contact_ok = not contact_form.errors
        if note_ok and contact_ok:
            if "preview" in request.POST:
                preview = services.preview_note(text=form.cleaned_data["text"], default_language=request.user.language)
            else:
                contact = None
                if form.cleaned_data["kind"] == Insight.Kind.COMPLAINT and contact_form.has_details():
                    contact = _contact(contact_form)
                try:
                    note, _created = services.record_note(
                        agent=request.user,
                        contact=contact,
                        ip_address=client_ip(request),
                        **_note_fields(form.cleaned_data),
                    )
                except DomainError as exc:
                    show_on_forms(exc, form, contact_form)
                else:
                    request.session["last_channel"] = note.channel
                    removed = services.preview_note(text=form.cleaned_data["text"])["found"]
                    if removed:
                        messages.success(
                            request,
                            _("Saved. Personal data was removed before storing: %(what)s.")
                            % {"what": describe_removed(removed)},
                        )
                    else:
                        messages.success(request, _("Saved. Thank you: head office will hear it."))
                    return redirect("capture")
    else:
        form = NoteForm(initial={"channel": last_channel(request), "kind": Insight.Kind.NEED})
        contact_form = ContactForm()
        preview = None
    recent = (
        Insight.objects.filter(agent=request.user)
        .select_related("site")
        .annotate(tally_count=Count("tallies"))
        .order_by("-created_at")[:5]
    )
    return render(
        request,
        "voc/capture.html",
        {"form": form, "contact_form": contact_form, "preview": preview, "recent": recent},
    )


@capability_required(Capability.LOG_NOTES)
@require_POST
def assist(request: AuthedHttpRequest) -> JsonResponse:
    """While typing: what would be stored, and notes that already say much the same.

    POST (not GET) so the unredacted text never lands in a URL or an access log."""
    text = request.POST.get("text", "")[: Insight.TEXT_MAX_LENGTH]
    preview = services.preview_note(text=text, default_language=request.user.language)
    similar = [
        {
            "id": s.note.pk,
            "text": s.note.text[:240],
            "kind": s.note.get_kind_display(),
            "site": str(s.note.site),
            "when": date_format(timezone.localtime(s.note.occurred_at), "SHORT_DATE_FORMAT"),
            "tallies": s.tallies,
            "score": s.score,
            "plus_one_url": reverse("plus_one", args=[s.note.pk]),
        }
        for s in similar_notes(preview["text"], viewer=request.user)
    ]
    return JsonResponse(
        {"preview": preview, "similar": similar, "suggestions": suggestions(preview["text"], viewer=request.user)}
    )


@capability_required(Capability.LOG_NOTES)
@require_POST
def plus_one(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    # A note the agent may not be shown is not found (as in the API): no telling it exists.
    note = get_object_or_404(suggestible_notes(request.user), pk=pk)

    def count(channel: str) -> dict[str, Any]:
        services.add_tally(note=note, agent=request.user, channel=channel)
        return {"tallies": note.tallies.count()}

    return plus_one_answer(request, count, back=reverse("capture"))


def _paginate(request: AuthedHttpRequest, queryset: Any) -> Any:
    return Paginator(queryset.order_by("-occurred_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))


@capability_required(Capability.VIEW_OWN_NOTES)
@require_GET
def my_notes(request: AuthedHttpRequest) -> HttpResponse:
    notes = Insight.objects.filter(agent=request.user).select_related("site", "product_area")
    note_filter = NoteFilter(request.GET, queryset=notes.annotate(tally_count=Count("tallies")))
    page = _paginate(request, note_filter.qs)
    editable_after = timezone.now() - services.EDIT_WINDOW
    return render(
        request,
        "voc/my_notes.html",
        {"filter": note_filter, "page": page, "editable_after": editable_after, "query": _query_without_page(request)},
    )


def _query_without_page(request: AuthedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@capability_required(Capability.LOG_NOTES)
def edit_note(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Insight, pk=pk, agent=request.user)
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.edit_note(
                    note=note, editor=request.user, ip_address=client_ip(request), **_note_fields(form.cleaned_data)
                )
            except DomainError as exc:
                show_on_forms(exc, form)
            else:
                messages.success(request, _("Note updated."))
                return redirect("my_notes")
    else:
        initial = {name: getattr(note, name) for name in Insight.EDITABLE_FIELDS}
        initial["occurred_at"] = timezone.localtime(note.occurred_at)
        form = NoteForm(initial=initial)
    return render(request, "voc/edit_note.html", {"form": form, "note": note})


@capability_required(Capability.LOG_NOTES)
@require_POST
def withdraw_note(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Insight, pk=pk, agent=request.user)
    try:
        services.withdraw_notes(notes=[note], by=request.user, ip_address=client_ip(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Note withdrawn. It no longer counts anywhere; “Restore” below undoes it if that was a mistake.")
        )
    return redirect("my_notes")


@capability_required(Capability.LOG_NOTES)
@require_POST
def restore_note(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Undo a withdrawal (the agent's own note, within 24 hours of logging it)."""
    note = get_object_or_404(Insight, pk=pk, agent=request.user)
    try:
        services.restore_notes(notes=[note], by=request.user, ip_address=client_ip(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Note restored. It counts again."))
    return redirect("my_notes")


def _site_notes(request: AuthedHttpRequest) -> tuple[NoteFilter, Any]:
    site_ids = lead_site_ids(request.user)
    notes = Insight.objects.for_sites(site_ids).select_related("site", "agent", "product_area")
    note_filter = NoteFilter(request.GET, queryset=notes, site_queryset=Site.objects.filter(pk__in=site_ids))
    return note_filter, note_filter.qs


@capability_required(Capability.VIEW_SITE_NOTES)
def site_notes(request: AuthedHttpRequest) -> HttpResponse:
    """Leads: every note of their sites, with filters, bulk withdrawal and CSV export."""
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("note") if i.isdecimal() and len(i) < 19]
        chosen = list(Insight.objects.for_sites(lead_site_ids(request.user)).filter(pk__in=ids))
        action = request.POST.get("action")
        if action not in ("withdraw", "restore") or not chosen:
            messages.error(request, _("Choose notes and an action."))
        else:
            try:
                if action == "withdraw":
                    count = services.withdraw_notes(notes=chosen, by=request.user, ip_address=client_ip(request))
                    done = ngettext(
                        "%(count)d note withdrawn; choose it and “Restore” to undo.",
                        "%(count)d notes withdrawn; choose them and “Restore” to undo.",
                        count,
                    )
                else:
                    count = services.restore_notes(notes=chosen, by=request.user, ip_address=client_ip(request))
                    done = ngettext("%(count)d note restored.", "%(count)d notes restored.", count)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, done % {"count": count})
        return redirect(f"{reverse('site_notes')}?{request.POST.get('query', '')}")
    note_filter, notes = _site_notes(request)
    page = _paginate(request, notes.annotate(tally_count=Count("tallies")))
    return render(
        request,
        "voc/site_notes.html",
        {"filter": note_filter, "page": page, "query": _query_without_page(request)},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "id",
    "occurred_at",
    "site",
    "agent",
    "kind",
    "channel",
    "language",
    "text",
    "customer_abroad",
    "abroad_country",
    "caused_by_us",
    "lonely",
    "vulnerable",
    "product_area",
    "status",
    "source",
    "external_id",
    "plus_ones",
]


def _export_rows(notes: QuerySet[Any]) -> Iterator[list[Any]]:
    """The rows of the notes export (CSV and .xlsx), in ``EXPORT_COLUMNS`` order, streamed; ``notes``
    are annotated with ``tally_count``."""
    for n in notes.iterator(chunk_size=2000):
        yield [
            n.pk,
            timezone.localtime(n.occurred_at).isoformat(),
            n.site.name,
            n.agent.username,
            n.kind,
            n.channel,
            n.language,
            n.text,
            n.customer_abroad,
            n.abroad_country,
            n.caused_by_us,
            n.lonely,
            n.vulnerable,
            n.product_area.name if n.product_area else "",
            n.status,
            n.source,
            n.external_id,
            n.tally_count,
        ]


@capability_required(Capability.VIEW_SITE_NOTES)
@require_GET
def export_notes(request: AuthedHttpRequest) -> StreamingHttpResponse:
    """The filtered notes as CSV, streamed (text is the redacted text; no contact details)."""
    _filter, notes = _site_notes(request)
    rows = notes.annotate(tally_count=Count("tallies")).order_by("occurred_at", "id")
    writer = csvfiles.Writer(_Echo())  # no cell comes out as a live spreadsheet formula

    def lines() -> Iterator[str]:
        yield csvfiles.BOM + writer.writerow(EXPORT_COLUMNS)
        for row in _export_rows(rows):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="notes-{timezone.localdate():%Y-%m-%d}.csv"'
    audit.record(
        actor=request.user,
        action="notes.exported",
        ip_address=client_ip(request),
        details={"filters": request.GET.urlencode()},
    )
    return response


@capability_required(Capability.VIEW_SITE_NOTES)
@require_GET
def export_notes_xlsx(request: AuthedHttpRequest) -> FileResponse:
    """The filtered notes as an Excel workbook: the same columns and rows as the CSV, text cells
    as strings (never formulas); written to a temporary file in openpyxl's write-only mode."""
    _filter, notes = _site_notes(request)
    rows = notes.annotate(tally_count=Count("tallies")).order_by("occurred_at", "id")
    out = xlsxfiles.write_xlsx(title=_("Notes"), header=EXPORT_COLUMNS, rows=_export_rows(rows))
    audit.record(
        actor=request.user,
        action="notes.exported",
        ip_address=client_ip(request),
        details={"filters": request.GET.urlencode(), "format": "xlsx"},
    )
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"notes-{timezone.localdate():%Y-%m-%d}.xlsx",
        content_type=xlsxfiles.CONTENT_TYPE,
    )


@capability_required(Capability.VIEW_SITE_NOTES)
@require_GET
def note_contact(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A complaint's contact details, for the leads of its site; every view is audited."""
    contact = get_object_or_404(ComplaintContact.objects.select_related("note__site"), note_id=pk)
    try:
        services.open_contact(contact=contact, viewer=request.user, ip_address=client_ip(request))
    except DomainError:
        raise PermissionDenied from None
    return render(request, "voc/contact.html", {"contact": contact, "note": contact.note})


@capability_required(Capability.VIEW_SITE_NOTES)
def import_upload(request: AuthedHttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.queue_import(uploaded_by=request.user, upload=form.cleaned_data["file"])
        except DomainError as exc:
            show_on_forms(exc, form)
        else:
            return redirect("import_status", pk=job.pk)
    jobs = ImportJob.objects.filter(uploaded_by=request.user)[:10]
    return render(
        request,
        "voc/import.html",
        {
            "form": form,
            "jobs": jobs,
            "required": imports.REQUIRED,
            "optional": imports.OPTIONAL,
            "max_bytes": settings.VOC_IMPORT_MAX_BYTES,
            "max_rows": number_format(settings.VOC_IMPORT_MAX_ROWS, force_grouping=True),
            "retention_days": settings.VOC_IMPORT_RETENTION_DAYS,
        },
    )


@capability_required(Capability.VIEW_SITE_NOTES)
@require_GET
def import_status(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk, uploaded_by=request.user)
    return render(request, "voc/import_status.html", {"job": job, "max_error_rows": imports.MAX_ERROR_ROWS})


@capability_required(Capability.VIEW_SITE_NOTES)
@require_GET
def import_errors(request: AuthedHttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(ImportJob, pk=pk, uploaded_by=request.user)
    if not job.error_file:
        raise Http404
    return FileResponse(job.error_file.open("rb"), as_attachment=True, filename=f"rows-to-fix-{job.pk}.csv")
