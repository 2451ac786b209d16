"""Demo themes: after seed_demo, embed the demo notes, discover themes and accept the big ones,
as a lead would on their first morning, so the demo shows themes, trends and spikes. The lead
then renames them from the key terms discovery chose to what their notes are about."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from insights import services
from insights.models import Assignment, Theme
from voc import periods
from voc.demo import notes as demo_notes
from voc.models import User

ACCEPT_FROM = 12  # proposals at least this big are accepted for the demo
NAME_FROM = 0.3  # share of a theme's notes one dataset label must cover to name the theme

# Spanish names for the labels of ``voc.demo.notes.dataset_labels``; a label missing here keeps English.
SPANISH_NAMES = {
    "New cards": "Tarjetas nuevas",
    "Lost or stolen cards": "Tarjetas perdidas o robadas",
    "PIN and passcode": "PIN y código de acceso",
    "Cards not working": "Tarjetas que no funcionan",
    "Cash machines": "Cajeros",
    "Top-ups": "Recargas",
    "Fees and charges": "Comisiones y cargos",
    "Currencies and exchange rates": "Divisas y tipos de cambio",
    "Transfers": "Transferencias",
    "Refunds and unrecognised payments": "Devoluciones y cargos no reconocidos",
    "Identity checks": "Verificación de identidad",
    "Account and login details": "Datos de la cuenta y acceso",
    "Insurance quotes and plans": "Presupuestos y pólizas de seguro",
    "Insurance claims": "Partes de seguro",
    "Insurance bills": "Recibos del seguro",
    "Apple Pay or Google Pay": "Apple Pay o Google Pay",
    "Visa or Mastercard": "Visa o Mastercard",
    "Cards": "Tarjetas",
    "Accounts": "Cuentas",
    "Payments and transfers": "Pagos y transferencias",
    "Mobile app": "App móvil",
    "Home insurance": "Seguro de hogar",
    "Car insurance": "Seguro de coche",
    "Loans and mortgages": "Préstamos e hipotecas",
    "Branches": "Oficinas",
    "Customer service": "Atención al cliente",
    "One app for all banks": "Una app para todos sus bancos",
    "Lonely customers": "Clientes que se sienten solos",
    "Thanks": "Agradecimientos",
}


def seed_themes() -> dict[str, int]:
    """Idempotent: notes already embedded are skipped, discovery only takes notes without a theme,
    and only themes still called by their key terms are renamed."""
    embedded = sum(services.embed_notes(note_ids=ids) for ids in services.notes_without_vectors(chunk=256))
    proposals = services.discover_themes(min_size=5)
    lead = User.objects.filter(role=User.Role.LEAD, is_active=True).order_by("id").first()
    accepted = renamed = 0
    if lead is not None:
        big = Theme.objects.proposed().annotate(size=Count("assignments")).filter(size__gte=ACCEPT_FROM)
        for theme in big:
            services.accept_theme(theme=theme, by=lead)
            accepted += 1
        renamed = name_themes(by=lead)
    today = timezone.localdate()
    last = periods.last_complete_week(today)
    services.detect_spikes(week=last - timedelta(days=7))  # as the Monday jobs would have run
    alerts = len(services.detect_spikes(week=last))
    return {
        "embedded": embedded,
        "proposed": len(proposals),
        "accepted": accepted,
        "renamed": renamed,
        "alerts": alerts,
    }


def name_themes(*, by: User) -> int:
    """Rename each accepted theme still called by its key terms after the dataset label (``voc.demo.notes``)
    of at least ``NAME_FROM`` of its notes, through ``rename_theme`` so the history shows ``by``.

    Spanish when most of its notes are; a name already taken gets a key term or a number after it,
    the biggest theme keeping the plain label. Returns how many themes were renamed. Idempotent:
    a renamed theme no longer carries its machine name, so a second run leaves it alone."""
    labels = demo_notes.dataset_labels()
    notes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = Assignment.objects.filter(theme__status=Theme.Status.ACCEPTED).values_list(
        "theme_id", "note__text", "note__language"
    )
    for theme_id, text, language in rows:
        notes[theme_id].append((text, language))
    themes = sorted(Theme.objects.accepted(), key=lambda t: (-len(notes[t.pk]), t.pk))
    taken = {t.name.casefold() for t in themes}
    renamed = 0
    for theme in themes:
        if theme.name != _machine_name(theme):
            continue  # renamed already, by this function or by a person
        name = _label_name(notes[theme.pk], labels)
        if not name:
            continue
        name = _distinct(name, theme.key_terms, taken)
        services.rename_theme(theme=theme, name=name, by=by)
        taken.add(name.casefold())
        renamed += 1
    return renamed


def _machine_name(theme: Theme) -> str:
    return " · ".join(theme.key_terms) or _("Unnamed theme")  # as discover_themes names a proposal


def _label_name(notes: list[tuple[str, str]], labels: Mapping[str, str]) -> str:
    counts = Counter(labels[text.strip()] for text, _language in notes if text.strip() in labels)
    if not counts:
        return ""
    # most_common keeps first-seen order on ties; sorting makes the winner independent of note order
    label, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    if count < NAME_FROM * len(notes):
        return ""
    spanish = sum(language == "es" for _text, language in notes)
    return SPANISH_NAMES.get(label, label) if 2 * spanish > len(notes) else label


def _distinct(name: str, key_terms: list[str], taken: set[str]) -> str:
    """``name``, or ``name (term)`` with the theme's second (then other) key term, or ``name (2)``…

    A term the name already says ("hipotecar" after "Préstamos e hipotecas") tells the reader nothing."""
    words = [word.casefold() for word in name.split()]
    terms = [t for t in [*key_terms[1:], *key_terms[:1]] if not any(w.startswith(t[:5].casefold()) for w in words)]
    candidates = [name, *(f"{name} ({term})" for term in terms)]
    for candidate in candidates:
        if candidate.casefold() not in taken:
            return candidate
    number = 2
    while f"{name} ({number})".casefold() in taken:
        number += 1
    return f"{name} ({number})"
