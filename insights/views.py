"""Theme pages: the list with trends, a theme's page, the emerging inbox, and curation."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from insights import charts, figures, programme, services
from insights.actions import effect
from insights.forms import MergeForm, NotesForm, ParentForm, RenameForm
from insights.models import Alert, Theme, ThemeChange
from insights.questions import suggest
from voc import periods
from voc.access import visible_notes
from voc.audit import client_ip
from voc.errors import DomainError
from voc.http import AuthedHttpRequest
from voc.notes import plus_one
from voc.roles import Capability, capability_required, has_capability

WEEKS = 8


@capability_required(Capability.VIEW_THEMES)
@require_GET
def theme_list(request: AuthedHttpRequest) -> HttpResponse:
    summaries = figures.theme_summaries(weeks=WEEKS)
    sort = request.GET.get("sort", "last_week")
    if sort == "name":
        summaries.sort(key=lambda s: s["theme"].name.lower())
    elif sort == "rising":
        summaries.sort(key=lambda s: (s["change"] is None, -(s["change"] or 0)))
    else:
        summaries.sort(key=lambda s: -s["last_week"])
    for summary in summaries:
        summary["sparkline"] = charts.sparkline(summary["series"], label=_("Weekly mentions"))
    alerts = Alert.objects.filter(status=Alert.Status.OPEN).select_related("theme")
    page = Paginator(summaries, 50).get_page(request.GET.get("page"))
    emerging = Theme.objects.proposed().count()
    return render(
        request, "insights/theme_list.html", {"page": page, "alerts": alerts, "emerging": emerging, "sort": sort}
    )


def _theme_notes(theme: Theme, user: Any, *, words: str = ""):
    """The theme's notes this person may see (a lead: their sites'; head office: all), with
    every word of ``words`` in their text."""
    notes = visible_notes(user).active().filter(assignment__theme=theme)
    for word in words.split()[:8]:
        notes = notes.filter(text__icontains=word)
    return (
        notes.select_related("site", "assignment")
        .annotate(tally_count=Count("tallies"))
        .order_by("-occurred_at", "-id")
    )


@capability_required(Capability.VIEW_THEMES)
@require_GET
def theme_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    theme = get_object_or_404(Theme.objects.select_related("parent", "merged_into"), pk=pk)
    if theme.status == Theme.Status.MERGED and theme.merged_into_id:
        messages.info(request, _("This theme was merged into “%(name)s”.") % {"name": theme.merged_into})
    week_list = periods.weeks_back(timezone.localdate(), 12)
    series = figures.weekly_counts(weeks=week_list, theme_ids=[theme.pk]).get(theme.pk, [0] * len(week_list))
    words = request.GET.get("q", "").strip()[:200]
    page = Paginator(_theme_notes(theme, request.user, words=words), 25).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "theme": theme,
        "words": words,
        "query": urlencode({"q": words}) if words else "",
        "chart": charts.bar_chart_for_screens(
            [f"{w:%d/%m}" for w in week_list], series, title=_("Mentions per week"), partial=True
        ),
        "breakdown": figures.theme_breakdown(theme=theme),
        "quotes": figures.representative_notes(theme=theme, among=visible_notes(request.user)),
        "related": figures.related_themes(theme=theme),
        "history": theme.history.select_related("actor")[:20],
        "children": theme.children.exclude(status=Theme.Status.MERGED),
        "page": page,
        "can_curate": has_capability(request.user, Capability.CURATE_THEMES),
        "subject_actions": effect.taken_about(theme.actions.all()),
    }
    if context["can_curate"]:
        context.update(
            # Several forms on one page: each its own ids (the names stay, each posts alone).
            rename_form=RenameForm(initial={"name": theme.name, "name_es": theme.name_es}, auto_id="id_rename_%s"),
            merge_form=MergeForm(theme=theme, auto_id="id_merge_%s"),
            parent_form=ParentForm(theme=theme, initial={"parent": theme.parent_id}, auto_id="id_parent_%s"),
            notes_form=NotesForm(theme=theme, note_ids=[], auto_id="id_notes_%s"),
        )
    return render(request, "insights/theme_detail.html", context)


@capability_required(Capability.CURATE_THEMES)
@require_GET
def emerging(request: AuthedHttpRequest) -> HttpResponse:
    themes = Theme.objects.proposed().annotate(size=Count("assignments")).order_by("-size", "-id")[:50]
    proposals = [
        {
            "theme": theme,
            "quotes": figures.representative_notes(theme=theme, among=visible_notes(request.user), limit=3),
            "languages": figures.language_mix(list(theme.assignments.values_list("note_id", flat=True))),
        }
        for theme in themes
    ]
    return render(request, "insights/emerging.html", {"proposals": proposals})


# --- curation: one POST view per verb, each calling one service ---------------------------------

CurationStep = Callable[[AuthedHttpRequest, Theme], Theme | None]


def _curation(step: CurationStep) -> Callable[[AuthedHttpRequest, int], HttpResponse]:
    """A lead's curation step on theme ``pk``: refusals come back as a message; then back to
    ``next`` (a page of this site), or to the theme the step returns, or to this theme."""

    @wraps(step)
    @capability_required(Capability.CURATE_THEMES)
    @require_POST
    def view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
        theme = get_object_or_404(Theme, pk=pk)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = theme_url(theme)
        try:
            landed = step(request, theme)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if landed is not None:
                back = theme_url(landed)
        return redirect(back)

    return view


@_curation
def accept_theme(request: AuthedHttpRequest, theme: Theme) -> None:
    services.accept_theme(
        theme=theme,
        by=request.user,
        name=request.POST.get("name", ""),
        name_es=request.POST.get("name_es", ""),
        ip=client_ip(request),
    )
    messages.success(request, _("Theme accepted: new notes will join it."))


@_curation
def rename_theme(request: AuthedHttpRequest, theme: Theme) -> None:
    form = RenameForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("A theme needs a name."))
    services.rename_theme(
        theme=theme,
        name=form.cleaned_data["name"],
        name_es=form.cleaned_data["name_es"],
        by=request.user,
        ip=client_ip(request),
    )
    messages.success(request, _("Theme renamed."))


@_curation
def archive_theme(request: AuthedHttpRequest, theme: Theme) -> None:
    services.archive_theme(theme=theme, by=request.user, ip=client_ip(request))
    messages.success(request, _("Theme archived; its notes wait for discovery again."))


@_curation
def merge_theme(request: AuthedHttpRequest, theme: Theme) -> Theme:
    form = MergeForm(request.POST, theme=theme)
    if not form.is_valid():
        raise DomainError(_("Choose the theme to merge into."))
    target: Theme = form.cleaned_data["target"]
    services.merge_themes(source=theme, target=target, by=request.user, ip=client_ip(request))
    messages.success(request, _("Merged into “%(name)s”. You can undo it from its history.") % {"name": target})
    return target


@_curation
def set_parent(request: AuthedHttpRequest, theme: Theme) -> None:
    form = ParentForm(request.POST, theme=theme)
    if not form.is_valid():
        raise DomainError(_("Choose a top-level theme."))
    services.set_parent(theme=theme, parent=form.cleaned_data["parent"], by=request.user, ip=client_ip(request))
    messages.success(request, _("Parent theme saved."))


def _chosen_notes(request: AuthedHttpRequest, theme: Theme) -> tuple[NotesForm, list[int]]:
    """The notes a split or a move applies to: the ticked ones, or, with "every page" ticked,
    every note the search shows (on all its pages)."""
    everything = request.POST.get("everything") == "on"
    data = request.POST.copy()
    if everything:
        data.setlist("note_ids", [])
    form = NotesForm(data, theme=theme, note_ids=list(theme.assignments.values_list("note_id", flat=True)))
    if everything:
        form.fields["note_ids"].required = False
    if not form.is_valid():
        raise DomainError(_("Choose notes of this theme."))
    if not everything:
        return form, form.cleaned_data["note_ids"]
    chosen = list(_theme_notes(theme, request.user, words=request.POST.get("q", "")).values_list("pk", flat=True))
    if not chosen:
        raise DomainError(_("Choose notes of this theme."))
    return form, chosen


@_curation
def split_theme(request: AuthedHttpRequest, theme: Theme) -> None:
    form, chosen = _chosen_notes(request, theme)
    new = services.split_theme(
        theme=theme, note_ids=chosen, name=form.cleaned_data["name"], by=request.user, ip=client_ip(request)
    )
    messages.success(
        request,
        ngettext("%(count)d note split off into “%(name)s”.", "%(count)d notes split off into “%(name)s”.", len(chosen))
        % {"count": len(chosen), "name": new},
    )


@_curation
def move_notes(request: AuthedHttpRequest, theme: Theme) -> None:
    form, chosen = _chosen_notes(request, theme)
    target = form.cleaned_data["target"]
    if target is None:
        raise DomainError(_("Choose the theme to move the notes to."))
    services.move_notes(note_ids=chosen, target=target, by=request.user, ip=client_ip(request))
    messages.success(
        request,
        ngettext("%(count)d note moved to “%(name)s”.", "%(count)d notes moved to “%(name)s”.", len(chosen))
        % {"count": len(chosen), "name": target},
    )


@_curation
def undo_change(request: AuthedHttpRequest, theme: Theme) -> None:
    change_id = request.POST.get("change", "")
    if not change_id.isdecimal() or len(change_id) > 18:
        raise DomainError(_("Unknown change."))
    change = get_object_or_404(ThemeChange, pk=int(change_id), theme=theme)
    services.undo_change(change=change, by=request.user, ip=client_ip(request))
    messages.success(request, _("Undone."))


def theme_url(theme: Theme) -> str:
    return reverse("theme_detail", args=[theme.pk])


@capability_required(Capability.VIEW_PROGRAMME)
@require_GET
def programme_dashboard(request: AuthedHttpRequest) -> HttpResponse:
    """The executive programme at a glance: twelve months of cases and listening, who keeps the
    listening commitment, and what executives learned."""
    today = timezone.localdate()
    months = periods.months_back(today, programme.MONTHS)
    labels = [f"{m:%m/%y}" for m in months]
    case_months = programme.case_months(months=months)
    listening_months = programme.listening_months(months=months)
    period = programme.listening_period(today)
    context: dict[str, Any] = {
        "case_months": case_months[::-1],  # newest first in the table
        "cases_chart": charts.bar_chart_for_screens(
            labels, [m.resolved for m in case_months], title=_("Complaint cases resolved per month")
        ),
        "listening_chart": charts.bar_chart_for_screens(
            labels, [m.minutes for m in listening_months], title=_("Minutes of listening per month")
        ),
        "learnings": programme.recent_learnings(),
        "period": period,
        "totals": programme.listening_totals(period=period),
        "page": Paginator(programme.listening_people(period=period), 50).get_page(request.GET.get("page")),
        "departments": programme.listening_by_department(period=period),
    }
    return render(request, "insights/programme.html", context)


@capability_required(Capability.LOG_NOTES)
@require_POST
def theme_heard(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """An agent's "+1, heard this too" on an accepted theme from the quick form: it counts on the
    theme's latest note at their sites (a tally, as a +1 on that note would)."""
    theme = get_object_or_404(Theme.objects.accepted(), pk=pk)

    def count(channel: str) -> dict[str, Any]:
        services.hear_theme(theme=theme, agent=request.user, channel=channel)
        return {"meta": suggest.theme_meta(suggest.theme_customers([theme.pk]).get(theme.pk, 0))}

    return plus_one.answer(request, count, back=reverse("capture"))
