"""Demo themes: after seed_demo, embed the demo notes, discover themes and accept the big ones,
as a lead would on their first morning, so the demo shows themes, trends and spikes. The lead
then names them, in English and Spanish, after what their notes are about."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from insights import services
from insights.models import Action, Assignment, Question, Theme, ThemeChange
from insights.questions import demo as question_demo
from voc import periods
from voc.demo import notes as demo_notes
from voc.models import Insight, User

ACCEPT_FROM = 12  # proposals at least this big are accepted for the demo
NAME_FROM = 0.3  # share of a theme's notes one dataset label must cover to name the theme

# Spanish names for the labels of ``voc.demo.notes.dataset_labels`` (a test checks every label has one).
SPANISH_NAMES = {
    "Card not arrived": "Tarjeta no recibida",
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
    "Age limit": "Edad mínima",
    "Balance not updated after cheque or cash deposit": "Saldo sin actualizar tras un ingreso",
    "Lost or stolen phone": "Móvil perdido o robado",
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
    questions = question_demo.seed_questions()
    loop = seed_loop()
    return {
        **questions,
        **loop,
        "embedded": embedded,
        "proposed": len(proposals),
        "accepted": accepted,
        "renamed": renamed,
        "alerts": alerts,
    }


def name_themes(*, by: User) -> int:
    """Name each accepted theme the machine named after the dataset label (``voc.demo.notes``) of
    at least ``NAME_FROM`` of its notes, in English and Spanish, through ``rename_theme`` so the
    history shows ``by``. When several themes share a label (the topic heard in two languages, or
    split by phrasing), the biggest takes it and the others are merged into it (``merge_themes``,
    undoable), rather than two themes told apart by a word in brackets. A theme no label covers
    keeps the name discovery gave it, one of its own notes. Returns how many themes were renamed.
    Idempotent: a theme a person renamed, or this function, is left alone."""
    labels = demo_notes.dataset_labels()
    notes: dict[int, list[str]] = defaultdict(list)
    for theme_id, text in Assignment.objects.filter(theme__status=Theme.Status.ACCEPTED).values_list(
        "theme_id", "note__text"
    ):
        notes[theme_id].append(text)
    renamed = set(
        ThemeChange.objects.filter(action=ThemeChange.Action.RENAMED, undone_at__isnull=True).values_list(
            "theme_id", flat=True
        )
    )
    themes = sorted(Theme.objects.accepted(), key=lambda t: (-len(notes[t.pk]), t.pk))
    by_label = {t.name: t for t in themes if t.pk in renamed}  # names taken already
    changed = 0
    for theme in themes:
        if theme.pk in renamed:
            continue
        label = _label_name(notes[theme.pk], labels)
        if not label:
            continue
        if label in by_label:
            # The same topic found twice (a language, a turn of phrase): one theme, as a lead would
            # make it, so every count of the topic is whole. The history shows the merge.
            services.merge_themes(source=theme, target=by_label[label], by=by)
            continue
        services.rename_theme(theme=theme, name=label, name_es=SPANISH_NAMES.get(label, label), by=by)
        by_label[label] = theme
        changed += 1
    return changed


def _label_name(notes: list[str], labels: Mapping[str, str]) -> str:
    counts = Counter(labels[text.strip()] for text in notes if text.strip() in labels)
    if not counts:
        return ""
    # most_common keeps first-seen order on ties; sorting makes the winner independent of note order
    label, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return label if count >= NAME_FROM * len(notes) else ""


# (title, department, status, days ago it was done (None: under way), theme label, question text)
DEMO_ACTIONS = [
    (
        "Replacement cards now go by next-day tracked courier",
        "Cards",
        Action.Status.DONE,
        3,
        "Card not arrived",
        "Why has my new card not arrived yet?",
    ),
    ("Instant top-ups by bank transfer", "Payments", Action.Status.DONE, 45, "Top-ups", None),
    (
        "Pilot of a multi-bank view in the app, from spring",
        "Digital",
        Action.Status.IN_PROGRESS,
        None,
        "One app for all banks",
        "Will you launch an app that integrates banking?",
    ),
]


def seed_loop() -> dict[str, int]:
    """Head office follows what concerns it and records what it did: subscriptions, actions
    (one done days ago, one measurable, one under way) and the notifications and e-mails they
    raise (written to var/mail), so the demo agents hear back; Elena gets card alerts by e-mail
    and a weekly digest, Marta a daily one, Lucía her Monday "what happened". Idempotent (an
    action of the same title is not recorded twice)."""
    from insights.actions import services as actions
    from insights.following import alerts
    from insights.following import mail as following_mail
    from insights.following import services as following

    people = {u.username: u for u in User.objects.filter(username__in=["elena.hq", "oliver.exec", "marta.lead"])}
    if len(people) < 3:
        return {"actions": 0, "subscriptions": 0}
    themes = {t.name: t for t in Theme.objects.accepted()}
    questions = {q.text: q for q in Question.objects.all()}
    elena, oliver, marta = people["elena.hq"], people["oliver.exec"], people["marta.lead"]
    app = questions.get("Will you launch an app that integrates banking?")
    card = themes.get("Card not arrived")
    subscriptions = [following.follow(user=marta, site=marta.site, kind=Insight.Kind.COMPLAINT, digest="daily")]
    if card is not None:
        subscriptions.append(following.follow(user=elena, theme=card, alert_email=True, digest="weekly"))
    if app is not None:
        subscriptions.append(following.follow(user=elena, question=app))
        subscriptions.append(following.follow(user=oliver, question=app, alert_threshold=10))
    follows = len(subscriptions)
    recorded = 0
    today = timezone.localdate()
    for title, department, status, days_ago, theme_label, question_text in DEMO_ACTIONS:
        if Action.objects.filter(title=title).exists() or theme_label not in themes:
            continue
        actions.record_action(
            by=elena,
            title=title,
            department=department,
            status=status,
            themes=[themes[theme_label]],
            questions=[questions[question_text]] if question_text in questions else [],
            started_on=today - timedelta(days=(days_ago or 20) + 14),
            done_on=today - timedelta(days=days_ago) if days_ago is not None else None,
        )
        recorded += 1
    alerts.run_alerts()
    for agent in User.objects.filter(username="lucia.agent"):
        following_mail.set_what_happened(user=agent, weekly=True)
    return {"actions": recorded, "subscriptions": follows}
