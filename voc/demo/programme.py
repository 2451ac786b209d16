"""The demo's executive programme: ranks and remits, two months of complaint cases in every
state, and listening sessions, so the case pages and the programme dashboard have a story."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from voc import periods
from voc.models import CaseEvent, ComplaintCase, ListeningSession, ProductArea, User
from voc.programme.cases import services as cases

RANKS = {"ana.exec": 1, "james.exec": 2, "ines.exec": 3, "oliver.exec": 4}
REMITS = {"james.exec": ["Payments and transfers"], "ines.exec": ["Accounts"], "oliver.exec": ["Mobile app"]}
LEARNED = [
    "Our letters explain the rule but never why; one sentence of why would have avoided the call.",
    "The customer had called four times before anyone owned the problem.",
    "The app error message blamed the customer for our outage.",
    "A refund that takes ten days feels like a refusal.",
    "Se puede resolver en una llamada lo que tardamos tres semanas en cartas.",
    "Customers abroad cannot reach us when the card is blocked: the number on the back is not free.",
]
ACTIONS = [
    "Refunded the fee and asked the product team to change the rule.",
    "Called the customer, apologised and fixed the address on the spot.",
    "Escalated the app defect; it is in the next release.",
]


@transaction.atomic
def seed_programme(*, now: datetime | None = None) -> dict[str, int]:
    """Once only (nothing happens when cases exist). Deterministic."""
    if ComplaintCase.objects.exists():
        return {"cases": 0, "sessions": 0}
    now = now or timezone.now()
    rng = random.Random(7)
    for username, rank in RANKS.items():
        User.objects.filter(username=username).update(rank=rank)
    for username, areas in REMITS.items():
        executive = User.objects.filter(username=username).first()
        if executive is not None:
            executive.remit_areas.set(ProductArea.objects.filter(name__in=areas))
    this_month = periods.month_start(timezone.localdate(now))
    last_month = periods.previous_month(this_month)
    months = [last_month, this_month]
    total = 0
    for month in months:
        start = timezone.make_aware(datetime.combine(periods.first_working_day(month), time(7)))
        if start > now:
            continue
        result = cases.assign_monthly_cases(month=month, now=start)
        current = month == this_month
        for i, case in enumerate(result.assigned):
            _walk(case, i, start, now, current=current, rng=rng)
            _date_events(case)
        total += len(result.assigned)
    return {"cases": total, "sessions": _seed_listening(now=now, rng=rng)}


def _walk(case: ComplaintCase, i: int, start: datetime, now: datetime, *, current: bool, rng: random.Random) -> None:
    """Move a case through the workflow as its executive would have, dated in the past."""
    # this month: one still waiting, one acknowledged, one in contact, one resolved; earlier months closed
    target = ["assigned", "acknowledged", "contacted", "resolved"][i % 4] if current else "resolved"
    if not current and i == 3:
        target = "handed_back"
    executive = case.executive
    stamp = min(start + timedelta(hours=rng.randint(6, 40)), now)
    if target == "assigned":
        return
    cases.acknowledge_case(case=case, by=executive)
    ComplaintCase.objects.filter(pk=case.pk).update(acknowledged_at=stamp)
    if target == "handed_back":
        cases.hand_back_case(case=case, by=executive, reason="The customer preferred to deal with their branch.")
        ComplaintCase.objects.filter(pk=case.pk).update(closed_at=min(stamp + timedelta(days=2), now))
        return
    if target == "acknowledged":
        return
    cases.record_customer_contacted(case=case, by=executive, text="Called the customer; we spoke for twenty minutes.")
    ComplaintCase.objects.filter(pk=case.pk).update(contacted_at=min(stamp + timedelta(days=1), now))
    if target == "contacted":
        return
    cases.resolve_case(
        case=case,
        by=executive,
        root_cause=rng.choice(["process", "communication", "system", "product"]),
        action_taken=rng.choice(ACTIONS),
        outcome=rng.choice(["satisfied", "satisfied", "partly"]),
        learned=LEARNED[case.pk % len(LEARNED)],
    )
    ComplaintCase.objects.filter(pk=case.pk).update(closed_at=min(stamp + timedelta(days=rng.randint(3, 12)), now))


def _date_events(case: ComplaintCase) -> None:
    """The timeline shows when each step happened in the story, not when the demo was built."""
    case.refresh_from_db()
    when = {
        "assigned": case.assigned_at,
        "acknowledged": case.acknowledged_at,
        "contacted": case.contacted_at,
        "resolved": case.closed_at,
        "handed_back": case.closed_at,
    }
    for event in case.events.all():
        if when.get(event.action):
            CaseEvent.objects.filter(pk=event.pk).update(at=when[event.action])


def _seed_listening(*, now: datetime, rng: random.Random) -> int:
    """Twelve weeks of listening: executives most weeks, some colleagues now and then."""
    people = list(User.objects.filter(role__in=[User.Role.EXECUTIVE, User.Role.HQ, User.Role.LEAD]).order_by("id"))
    today = timezone.localdate(now)
    sessions = []
    for person in people:
        keen = person.role == User.Role.EXECUTIVE and person.username != "oliver.exec"  # one falls behind
        for week in range(12):
            if rng.random() > (0.8 if keen else 0.15):
                continue
            sessions.append(
                ListeningSession(
                    person=person,
                    day=today - timedelta(weeks=week, days=rng.randint(0, 4)),
                    minutes=rng.choice([45, 60, 60, 90]) if keen else rng.choice([30, 60, 120]),
                    site=person.site,
                    queue="" if person.site else "Cards queue",
                    heard="Customers abroad asking why their card was blocked.",
                    surprised="How long people wait before an agent can help.",
                )
            )
    ListeningSession.objects.bulk_create(sessions)
    return len(sessions)
