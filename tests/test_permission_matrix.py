"""Every URL of the URLconf asked by every role, against one table of what each may get.

The table is what /work/shared/PRODUCT.md's roles table (and voc/roles.py) says, not what the
code happens to answer: a cell that fails is a bug in the product or a deliberate change that
must be written here. A URL name without a row fails the test, so a new page cannot ship
without someone deciding who may open it.

Each request runs in a savepoint that is rolled back, so a POST that succeeds changes nothing
for the next cell. Pages that accept GET are asked with GET; pages that only accept POST are
sent the harmless POST in ``POSTS`` (an empty or refused form), so the answer says whether the
role got through, not merely that GET is not allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from insights.following import mail as following_mail
from newsletter import tasks as newsletter_tasks
from tests.factories import UserFactory
from tests.proof_fixtures import SUBJECTS, World
from voc.models import Insight, User

pytestmark = pytest.mark.django_db

# What an answer means. "login": sent to sign in (a redirect to a login page, or the API's 401).
OK = "ok"  # 2xx
REDIRECT = "redirect"  # 3xx, not to a login page (e.g. back to the page after a POST)
LOGIN = "login"
DENIED = "denied"  # 403 or 404: the person may not, or the object is not theirs to know about
INVALID = "invalid"  # 400: got through to the form, which refused the harmless data
NOT_ALLOWED = "405"  # only for methods no one may use (the request below is the only one tried)


def _row(
    anonymous: str,
    agent_a: str,
    agent_b: str,
    lead_a: str,
    lead_b: str,
    hq: str,
    exec_a: str,
    exec_b: str,
    admin: str,
) -> dict[str, str]:
    cells = locals()
    return {subject: cells[subject] for subject in SUBJECTS}


def _all(expected: str, anonymous: str = LOGIN) -> dict[str, str]:
    return {"anonymous": anonymous} | dict.fromkeys(SUBJECTS[1:], expected)


# One view per curation verb (insights.views), and per case step (voc.programme.cases.views).
CURATION = [
    "theme_accept",
    "theme_rename",
    "theme_archive",
    "theme_merge",
    "theme_parent",
    "theme_split",
    "theme_move",
    "theme_undo",
]
CASE_STEPS = ["case_note", "case_acknowledge", "case_contacted", "case_resolve", "case_hand_back"]
L, O, R, D, I = LOGIN, OK, REDIRECT, DENIED, INVALID  # noqa: E741  (short, so each row fits one line)

# Columns:            anonymous agent_a agent_b lead_a lead_b hq   exec_a exec_b admin
EXPECTED: dict[str, dict[str, str]] = {
    # --- people and pages every signed-in person has
    "home": _all(O),
    "login": _all(R, anonymous=O),  # a signed-in person is sent on to the home page
    "logout": _all(L, anonymous=L),  # POST; back to the sign-in page (also when signed out)
    "password_change": _all(O),
    "password_change_done": _all(O),
    "profile": _all(O),
    "api_tokens": _all(O),  # each person's own API token (voc.accounts.views.tokens)
    "set_language": _all(R, anonymous=R),  # POST; the language works before signing in too
    "healthz": _all(O, anonymous=O),  # probes do not sign in
    # --- notes (voc.urls): agents their own, leads their sites'
    "site_notes": _row(L, D, D, O, O, D, D, D, D),
    "capture": _row(L, O, O, O, O, D, D, D, D),
    # The typing assistant shows similar notes: only notes the person may read (tested below too).
    "assist": _row(L, O, O, O, O, D, D, D, D),
    "my_notes": _row(L, O, O, O, O, D, D, D, D),
    "export_notes": _row(L, D, D, O, O, D, D, D, D),
    "export_notes_xlsx": _row(L, D, D, O, O, D, D, D, D),
    "import_upload": _row(L, D, D, O, O, D, D, D, D),
    "import_status": _row(L, D, D, O, D, D, D, D, D),  # lead A's job
    "import_errors": _row(L, D, D, O, D, D, D, D, D),
    "plus_one": _row(L, R, D, R, D, D, D, D, D),  # who logs notes, on a note of their site (others: not found)
    "edit_note": _row(L, O, D, D, D, D, D, D, D),  # the author only
    "withdraw_note": _row(L, R, D, D, D, D, D, D, D),
    "restore_note": _row(L, R, D, D, D, D, D, D, D),  # agent A's own note (active: nothing to restore)
    "note_contact": _row(L, D, D, O, D, D, D, D, D),  # the leads of the complaint's site
    # --- complaint cases: executive A's case, lead A its buddy
    "case_list": _row(L, D, D, O, O, D, O, O, D),
    "case_detail": _row(L, D, D, O, D, D, O, D, D),
    "case_contact": _row(L, D, D, O, D, D, O, D, D),
    # the workflow: executive A and its buddy; a refused step comes back to the case
    **dict.fromkeys(["case_note", "case_acknowledge", "case_contacted"], _row(L, D, D, R, D, D, R, D, D)),
    **dict.fromkeys(["case_resolve", "case_hand_back"], _row(L, D, D, I, D, D, I, D, D)),  # empty form: 400
    # --- listening: everyone
    "listening_mine": _all(O),
    "listening_new": _all(O),
    # --- questions: everyone reads them; hq, leads and executives ask; the asker's department edits
    "question_list": _all(O),
    "question_detail": _all(O),
    "question_ask": _row(L, D, D, O, O, O, O, O, O),
    "question_edit": _row(L, D, D, R, R, O, R, R, O),  # asked by hq (Marketing): others are sent back
    "question_close": _row(L, D, D, R, R, R, R, R, R),  # POST; a refusal comes back as a message
    "question_heard": _row(L, R, R, R, R, D, D, D, D),  # who logs notes may +1 an open question
    "theme_heard": _row(L, R, R, R, R, D, D, D, D),  # and an accepted theme (on its note at their sites)
    "question_decide": _row(L, D, D, R, D, D, D, D, D),  # the match is of a site A note
    "what_happened": _row(L, O, O, O, O, D, D, D, D),  # agents: their notes; leads: also their sites'
    # --- actions ("you said, we did"): everyone reads them (agents hear back); hq, leads,
    # executives record
    **dict.fromkeys(["action_list", "action_detail"], _all(O)),
    "action_new": _row(L, D, D, O, O, O, O, O, O),
    "action_edit": _row(L, D, D, R, R, O, R, R, O),  # recorded by hq (Marketing): others are sent back
    # --- following: everyone follows and reads their own notifications
    "following": _all(O),
    "follow": _all(R),  # POST with no target: refused with a message, back to the page
    "unfollow": _row(L, D, D, D, D, R, D, D, D),  # hq's subscription
    "notifications": _all(O),
    "notifications_read": _all(R),
    "subscription_change": _row(L, D, D, D, D, I, D, D, D),  # hq's subscription; a refused threshold
    "what_happened_mail": _row(L, R, R, R, R, D, D, D, D),  # who hears back about their notes
    "following_unsubscribe": _all(O, anonymous=O),  # the signed link is the credential (GET asks first)
    # --- the dashboard: leads (their sites), hq, executives and admins
    **dict.fromkeys(
        ["dashboard", "dashboard_notes", "dashboard_csv", "dashboard_notes_csv", "dashboard_pdf"],
        _row(L, D, D, O, O, O, O, O, O),
    ),
    # --- search: everyone searches what they may read (rows: tests/insights/search); note A is agent A's
    "search": _all(O),
    "search_similar": _row(L, O, D, O, D, O, O, O, O),
    # --- themes
    "theme_list": _row(L, D, D, O, O, O, O, O, O),
    "emerging_themes": _row(L, D, D, O, O, D, D, D, D),
    "theme_detail": _row(L, D, D, O, O, O, O, O, O),
    # curation: a lead's POST comes back to the theme, with a message when it was refused
    **dict.fromkeys(CURATION, _row(L, D, D, R, R, D, D, D, D)),
    "programme_dashboard": _row(L, D, D, D, D, O, O, O, O),
    # --- newsletters: every role reads sent issues; leads edit
    "newsletter_list": _all(O),
    "newsletter_draft": _row(L, D, D, R, R, D, D, D, D),
    "newsletter_detail": _all(O),  # the sent issue
    "newsletter_detail[draft]": _row(L, D, D, O, O, D, D, D, D),
    "newsletter_edit": _row(L, D, D, O, O, D, D, D, D),  # the draft
    "newsletter_approve": _row(L, D, D, R, R, D, D, D, D),
    "newsletter_test": _row(L, D, D, R, R, D, D, D, D),
    "newsletter_send": _row(L, D, D, R, R, D, D, D, D),
    "newsletter_email_preview": _row(L, D, D, O, O, D, D, D, D),
    "newsletter_pdf": _all(R),  # the sent issue, PDF not rendered yet: back to the issue
    "newsletter_pdf[draft]": _row(L, D, D, R, R, D, D, D, D),
    "newsletter_packs": _row(L, D, D, D, D, O, O, O, O),
    "newsletter_pack_pdf": _row(L, D, D, D, D, O, O, O, O),
    "newsletter_subscription": _all(O),
    "newsletter_unsubscribe": _all(O, anonymous=O),  # the signed link is the credential
    # --- the API (401 for no credentials)
    "api:root": _all(O),
    "api:token": _all(I, anonymous=I),  # POST without credentials: refused for everyone alike
    "api:me": _all(O),
    "api:dashboard": _row(L, D, D, O, O, O, O, O, O),
    "api:schema": _all(O),
    "api:docs": _all(O),
    "api:search": _all(I),  # no q: 400 with the field error (rows: tests/insights/search)
    "api:search-similar": _row(L, O, D, O, D, O, O, O, O),  # note A
    "api:note-list": _all(O),  # rows filtered: see test_the_notes_api_shows_each_person_only_their_notes
    "api:note-detail": _row(L, O, D, O, D, O, O, O, O),  # note A
    "api:note-withdraw": _row(L, O, D, O, D, D, D, D, D),
    "api:note-plus-one": _row(L, O, D, O, D, D, D, D, D),  # own sites' notes only (suggestible_notes)
    "api:theme-list": _row(L, D, D, O, O, O, O, O, O),
    "api:theme-detail": _row(L, D, D, O, O, O, O, O, O),
    "api:theme-merge": _row(L, D, D, I, I, D, D, D, D),
    "api:theme-split": _row(L, D, D, I, I, D, D, D, D),
    "api:newsletter-list": _all(O),
    "api:newsletter-detail": _all(O),  # the sent issue
    "api:newsletter-detail[draft]": _row(L, D, D, O, O, D, D, D, D),
    "api:case-list": _row(L, D, D, O, O, D, O, O, D),
    "api:case-detail": _row(L, D, D, O, D, D, O, D, D),
    "api:listening-list": _all(O),
    "api:listening-detail": _row(L, O, D, D, D, D, D, D, D),  # agent A's session
    "api:listening-progress": _all(O),
    "api:question-list": _all(O),
    "api:question-detail": _all(O),
    "api:question-close": _row(L, D, D, D, D, O, D, D, O),  # the asker's department and admins
    "api:question-heard": _row(L, O, O, O, O, D, D, D, D),
    "api:question-matches": _row(L, D, D, O, O, D, D, D, D),  # each lead their sites' matches
    "api:question-decide": _row(L, D, D, O, I, D, D, D, D),  # lead B: not a match of their sites
    "api:action-list": _all(O),
    "api:action-detail": _all(O),
    "api:subscription-list": _all(O),
    "api:subscription-detail": _row(L, D, D, D, D, O, D, D, D),  # hq's own
    "api:notification-list": _all(O),
    "api:notification-detail": _row(L, D, D, D, D, O, D, D, D),
    "api:notification-read": _row(L, D, D, D, D, O, D, D, D),
    "api:notification-read-all": _all(O),
    # --- Django admin: one group, by prefix (see test_django_admin_is_for_admins_only)
    "admin:*": _row(L, L, L, L, L, L, L, L, O),
}

# URL arguments, from the world.
ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "import_status": lambda w: {"pk": w.import_job.pk},
    "import_errors": lambda w: {"pk": w.import_job.pk},
    "plus_one": lambda w: {"pk": w.note_a.pk},
    "edit_note": lambda w: {"pk": w.note_a.pk},
    "withdraw_note": lambda w: {"pk": w.note_a.pk},
    "restore_note": lambda w: {"pk": w.note_a.pk},
    "note_contact": lambda w: {"pk": w.complaint.pk},
    "case_detail": lambda w: {"pk": w.case.pk},
    "case_contact": lambda w: {"pk": w.case.pk},
    **{name: (lambda w: {"pk": w.case.pk}) for name in CASE_STEPS},
    **{name: (lambda w: {"pk": w.theme.pk}) for name in ("theme_detail", "theme_heard")},
    **{
        name: (lambda w: {"pk": w.question.pk})
        for name in ("question_detail", "question_edit", "question_close", "question_heard")
    },
    "question_decide": lambda w: {"pk": w.question.matches.get().pk},
    **{
        name: (lambda w: {"pk": w.question.pk})
        for name in ("api:question-detail", "api:question-close", "api:question-heard", "api:question-matches")
    },
    "api:question-decide": lambda w: {"pk": w.question.pk},
    **{name: (lambda w: {"pk": w.action.pk}) for name in ("action_detail", "action_edit", "api:action-detail")},
    **{
        name: (lambda w: {"pk": w.subscription.pk})
        for name in ("unfollow", "subscription_change", "api:subscription-detail")
    },
    "following_unsubscribe": lambda w: {
        "token": following_mail.unsubscribe_token(user=w.users["agent_a"], what="alerts")
    },
    **{name: (lambda w: {"pk": w.notification.pk}) for name in ("api:notification-detail", "api:notification-read")},
    **{name: (lambda w: {"pk": w.theme.pk}) for name in CURATION},
    "newsletter_detail": lambda w: {"pk": w.issue_sent.pk},
    "newsletter_detail[draft]": lambda w: {"pk": w.issue_draft.pk},
    "newsletter_edit": lambda w: {"pk": w.issue_draft.pk},
    "newsletter_approve": lambda w: {"pk": w.issue_draft.pk},
    "newsletter_test": lambda w: {"pk": w.issue_draft.pk},
    "newsletter_send": lambda w: {"pk": w.issue_draft.pk},
    "newsletter_email_preview": lambda w: {"pk": w.issue_draft.pk},
    "newsletter_pdf": lambda w: {"pk": w.issue_sent.pk},
    "newsletter_pdf[draft]": lambda w: {"pk": w.issue_draft.pk},
    "newsletter_pack_pdf": lambda w: {"pk": w.pack.pk},
    "newsletter_unsubscribe": lambda w: {"token": w.unsubscribe_token},
    "search_similar": lambda w: {"pk": w.note_a.pk},
    "api:search-similar": lambda w: {"pk": w.note_a.pk},
    "api:note-detail": lambda w: {"pk": w.note_a.pk},
    "api:note-withdraw": lambda w: {"pk": w.note_a.pk},
    "api:note-plus-one": lambda w: {"pk": w.note_a.pk},
    "api:theme-detail": lambda w: {"pk": w.theme.pk},
    "api:theme-merge": lambda w: {"pk": w.theme.pk},
    "api:theme-split": lambda w: {"pk": w.theme.pk},
    "api:newsletter-detail": lambda w: {"pk": w.issue_sent.pk},
    "api:newsletter-detail[draft]": lambda w: {"pk": w.issue_draft.pk},
    "api:case-detail": lambda w: {"pk": w.case.pk},
    "api:listening-detail": lambda w: {"pk": w.session.pk},
}

# Pages that only accept POST, and the harmless form each is sent (rolled back anyway).
POSTS: dict[str, dict[str, Any] | Callable[[World], dict[str, Any]]] = {
    "logout": {},
    "set_language": {"language": "en", "next": "/"},
    "assist": {"text": "wants an app"},
    "plus_one": {"channel": "phone"},
    "question_close": {},
    "follow": {},
    "unfollow": {},
    "notifications_read": {},
    "subscription_change": lambda w: {f"s{w.subscription.pk}-alert_threshold": "0"},
    "what_happened_mail": {},
    "api:notification-read": {},
    "api:notification-read-all": {},
    "question_heard": {"channel": "phone"},
    "theme_heard": {"channel": "phone"},
    "question_decide": {"decision": "confirm"},
    "api:question-close": {},
    "api:question-heard": {"channel": "phone"},
    "api:question-decide": lambda w: {"match": w.question.matches.get().pk, "decision": "confirm"},
    "withdraw_note": {},
    "restore_note": {},
    **{name: {"text": "Called the branch."} for name in CASE_STEPS},
    "theme_accept": {"name": "App that integrates banking"},
    "theme_rename": {"name": "App that integrates banking"},
    "theme_archive": {},
    "theme_merge": {},
    "theme_parent": {},
    "theme_split": {},
    "theme_move": {},
    "theme_undo": {},
    "newsletter_draft": {},
    "newsletter_approve": {},
    "newsletter_test": {},
    "newsletter_send": {},
    "api:token": {},
    "api:note-withdraw": {},
    "api:note-plus-one": {"channel": "phone"},
    "api:theme-merge": {},
    "api:theme-split": {},
}

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(qualified URL name, route) of every pattern, recursively through includes."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {route}>"
            yield (f"{namespace}:{name}" if namespace else name), route


def url_names() -> dict[str, str]:
    return dict(_walk(get_resolver().url_patterns))


def _table_key(name: str) -> str:
    return "admin:*" if name.startswith("admin:") else name


def classify(response: HttpResponseBase) -> str:
    status = response.status_code
    if status == 401:
        return LOGIN
    if 300 <= status < 400:
        return LOGIN if response["Location"].split("?")[0].endswith(LOGIN_PATHS) else REDIRECT
    if 200 <= status < 300:
        return OK
    if status in (403, 404):
        return DENIED
    if status == 400:
        return INVALID
    return str(status)


def _ask(subject: str, world: World, url: str, post: dict[str, Any] | None) -> str:
    """One request as ``subject``, in a savepoint rolled back afterwards."""
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        headers = {}
        if subject != "anonymous":
            user = world.users[subject]
            if url.startswith("/api/"):
                headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
            else:
                client.force_login(user)
        response = client.get(url, **headers) if post is None else client.post(url, post, **headers)
        transaction.set_rollback(True)
    return classify(response)


def _url(key: str, world: World) -> str:
    name = key.split("[")[0]
    return reverse(name, kwargs=ARGS[key](world) if key in ARGS else None)


def test_every_url_in_the_urlconf_has_a_row_in_the_permission_table():
    missing = sorted({_table_key(name) for name in url_names()} - set(EXPECTED))
    assert not missing, f"URL names with no expectation in EXPECTED (decide who may open them): {missing}"
    stale = sorted({key.split("[")[0] for key in EXPECTED} - {_table_key(name) for name in url_names()})
    assert not stale, f"rows in EXPECTED for URL names the URLconf no longer has: {stale}"


def test_every_role_gets_what_the_permission_table_says_for_every_url(world, monkeypatch):
    monkeypatch.setattr(newsletter_tasks.draft_weekly_issue, "delay", lambda *args, **kwargs: None)
    wrong = []
    for key, row in EXPECTED.items():
        if key == "admin:*":
            continue
        url = _url(key, world)
        for subject in SUBJECTS:
            post = POSTS.get(key.split("[")[0])
            got = _ask(subject, world, url, post(world) if callable(post) else post)
            if got != row[subject]:
                wrong.append(f"{key} ({url}) as {subject}: expected {row[subject]}, got {got}")
    assert not wrong, "cells that differ from the table:\n" + "\n".join(wrong)


# --- Django admin ---------------------------------------------------------------------------------

ADMIN_SAMPLES = [
    "admin:index",
    "admin:voc_user_changelist",
    "admin:voc_complaintcase_changelist",
    "admin:newsletter_issue_changelist",
    "admin:voc_auditentry_changelist",
]


def test_django_admin_is_for_admins_only(world):
    """A few admin pages asked by everyone; every other admin URL without arguments asked by an
    anonymous visitor, a lead (site notes, but no admin) and the admin."""
    names = url_names()
    samples = [name for name in ADMIN_SAMPLES if name in names]
    assert len(samples) == len(ADMIN_SAMPLES), (
        f"admin samples gone from the URLconf: {set(ADMIN_SAMPLES) - set(samples)}"
    )
    assert all(route.startswith("admin/") for name, route in names.items() if name.startswith("admin:"))
    row = EXPECTED["admin:*"]
    wrong = [
        f"{name} as {subject}: expected {row[subject]}, got {got}"
        for name in samples
        for subject in SUBJECTS
        if (got := _ask(subject, world, reverse(name), None)) != row[subject]
    ]
    rest = []
    for name in sorted(names):
        if not name.startswith("admin:") or name in samples or name in ("admin:login", "admin:logout"):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # needs an object id: covered by its changelist's answer
        rest.append(name)
        for subject in ("anonymous", "lead_a", "admin"):
            got = _ask(subject, world, url, None)
            # Some admin pages are closed to admins too (nobody adds an audit entry by hand):
            # what matters here is that nobody else gets any of them.
            expected = {row[subject]} if subject != "admin" else {OK, REDIRECT, DENIED}
            if got not in expected:
                wrong.append(f"{name} ({url}) as {subject}: expected {' or '.join(sorted(expected))}, got {got}")
    assert len(rest) >= 10, f"too few admin URLs found to be a sample of the admin: {rest}"
    assert not wrong, "admin answers that differ from the table:\n" + "\n".join(wrong)


# --- rows: what each person's answers hold ---------------------------------------------------------


def _api_ids(subject: str, world: World, path: str) -> set[int] | int:
    """The ids an API list gives ``subject`` (token auth), or the status when it is refused."""
    client = Client()
    token = Token.objects.get_or_create(user=world.users[subject])[0].key
    response = client.get(path, HTTP_AUTHORIZATION=f"Token {token}")
    if response.status_code != 200:
        return response.status_code
    return {row["id"] for row in response.json()["results"]}


def test_the_notes_api_shows_each_person_only_their_notes(world):
    own_a, site_b = {world.note_a.pk, world.complaint.pk}, {world.note_b.pk}
    everything = own_a | site_b
    expected = {
        "agent_a": own_a,
        "agent_b": site_b,
        "lead_a": own_a,
        "lead_b": site_b,
        "hq": everything,
        "exec_a": everything,
        "exec_b": everything,
        "admin": everything,
    }
    got = {subject: _api_ids(subject, world, "/api/v1/notes/") for subject in expected}
    assert got == expected


def test_the_cases_api_shows_the_executive_their_own_cases_and_the_buddy_theirs(world):
    expected = {
        "agent_a": 403,
        "agent_b": 403,
        "lead_a": {world.case.pk},
        "lead_b": set(),
        "hq": 403,
        "exec_a": {world.case.pk},
        "exec_b": set(),
        "admin": 403,
    }
    got = {subject: _api_ids(subject, world, "/api/v1/cases/") for subject in expected}
    assert got == expected


def test_the_newsletters_api_shows_drafts_to_editors_only_and_listening_to_its_person_only(world):
    sent, both = {world.issue_sent.pk}, {world.issue_sent.pk, world.issue_draft.pk}
    issues = {subject: _api_ids(subject, world, "/api/v1/newsletters/") for subject in world.users}
    assert issues == {s: both if s.startswith("lead") else sent for s in world.users}
    sessions = {subject: _api_ids(subject, world, "/api/v1/listening/") for subject in world.users}
    assert sessions == {s: {world.session.pk} if s == "agent_a" else set() for s in world.users}


def test_the_typing_assistant_suggests_only_readable_notes_of_the_persons_own_sites(world):
    """Issue 12: suggestions obey the lists' visibility -- agents their site, leads their sites --
    and never show a vulnerable customer's or a withdrawn note, to anyone."""
    text = "Wants an app that integrates banking"
    colleague = UserFactory(username="pablo", role=User.Role.AGENT, site=world.note_a.site)
    shared = {"site": world.note_a.site, "kind": Insight.Kind.NEED, "channel": Insight.Channel.PHONE}
    when = {"occurred_at": timezone.now() - timedelta(hours=2), "language": Insight.Language.ENGLISH}
    by_colleague = Insight.objects.create(agent=colleague, text=f"{text} please", **shared, **when)
    vulnerable = Insight.objects.create(agent=colleague, text=f"{text} now", vulnerable=True, **shared, **when)
    withdrawn = Insight.objects.create(
        agent=colleague, text=f"{text} soon", status=Insight.Status.WITHDRAWN, withdrawn_at=timezone.now(),
        **shared, **when,
    )  # fmt: skip
    site_a = {world.note_a.pk, by_colleague.pk}
    expected = {"agent_a": site_a, "lead_a": site_a, "agent_b": {world.note_b.pk}, "lead_b": {world.note_b.pk}}
    got = {}
    for subject in expected:
        client = Client()
        client.force_login(world.users[subject])
        got[subject] = {s["id"] for s in client.post("/notes/assist/", {"text": text}).json()["similar"]}
    assert got == expected
    assert not {vulnerable.pk, withdrawn.pk} & set().union(*got.values())
