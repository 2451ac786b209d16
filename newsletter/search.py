"""Sent newsletter issues in search results (registered in insights.search.services.SEARCHERS
from NewsletterConfig.ready(): insights never imports newsletter)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse

from insights.search.services import OTHER_LIMIT, Hit, all_words
from newsletter.models import Fact, Issue
from voc.models import User
from voc.roles import Capability, has_capability


def search_issues(query: str, viewer: User, language: str) -> list[Hit]:
    """Sent issues whose editor's note or an included fact (sentence or quote) has every word."""
    if not has_capability(viewer, Capability.READ_NEWSLETTERS):
        return []
    in_facts = all_words(query, "sentence_en", "sentence_es", "sentence_gl", "quote")
    in_note = all_words(query, "editor_note")
    if in_facts is None or in_note is None:
        return []
    facts = Fact.objects.filter(in_facts, issue=OuterRef("pk"), included=True)
    issues = Issue.objects.filter(status=Issue.Status.SENT).filter(in_note | Exists(facts))
    hits = []
    for issue in issues.order_by("-week_start")[:OTHER_LIMIT]:
        detail = f"{issue.week_start:%Y-%m-%d} to {issue.week_end:%Y-%m-%d}"
        hits.append(Hit("issue", issue.pk, issue.label, reverse("newsletter_detail", args=[issue.pk]), detail))
    return hits
