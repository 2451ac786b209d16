"""The demo organisation: sites in Spain and the UK, teams, people of every role, and notes.

Deterministic and additive: running it again creates only what is missing, so passwords are
printed once, when their person is created.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from voc import signals
from voc.accounts.services import create_user, get_or_create_site
from voc.demo.notes import PRODUCT_AREAS, demo_note_specs
from voc.models import ComplaintContact, Insight, ProductArea, Site, Tally, Team, User
from voc.notes import services

SITES = [
    # name, city, country, language of the floor, teams
    ("Madrid", "Madrid", Site.Country.SPAIN, "es", ["Tarjetas y pagos", "Cuentas"]),
    ("Sevilla", "Sevilla", Site.Country.SPAIN, "es", ["Seguros", "Cuentas"]),
    ("A Coruña", "A Coruña", Site.Country.SPAIN, "gl", ["Tarxetas", "Seguros"]),
    ("Manchester", "Manchester", Site.Country.UNITED_KINGDOM, "en", ["Cards and payments", "Accounts"]),
    ("Glasgow", "Glasgow", Site.Country.UNITED_KINGDOM, "en", ["Insurance claims", "Accounts"]),
]

PEOPLE = [
    # username, first, last, role, site, team index, department
    ("lucia.agent", "Lucía", "Fernández", User.Role.AGENT, "Madrid", 0, ""),
    ("javier.agent", "Javier", "Moreno", User.Role.AGENT, "Madrid", 1, ""),
    ("carmen.agent", "Carmen", "Ruiz", User.Role.AGENT, "Sevilla", 0, ""),
    ("antonio.agent", "Antonio", "Navarro", User.Role.AGENT, "Sevilla", 1, ""),
    ("uxia.agent", "Uxía", "Castro", User.Role.AGENT, "A Coruña", 0, ""),
    ("brais.agent", "Brais", "Otero", User.Role.AGENT, "A Coruña", 1, ""),
    ("amy.agent", "Amy", "Walsh", User.Role.AGENT, "Manchester", 0, ""),
    ("tom.agent", "Tom", "Baker", User.Role.AGENT, "Manchester", 1, ""),
    ("fiona.agent", "Fiona", "MacLeod", User.Role.AGENT, "Glasgow", 0, ""),
    ("ross.agent", "Ross", "Campbell", User.Role.AGENT, "Glasgow", 1, ""),
    ("marta.lead", "Marta", "Gil", User.Role.LEAD, "Madrid", 0, "Customer service"),
    ("pilar.lead", "Pilar", "Romero", User.Role.LEAD, "Sevilla", 0, "Customer service"),
    ("xoan.lead", "Xoán", "Rivas", User.Role.LEAD, "A Coruña", 0, "Customer service"),
    ("sarah.lead", "Sarah", "Hughes", User.Role.LEAD, "Manchester", 0, "Customer service"),
    ("callum.lead", "Callum", "Reid", User.Role.LEAD, "Glasgow", 0, "Customer service"),
    ("elena.hq", "Elena", "Vidal", User.Role.HQ, None, 0, "Marketing"),
    ("david.hq", "David", "Ortega", User.Role.HQ, None, 0, "Product"),
    ("grace.hq", "Grace", "Turner", User.Role.HQ, None, 0, "Customer experience"),
    ("ana.exec", "Ana", "Serrano", User.Role.EXECUTIVE, None, 0, "Chief executive"),
    ("james.exec", "James", "Whitfield", User.Role.EXECUTIVE, None, 0, "Operations"),
    ("ines.exec", "Inés", "Prieto", User.Role.EXECUTIVE, None, 0, "Finance"),
    ("oliver.exec", "Oliver", "Grant", User.Role.EXECUTIVE, None, 0, "Digital"),
    ("admin", "Ada", "Admin", User.Role.ADMIN, None, 0, "Operations"),
]


@dataclass(frozen=True)
class Credential:
    username: str
    role: str
    site: str
    password: str


@transaction.atomic
def seed_people(*, password: str | None = None) -> list[Credential]:
    """Create the demo sites, teams and people that do not exist yet.

    ``password`` gives every new person the same password (for scripted demos); otherwise each
    gets a random one. Returns the credentials of the people created now (empty on a re-run).
    """
    sites: dict[str, tuple[Site, list[Team], str]] = {}
    for name, city, country, language, team_names in SITES:
        home = get_or_create_site(name=name, country=country, city=city)
        sites[name] = (home, [Team.objects.get_or_create(site=home, name=team)[0] for team in team_names], language)

    created = []
    for username, first, last, role, site_name, team_index, department in PEOPLE:
        if User.objects.filter(username=username).exists():
            continue
        site: Site | None = None
        teams: list[Team] = []
        if site_name:
            site, teams, language = sites[site_name]
        else:
            language = "es" if first in {"Elena", "David", "Ana", "Inés"} else "en"
        secret = password or secrets.token_urlsafe(12)
        create_user(
            username=username,
            role=role,
            password=secret,
            site=site,
            team=teams[team_index] if teams and role == User.Role.AGENT else None,
            email=f"{username}@demo.listening-post.example",
            first_name=first,
            last_name=last,
            department=department,
            language=language,
            validate=False,  # random 16-character passwords, or the one the operator chose for a demo
        )
        created.append(Credential(username, str(role), site_name or "—", secret))
    return created


DEMO_SOURCE = "demo"


@transaction.atomic
def seed_notes(*, end: datetime | None = None, weeks: int = 10, per_week: int = 320) -> int:
    """Weeks of realistic notes (``voc.demo.notes``), with +1s and a few complaint contacts.

    Once only: when demo notes exist nothing is added. Returns how many notes were created."""
    if Insight.objects.filter(source=DEMO_SOURCE).exists():
        return 0
    end = end or timezone.now()
    areas = {name: ProductArea.objects.get_or_create(name=name)[0] for name in PRODUCT_AREAS}
    people = {u.username: u for u in User.objects.filter(username__in={p[0] for p in PEOPLE})}
    notes = []
    for spec in demo_note_specs(end=end, weeks=weeks, per_week=per_week):
        agent = people.get(spec.agent)
        if agent is None:
            continue
        notes.append(
            services.build_note(
                agent=agent,
                kind=spec.kind,
                text=spec.text,
                channel=spec.channel,
                language=spec.language,
                occurred_at=min(spec.occurred_at, end),
                customer_abroad=spec.customer_abroad,
                abroad_country=spec.abroad_country,
                caused_by_us=spec.caused_by_us,
                lonely=spec.lonely,
                vulnerable=spec.vulnerable,
                product_area=areas[spec.product_area],
                source=DEMO_SOURCE,
                external_id=spec.external_id,
            )
        )
    created = Insight.objects.bulk_create(notes, batch_size=500)
    # Demo notes were "logged" when they happened, so they are past the 24-hour edit window.
    Insight.objects.filter(source=DEMO_SOURCE).update(created_at=F("occurred_at"))
    _seed_tallies(created, people)
    _seed_contacts(created)
    services.announce_notes([n.pk for n in created])
    transaction.on_commit(lambda: signals.demo_seeded.send(sender=Insight))
    return len(created)


def _seed_tallies(notes: list[Insight], people: dict[str, User]) -> None:
    """Some notes were heard again by colleagues: a deterministic sprinkle of +1s."""
    rng = random.Random(11)
    agents = [u for u in people.values() if u.role == User.Role.AGENT]
    home = {a.pk: a.site_id for a in agents if a.site_id is not None}  # agents always have one
    tallies = []
    for note in rng.sample(notes, k=min(len(notes), len(notes) // 12)):
        for agent in rng.sample(agents, k=rng.randint(1, 3)):
            tallies.append(Tally(note=note, agent=agent, site_id=home[agent.pk], channel=note.channel))
    created = Tally.objects.bulk_create(tallies, batch_size=500)
    # A +1 is heard after the note it backs, within a few days (and never in the future).
    now = timezone.now()
    for tally in created:
        tally.created_at = min(tally.note.occurred_at + timedelta(hours=rng.randint(1, 96)), now)
    Tally.objects.bulk_update(created, ["created_at"], batch_size=500)


def _seed_contacts(notes: list[Insight]) -> None:
    """Complaints carry invented contact details (reserved 000/900 numbers, example.com)."""
    complaints = [n for n in notes if n.kind == Insight.Kind.COMPLAINT]
    ComplaintContact.objects.bulk_create(
        ComplaintContact(
            note=note,
            name=f"Demo customer {i + 1}",
            phone=f"+34 600 000 {i:03d}" if note.site.country == Site.Country.SPAIN else f"+44 7700 900{i:03d}",
            email=f"customer{i + 1}@example.com",
            account=f"DEMO-{10000 + i}",
            consent=True,
        )
        for i, note in enumerate(complaints)
    )
