"""A small world for the proofs (tests/test_permission_matrix.py, tests/test_pii_canary.py): two
sites, every role at or outside each, and one object of each kind whose id a URL takes.

tests/conftest.py's ``world`` fixture builds it with ``build_world``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from insights.models import Action, Assignment, Notification, Question, QuestionMatch, Subscription, Theme
from newsletter import services as newsletter_services
from newsletter.models import Fact, Issue, MonthlyPack
from tests.factories import (
    ComplaintCaseFactory,
    ComplaintContactFactory,
    InsightFactory,
    IssueFactory,
    ListeningSessionFactory,
    SiteFactory,
    TeamFactory,
    ThemeFactory,
    UserFactory,
)
from voc.models import (
    ComplaintCase,
    ImportJob,
    Insight,
    ListeningSession,
    Site,
    User,
)

# Who asks: every role, and for the roles that hold rows, someone on the other side of the line.
SUBJECTS = ["anonymous", "agent_a", "agent_b", "lead_a", "lead_b", "hq", "exec_a", "exec_b", "admin"]

SENT_WEEK = date(2026, 11, 2)  # a Monday
DRAFT_WEEK = date(2026, 11, 9)


@dataclass
class World:
    site_a: Site
    site_b: Site
    users: dict[str, User]  # by subject name, without "anonymous"
    note_a: Insight  # by agent A at site A, editable (logged an hour ago)
    note_b: Insight  # by agent B at site B
    complaint: Insight  # by agent A at site A, with the customer's contact details
    case: ComplaintCase  # the complaint, assigned to executive A with lead A as buddy
    theme: Theme  # accepted; holds note_a and note_b
    proposed: Theme
    issue_sent: Issue
    issue_draft: Issue
    pack: MonthlyPack
    import_job: ImportJob  # uploaded by lead A, with an error file
    session: ListeningSession  # agent A's
    unsubscribe_token: str  # agent A's
    question: Question  # asked by hq (Marketing), open; note A matched to it
    action: Action  # recorded by hq (Marketing) on the theme and the question, done
    subscription: Subscription  # hq's, following the theme
    notification: Notification  # hq's, unread


def _note(agent: User, kind: str = Insight.Kind.NEED, text: str = "Wants an app that integrates banking") -> Insight:
    return InsightFactory(agent=agent, kind=kind, text=text, occurred_at=timezone.now() - timedelta(hours=1))


def build_world() -> World:
    """Create the world (the caller points MEDIA_ROOT somewhere temporary first)."""
    site_a = SiteFactory(name="Madrid", country=Site.Country.SPAIN)
    site_b = SiteFactory(name="Manchester", country=Site.Country.UNITED_KINGDOM)
    users = {
        "agent_a": UserFactory(username="lucia", role=User.Role.AGENT, site=site_a, team=TeamFactory(site=site_a)),
        "agent_b": UserFactory(username="amy", role=User.Role.AGENT, site=site_b, team=TeamFactory(site=site_b)),
        "lead_a": UserFactory(username="marta", role=User.Role.LEAD, site=site_a),
        "lead_b": UserFactory(username="mike", role=User.Role.LEAD, site=site_b),
        "hq": UserFactory(username="elena", role=User.Role.HQ, department="Marketing"),
        "exec_a": UserFactory(username="ana", role=User.Role.EXECUTIVE, department="Chief executive"),
        "exec_b": UserFactory(username="carlos", role=User.Role.EXECUTIVE, department="Finance"),
        "admin": UserFactory(username="ada", role=User.Role.ADMIN),
    }
    note_a = _note(users["agent_a"])
    note_b = _note(users["agent_b"], text="Wants an app that integrates banking too")
    complaint = _note(users["agent_a"], Insight.Kind.COMPLAINT, "Nobody called me back about the fraud")
    ComplaintContactFactory(
        note=complaint, name="Rosa Díaz", phone="+34 600 000 001", email="rosa@example.com", consent=True
    )
    case = ComplaintCaseFactory(
        month=timezone.localdate().replace(day=1),
        executive=users["exec_a"],
        buddy=users["lead_a"],
        note=complaint,
        acknowledge_by=timezone.now() + timedelta(days=2),
    )
    theme = ThemeFactory(name="App with banking")
    proposed = ThemeFactory(name="Branch closures", status=Theme.Status.PROPOSED)
    for note in (note_a, note_b):
        Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO, confidence=0.9)
    issue_sent = IssueFactory(
        week_start=SENT_WEEK,
        status=Issue.Status.SENT,
        notes_count=40,
        approved_at=timezone.now(),
        sent_at=timezone.now(),
    )
    issue_draft = IssueFactory(week_start=DRAFT_WEEK, status=Issue.Status.DRAFT, notes_count=40)
    for issue in (issue_sent, issue_draft):
        Fact.objects.create(
            issue=issue,
            key="abroad",
            number=4,
            base=40,
            percent=10.0,
            period_start=issue.week_start,
            period_end=issue.week_start + timedelta(days=6),
            sentence_en="10% of this week's contacts came from abroad.",
            sentence_es="El 10% de los contactos de esta semana vinieron del extranjero.",
        )
    pack = MonthlyPack.objects.create(month=date(2026, 10, 1), rendered_at=timezone.now())
    pack.pdf.save("pack.pdf", ContentFile(b"%PDF-1.4\n% proof\n"), save=True)
    import_job = ImportJob.objects.create(
        uploaded_by=users["lead_a"],
        original_name="notes.csv",
        status=ImportJob.Status.DONE,
        finished_at=timezone.now(),
        rows=1,
        invalid=1,
    )
    import_job.error_file.save("rows-to-fix.csv", ContentFile(b"row,error\n2,kind\n"), save=True)
    session = ListeningSessionFactory(
        person=users["agent_a"], site=site_a, day=timezone.localdate(), minutes=30, heard="Long queues"
    )
    question = Question.objects.create(
        text="Will you launch an app that integrates banking?", department="Marketing", asked_by=users["hq"]
    )
    question.themes.add(theme)
    QuestionMatch.objects.create(
        question=question,
        note=note_a,
        state=QuestionMatch.State.MATCHED,
        score=0.9,
        site=site_a,
        channel=note_a.channel,
        language=note_a.language,
        occurred_at=note_a.occurred_at,
    )
    action = Action.objects.create(
        title="Banking app announced for spring",
        department="Marketing",
        owner=users["hq"],
        created_by=users["hq"],
        status=Action.Status.DONE,
        done_on=timezone.localdate() - timedelta(days=7),
    )
    action.themes.add(theme)
    action.questions.add(question)
    subscription = Subscription.objects.create(user=users["hq"], theme=theme, target_key=f"theme:{theme.pk}")
    notification = Notification.objects.create(
        user=users["hq"],
        kind=Notification.Kind.ALERT,
        event_key=f"burst:theme:{theme.pk}",
        title="App with banking: 10 notes in the last hour",
        url=f"/themes/{theme.pk}/",
    )
    return World(
        site_a=site_a,
        site_b=site_b,
        users=users,
        note_a=note_a,
        note_b=note_b,
        complaint=complaint,
        case=case,
        theme=theme,
        proposed=proposed,
        issue_sent=issue_sent,
        issue_draft=issue_draft,
        pack=pack,
        import_job=import_job,
        session=session,
        unsubscribe_token=newsletter_services.unsubscribe_token(user=users["agent_a"]),
        question=question,
        action=action,
        subscription=subscription,
        notification=notification,
    )
