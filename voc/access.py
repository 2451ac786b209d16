"""Which notes and contact details a person may see: the row-level half of voc.roles."""

from __future__ import annotations

from django.db.models import Q

from voc.models import ComplaintCase, ComplaintContact, Insight, User
from voc.roles import Capability, has_capability


def lead_site_ids(user: User) -> list[int]:
    """The sites a lead answers for: the home site plus any further sites led."""
    ids = set(user.lead_sites.values_list("id", flat=True))
    if user.site_id:
        ids.add(user.site_id)
    return sorted(ids)


def own_site_ids(user: User) -> list[int]:
    """The sites whose notes ``user`` logs and hears about: a lead's sites, anyone else's home site."""
    if has_capability(user, Capability.VIEW_SITE_NOTES):
        return lead_site_ids(user)
    return [user.site_id] if user.site_id else []


def visible_notes(user: User):
    """Agents see their own notes; leads every note of their sites; hq, executives and admins
    every note (text is redacted at save, so nobody sees personal data in a note)."""
    notes = Insight.objects.all()
    if has_capability(user, Capability.VIEW_SITE_NOTES):
        return notes.for_sites(lead_site_ids(user))
    if has_capability(user, Capability.READ_REPORTS):
        return notes
    if has_capability(user, Capability.VIEW_OWN_NOTES):
        return notes.filter(agent=user)
    return notes.none()


def suggestible_notes(user: User):
    """Notes the typing assistant may show ``user`` (and that they may "+1"): active notes of
    their home site, or of the sites they lead; never a vulnerable customer's. Only people who
    log notes get suggestions at all."""
    if not has_capability(user, Capability.LOG_NOTES):
        return Insight.objects.none()
    return Insight.objects.active().for_sites(own_site_ids(user)).filter(vulnerable=False)


def may_see_contact(user: User, contact: ComplaintContact) -> bool:
    """Leads of the complaint's site, and the executive and buddy of the case it became."""
    if has_capability(user, Capability.VIEW_SITE_NOTES) and contact.note.site_id in lead_site_ids(user):
        return True
    return ComplaintCase.objects.filter(note_id=contact.note_id).filter(Q(executive=user) | Q(buddy=user)).exists()
