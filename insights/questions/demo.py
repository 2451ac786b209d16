"""Demo questions: after the demo themes exist, head office asks a few questions and a lead
confirms or rejects the first matches at their sites, as they would in their first week, so
the demo shows live counters that a lead has taught (the banking-app question among them)."""

from __future__ import annotations

from insights.models import Theme
from insights.questions import services
from insights.questions.models import Question, QuestionMatch
from voc.access import lead_site_ids
from voc.demo import notes as demo_notes
from voc.models import User

# (English, Spanish, department, dataset label (voc.demo.notes.dataset_labels) of the notes that
# truly ask it: what the demo lead goes by when deciding a match, and the theme it is linked to)
QUESTIONS = [
    (
        "Will you launch an app that integrates banking?",
        "¿Vais a lanzar una app que integre todos mis bancos?",
        "Digital",
        "One app for all banks",
    ),
    (
        "Why has my new card not arrived yet?",
        "¿Por qué no me ha llegado todavía la tarjeta nueva?",
        "Cards",
        "Card not arrived",
    ),
    (
        "Can I get a loan or a mortgage with you?",
        "¿Puedo pedir un préstamo o una hipoteca con vosotros?",
        "Lending",
        "Loans and mortgages",
    ),
]
# What a lead gets through over three coffees: a dozen decisions, then twice the dozen the
# refitted matcher suggests next.
DECISION_ROUNDS, DECISIONS_PER_ROUND = 3, 12


def seed_questions() -> dict[str, int]:
    """Ask the demo questions (once), embed and match them here (this runs in a worker), and let
    the demo lead decide the first matches of their sites. Idempotent."""
    asker = User.objects.filter(role=User.Role.HQ, is_active=True).order_by("id").first()
    lead = User.objects.filter(role=User.Role.LEAD, is_active=True).order_by("id").first()
    if asker is None:
        return {"questions": 0, "decided": 0}
    labels = demo_notes.dataset_labels()
    themes = {t.name: t for t in Theme.objects.accepted()}
    asked = decided = 0
    for text, text_es, department, label in QUESTIONS:
        question = Question.objects.filter(text=text).first()
        if question is None:
            question = services.ask_question(
                by=asker,
                text=text,
                text_es=text_es,
                department=department,
                themes=[themes[label]] if label in themes else [],
            )
            asked += 1
        services.embed_question(question=question)
        services.refit(question=question)
        services.rescan()
        if lead is None or question.matches.filter(decided_by__isnull=False).exists():
            continue
        for _round in range(DECISION_ROUNDS):
            candidates = QuestionMatch.objects.filter(
                question=question, state__in=QuestionMatch.MACHINE, site_id__in=lead_site_ids(lead)
            ).select_related("note", "question")
            for match in candidates.order_by("-state", "-score")[:DECISIONS_PER_ROUND]:
                confirm = match.note is not None and labels.get(match.note.text.strip()) == label
                services.decide_match(match=match, by=lead, confirm=confirm)
                decided += 1
            services.refit_and_rescan(question_id=question.pk)
    return {"questions": asked, "decided": decided}
