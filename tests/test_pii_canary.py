"""Personal data typed anywhere never comes out anywhere (PRODUCT.md: text is redacted when saved;
contact details live only on complaint cases).

Canaries of every kind the redactor knows (``voc.redaction.PLACEHOLDER_KINDS``) -- a Luhn-valid
card, one more with its expiry date and security code typed after it, an IBAN with a good checksum,
a UK sort code and account number, a British and a Spanish passport, a Spanish and a British phone,
an e-mail as such, written out ("x dot y at example dot com") and with "(at)", a DNI with its
letter and one with the letter after a space -- are made fresh for each entry point on each run and
typed through every way text gets in. Then every output is searched for them: the database
(dumpdata, all but the contact details kept by design), the e-mails with their attachments, the CSV
exports and error files, API answers, the PDFs as text, pages, and the log.

A canary is looked for in each output as written and with the separators people type between
digits taken out: by its digits, only as a whole number (random digits 8 to 22 long that stand
alone cannot turn up by chance in a timestamp or an id); an e-mail by its random local part; a
passport's letters with its digits. An expiry date or a security code alone (3 or 4 digits) could
turn up anywhere, so those are looked for only right after the word typed before them
("exp 07/29", "cvv 713"), which nothing prints unless it kept what was typed.

Canaries go into text only, never into a note's ``external_id`` or ``source``: personal data there
is refused outright (tested with the API and the imports), not redacted.
"""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader
from rest_framework.authtoken.models import Token

from insights.models import Assignment, Theme
from newsletter import delivery
from newsletter import services as newsletter_services
from tests.factories import (
    ComplaintCaseFactory,
    ComplaintFactory,
    InsightFactory,
    SiteFactory,
    TeamFactory,
    ThemeFactory,
    UserFactory,
)
from voc.models import ComplaintCase, ImportJob, Insight, Site, User
from voc.notes import import_jobs

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
TUESDAY = datetime(2026, 11, 10, 10, 0, tzinfo=MADRID)  # in ISO week 2026-W46
WEEK = date(2026, 11, 9)
MONTH = date(2026, 11, 1)

# --- canaries ------------------------------------------------------------------------------------

_rng = secrets.SystemRandom()


def _digits(n: int) -> str:
    return "".join(str(_rng.randrange(10)) for _ in range(n))


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # doubled: these are every other digit counting from the check digit's left
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str(-total % 10)


@dataclass(frozen=True)
class Canary:
    where: str  # the entry point it was typed into
    kind: str
    typed: str
    pattern: re.Pattern[str]  # looked for in each output, as written and normalised


def _number(digits: str, prefixes: str = "") -> re.Pattern[str]:
    return re.compile(rf"(?<!\d)(?:{prefixes})?{digits}(?!\d)" if prefixes else rf"(?<!\d){digits}(?!\d)")


def _after_label(label: str, value: str) -> re.Pattern[str]:
    """A short number only where it was typed: right after its label (a line may break anywhere,
    the digits may be grouped differently)."""
    label = r"\s+".join(map(re.escape, label.split()))
    value = r"[\s.\-]?".join(map(re.escape, value))
    return re.compile(rf"(?<!\w){label}\W{{0,3}}{value}(?![\d/])", re.IGNORECASE)


def _dni(number: str) -> str:
    return number + "TRWAGMYFPDXBNJZSQVHLCKE"[int(number) % 23]


def _card() -> str:
    body = "49" + _digits(13)
    return body + _luhn_digit(body)


def _grouped(digits: str, size: int = 4) -> str:
    return " ".join(digits[i : i + size] for i in range(0, len(digits), size))


def _letters(n: int) -> str:
    return "".join(_rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))


def canaries_for(where: str) -> dict[str, dict[str, Canary]]:
    """For each template field, the canaries typed in it by kind (a field may hold several: a card
    with its expiry date and security code)."""
    card = _card()
    card_2 = _card()
    month, year, code = f"{_rng.randrange(1, 13):02d}", f"{_rng.randrange(27, 40)}", f"{_rng.randrange(100, 1000)}"
    bban = _digits(20)
    check = 98 - int(bban + "142800") % 97  # ES is 14 28; ISO 13616
    iban = f"ES{check:02d}{bban}"
    sort_code, account = _digits(6), str(_rng.randrange(10_000_000, 100_000_000))
    uk_passport = str(_rng.randrange(100_000_000, 1_000_000_000))
    es_passport = _letters(3) + _digits(6)
    es_phone = "6" + _digits(8)
    uk_phone = "07" + _digits(9)
    dni_number = str(_rng.randrange(10_000_000, 100_000_000))
    dni_2_number = str(_rng.randrange(10_000_000, 100_000_000))
    local, spelt, bracketed = ("canary" + secrets.token_hex(5) for _ in range(3))
    made: dict[str, dict[str, tuple[str, re.Pattern[str]]]] = {
        "card": {"card": (_grouped(card), _number(card))},
        "card_details": {
            "card + expiry + cvv": (f"{_grouped(card_2)} exp {month}/{year} cvv {code}", _number(card_2)),
            "expiry": ("", _after_label("exp", f"{month}/{year}")),
            "cvv": ("", _after_label("cvv", code)),
        },
        "iban": {"iban": (_grouped(iban), _number(iban[2:]))},
        "sort_code": {
            "sort code + account": (
                f"sort code {sort_code[:2]}-{sort_code[2:4]}-{sort_code[4:]} account {account}",
                # the pair, however the words between are kept or dropped
                re.compile(rf"(?<!\d){sort_code}\D{{0,12}}{account}(?!\d)"),
            ),
            "sort code": ("", _after_label("sort code", sort_code)),
            "account": ("", _number(account)),
        },
        "uk_passport": {"uk passport": (f"passport {uk_passport}", _number(uk_passport))},
        "es_passport": {"es passport": (f"pasaporte {es_passport}", re.compile(es_passport, re.IGNORECASE))},
        "es_phone": {"es_phone": (f"+34 {es_phone[:3]} {es_phone[3:6]} {es_phone[6:]}", _number(es_phone, "0034|34"))},
        "uk_phone": {"uk_phone": (f"{uk_phone[:5]} {uk_phone[5:]}", _number(uk_phone[1:], "0044|44|0"))},
        "email": {"email": (f"{local}@example.org", re.compile(local, re.IGNORECASE))},
        "email_spelt": {"email spelt out": (f"{spelt} dot perez at example dot com", re.compile(spelt, re.IGNORECASE))},
        "email_at": {"email (at)": (f"{bracketed} (at) example.org", re.compile(bracketed, re.IGNORECASE))},
        "dni": {"dni": (_dni(dni_number), _number(dni_number))},
        "dni_spaced": {"dni spaced": (f"{dni_2_number} {_dni(dni_2_number)[-1]}", _number(dni_2_number))},
    }
    return {
        field: {kind: Canary(where, kind, typed, pattern) for kind, (typed, pattern) in kinds.items()}
        for field, kinds in made.items()
    }


TEMPLATE = (
    "Card {card}, then card {card_details}; IBAN {iban}, {sort_code}; {uk_passport}, {es_passport}; "
    "call {es_phone} or {uk_phone}, write to {email}, {email_spelt} or {email_at}; DNI {dni}, ID {dni_spaced}."
)


class Canaries:
    """Every canary typed so far, by entry point."""

    def __init__(self) -> None:
        self.typed: list[Canary] = []

    def text(self, where: str, template: str = TEMPLATE) -> str:
        made = canaries_for(where)
        used = [field for field in made if "{" + field + "}" in template]
        for field in used:
            self.typed.extend(made[field].values())
        # The first canary of a field carries what is typed for the whole field.
        return template.format(**{field: next(iter(made[field].values())).typed for field in used})


# --- outputs -------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"(?<=\d)[\s.\-]+(?=\d)")  # \s: also a line broken inside a number


def normalised(text: str) -> str:
    """What a number looks like with the separators people type taken out."""
    return _SEPARATORS.sub("", text)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def dump_by_field() -> dict[str, str]:
    """Every column of every row, as "app.model.field #pk" -> text, but the contact details
    (ComplaintContact, by design), sessions and Django's own catalogues."""
    out = io.StringIO()
    call_command(
        "dumpdata",
        exclude=["voc.complaintcontact", "sessions", "contenttypes", "auth.permission"],
        stdout=out,
    )
    fields = {}
    for row in json.loads(out.getvalue()):
        for name, value in row["fields"].items():
            fields[f"database {row['model']}.{name} #{row['pk']}"] = json.dumps(value, ensure_ascii=False)
    return fields


def leaks(canaries: list[Canary], outputs: dict[str, str]) -> list[str]:
    """One line per (entry point, output) where a raw canary shows, naming the kinds found."""
    found: dict[tuple[str, str], list[str]] = {}
    context: dict[tuple[str, str], str] = {}
    for label, text in outputs.items():
        flat = normalised(text)
        forms = (text, flat) if flat != text else (text,)
        for canary in canaries:
            for form in forms:
                if m := canary.pattern.search(form):
                    key = (canary.where, label)
                    found.setdefault(key, []).append(canary.kind)
                    context.setdefault(key, form[max(0, m.start() - 40) : m.end() + 20].replace("\n", " "))
                    break
    return [
        f"{where} -> {label} [{', '.join(kinds)}]: …{context[where, label]}…" for (where, label), kinds in found.items()
    ]


# --- the proof -----------------------------------------------------------------------------------


def _csv(rows: list[str]) -> bytes:
    return ("kind,text,channel,external_id,agent\n" + "\n".join(rows) + "\n").encode()


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def test_no_canary_typed_anywhere_comes_out_anywhere(time_machine, settings, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TIME_ZONE = "Europe/Madrid"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(TUESDAY + timedelta(hours=1))
    c = Canaries()

    madrid = SiteFactory(name="Madrid", country=Site.Country.SPAIN)
    manchester = SiteFactory(name="Manchester", country=Site.Country.UNITED_KINGDOM)
    agent = UserFactory(username="lucia", role=User.Role.AGENT, site=madrid, team=TeamFactory(site=madrid))
    agent_b = UserFactory(username="amy", role=User.Role.AGENT, site=manchester)
    lead = UserFactory(username="marta", role=User.Role.LEAD, site=madrid)
    hq = UserFactory(username="elena", role=User.Role.HQ, department="Marketing")
    executive = UserFactory(username="ana", role=User.Role.EXECUTIVE, department="Chief executive")
    executive_b = UserFactory(username="carlos", role=User.Role.EXECUTIVE, department="Finance")
    UserFactory(username="ada", role=User.Role.ADMIN)
    clients: dict[str, Client] = {}

    def sign_in() -> None:
        for user in (agent, agent_b, lead, hq, executive, executive_b):
            clients[user.username] = Client()
            clients[user.username].force_login(user)

    sign_in()

    def token(user: User) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    # Enough plain notes that week for the newsletter to publish facts with quotes.
    for i in range(6):
        InsightFactory(
            agent=agent, kind="frustration", caused_by_us=True,
            text=f"You charged me twice for the same transfer ({i})", occurred_at=TUESDAY,
        )  # fmt: skip
    when = TUESDAY.strftime("%Y-%m-%d %H:%M")

    # 1. the capture form
    response = clients["lucia"].post(
        "/notes/new/",
        {
            "text": c.text("capture form"),
            "kind": "complaint",
            "channel": "phone",
            "language": "en",
            "occurred_at": when,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    captured = Insight.objects.filter(agent=agent).latest("pk")

    # 2. the API
    response = clients["amy"].post(
        "/api/v1/notes/",
        {
            "kind": "need",
            "text": c.text("API POST /api/v1/notes/"),
            "channel": "email",
            "occurred_at": TUESDAY.isoformat(),
        },
        **token(agent_b),
    )
    assert response.status_code == 201, response.content
    api_note = Insight.objects.get(pk=response.json()["id"])

    # 3. the import command (a good row and a refused one, whose text goes to the error file)
    command_csv = tmp_path / "notes.csv"
    command_csv.write_bytes(
        _csv([
            f"need,{_quoted(c.text('import_notes command'))},phone,CMD-1,lucia",
            f"rant,{_quoted(c.text('import_notes command, refused row'))},phone,CMD-2,lucia",
        ])
    )  # fmt: skip
    command_errors = tmp_path / "command-errors.csv"
    command_out = io.StringIO()
    call_command("import_notes", str(command_csv), "--errors", str(command_errors), stdout=command_out)

    # 4. the upload page, imported by the worker's service
    upload = _csv([
        f"need,{_quoted(c.text('import upload'))},phone,UP-1,lucia",
        f"rant,{_quoted(c.text('import upload, refused row'))},phone,UP-2,lucia",
    ])  # fmt: skip
    response = clients["marta"].post("/notes/import/", {"file": SimpleUploadedFile("notes.csv", upload)})
    assert response.status_code == 302, response.content[:2000]
    job = import_jobs.run_import_job(ImportJob.objects.latest("pk").pk)
    assert job.created == 1 and job.invalid == 1, (job.message, job.problems)

    # 5. a note edited by its author
    response = clients["amy"].post(
        f"/notes/{api_note.pk}/edit/",
        {"text": c.text("note edit"), "kind": "need", "channel": "email", "language": "en", "occurred_at": when},
    )
    assert response.status_code == 302, response.content[:2000]

    # 6. theme names, by a lead
    theme = ThemeFactory(name="Double charges")
    proposed = ThemeFactory(name="Proposed", status=Theme.Status.PROPOSED)
    for note in Insight.objects.all():
        Assignment.objects.create(note=note, theme=theme, method=Assignment.Method.AUTO, confidence=0.9)
    curate = clients["marta"]
    # (a name is at most 120 characters: a few kinds each)
    curate.post(f"/themes/{theme.pk}/rename/", {"name": c.text("theme rename", "Card {card_details} {email_at}")})
    curate.post(
        f"/themes/{proposed.pk}/accept/",
        {"name": c.text("theme accept", "Call {es_phone} {dni_spaced}, {uk_passport} {es_passport}")},
    )
    curate.post(
        f"/themes/{theme.pk}/split/",
        {"note_ids": [captured.pk], "name": c.text("theme split", "IBAN {iban} {sort_code}")},
    )
    theme.refresh_from_db()
    assert Theme.objects.count() == 3 and theme.name != "Double charges"  # renamed, and split

    # 7. case texts: one case resolved, one handed back
    cases = []
    for text, handler in (("Nobody called me back", executive), ("Charged twice again", executive_b)):
        complaint = ComplaintFactory(agent=agent, text=text, occurred_at=TUESDAY)
        cases.append(
            ComplaintCaseFactory(
                month=MONTH, executive=handler, buddy=lead, note=complaint, acknowledge_by=TUESDAY + timedelta(days=2)
            )
        )
    ana = clients["ana"]
    steps = [
        ("acknowledge", {}),
        ("contacted", {"text": c.text("case: customer contacted")}),
        ("note", {"text": c.text("case: timeline note")}),
        (
            "resolve",
            {
                "root_cause": ComplaintCase.RootCause.values[0],
                "outcome": ComplaintCase.Outcome.values[0],
                "action_taken": c.text("case: action taken"),
                "learned": c.text("case: what I learned"),
            },
        ),
    ]
    for step, data in steps:
        assert ana.post(f"/cases/{cases[0].pk}/{step}/", data).status_code == 302, step
    clients["marta"].post(f"/cases/{cases[0].pk}/note/", {"text": "buddy was here"})
    response = clients["carlos"].post(f"/cases/{cases[1].pk}/hand-back/", {"reason": c.text("case: hand-back reason")})
    assert response.status_code == 302
    assert ComplaintCase.objects.filter(status__in=["resolved", "handed_back"]).count() == 2

    # 8. listening, through the API (the idea becomes a note)
    response = clients["elena"].post(
        "/api/v1/listening/",
        {
            "day": TUESDAY.date().isoformat(),
            "minutes": 60,
            "site": "Madrid",
            "queue": c.text("listening: queue", "{es_phone} {email_spelt}"),
            "heard": c.text("listening: heard"),
            "surprised": c.text("listening: surprised"),
            "idea": c.text("listening: idea"),
        },
        **token(hq),
    )
    assert response.status_code == 201, response.content
    hq_session = response.json()["id"]
    # and an executive's, read back by its owner below (each person sees only their own)
    response = clients["ana"].post(
        "/api/v1/listening/",
        {
            "day": TUESDAY.date().isoformat(),
            "minutes": 30,
            "site": "Manchester",
            "queue": c.text("listening (executive): queue", "{uk_phone} {email_at}"),
            "heard": c.text("listening (executive): heard"),
            "surprised": c.text("listening (executive): surprised"),
        },
        **token(executive),
    )
    assert response.status_code == 201, response.content
    executive_session = response.json()["id"]

    # 9. the newsletter: drafted, facts and editor's note edited, approved, rendered, sent;
    #    and the month's head-office pack
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=MADRID))
    issue, _created = newsletter_services.prepare_weekly_issue(week_start=WEEK)
    facts = list(issue.facts.all())
    assert facts, f"no facts drafted for {WEEK}: the newsletter part proves nothing"
    changes = [
        newsletter_services.FactChange(
            fact_id=fact.pk,
            position=fact.position,
            included=True,
            sentence_en=c.text(f"newsletter fact {i} (en)"),
            sentence_es=c.text(f"newsletter fact {i} (es)"),
        )
        for i, fact in enumerate(facts[:2])
    ]
    issue = newsletter_services.review_issue(
        issue=issue, by=lead, editor_note=c.text("newsletter editor's note"), changes=changes
    )
    issue = newsletter_services.approve_issue(issue=issue, by=lead)
    issue = newsletter_services.render_issue_pdf(issue=issue)
    newsletter_services.send_issue(issue=issue)
    delivery.deliver_pending(issue=issue)
    pack = newsletter_services.prepare_monthly_pack(month=MONTH)
    newsletter_services.send_pack(pack=pack)
    delivery.deliver_pending(pack=pack)
    assert mail.outbox, "no e-mail was sent: the e-mail part proves nothing"

    # --- every output (three weeks on: sign in again)
    sign_in()
    outputs: dict[str, str] = dict(dump_by_field())
    for i, message in enumerate(mail.outbox):
        where = f"e-mail {i} to {','.join(message.to)}"
        outputs[f"{where}: subject"] = message.subject
        outputs[f"{where}: body"] = message.body
        for j, (content, _mimetype) in enumerate(getattr(message, "alternatives", [])):
            outputs[f"{where}: alternative {j}"] = str(content)
        for attachment in message.attachments:
            name, content, _mimetype = (
                attachment
                if isinstance(attachment, tuple)
                else (attachment.get_filename(), attachment.get_payload(decode=True), attachment.get_content_type())
            )
            data = content if isinstance(content, bytes) else str(content).encode()
            outputs[f"{where}: attachment {name}"] = (
                pdf_text(data) if data.startswith(b"%PDF") else data.decode(errors="replace")
            )
    outputs["issue PDF"] = pdf_text(newsletter_services.open_issue_pdf(issue=issue).read())
    pack.refresh_from_db()
    outputs["pack PDF"] = pdf_text(pack.pdf.open("rb").read())
    outputs["import_notes output"] = command_out.getvalue()
    outputs["import_notes --errors file"] = command_errors.read_text(encoding="utf-8")
    job.refresh_from_db()
    outputs["upload: errors CSV"] = b"".join(
        clients["marta"].get(f"/notes/import/{job.pk}/errors.csv").streaming_content
    ).decode()
    outputs["upload: status page"] = clients["marta"].get(f"/notes/import/{job.pk}/").text
    outputs["leads' CSV export"] = b"".join(clients["marta"].get("/notes/export.csv").streaming_content).decode()
    api_reads = {
        "elena": [
            "/api/v1/notes/", "/api/v1/themes/", "/api/v1/newsletters/",
            "/api/v1/listening/", f"/api/v1/listening/{hq_session}/",
        ],
        "marta": ["/api/v1/notes/", "/api/v1/themes/", "/api/v1/newsletters/", "/api/v1/cases/"],
        "ana": ["/api/v1/cases/", "/api/v1/listening/", f"/api/v1/listening/{executive_session}/"],
    }  # fmt: skip
    people = {"elena": hq, "marta": lead, "ana": executive}
    for username, paths in api_reads.items():
        for path in paths:
            response = Client().get(path, **token(people[username]))
            assert response.status_code == 200, (username, path)
            outputs[f"API {path} as {people[username].role}"] = response.text
    pages_as_hq = ["/themes/", "/newsletters/", f"/newsletters/{issue.pk}/", "/programme/", "/newsletters/packs/"]
    pages_as_hq += [f"/themes/{t.pk}/" for t in Theme.objects.all()]
    for path in pages_as_hq:
        response = clients["elena"].get(path)
        assert response.status_code == 200, path
        outputs[f"page {path} as hq"] = response.text
    for path in ["/notes/", f"/cases/{cases[0].pk}/", f"/cases/{cases[1].pk}/"]:
        outputs[f"page {path} as lead"] = clients["marta"].get(path).text
    outputs["log"] = "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.args!r}" for r in caplog.records)

    # Every canary was typed into something that kept or showed it: the search would see it.
    assert len(c.typed) >= 380
    for role in ("hq", "executive"):  # the sessions were read back (redacted), not an empty list
        assert "[PASSPORT]" in outputs[f"API /api/v1/listening/ as {role}"], role
    found = leaks(c.typed, outputs)
    assert not found, f"{len(found)} raw canaries in outputs:\n" + "\n".join(sorted(found))


def test_the_canaries_are_personal_data_to_the_redactor_and_the_search_finds_them_as_typed():
    """The proof above passing means something only if its canaries are what the product must
    take out, and its search sees them however they are written."""
    from voc.redaction import PLACEHOLDER_KINDS, redact

    c = Canaries()
    text = c.text("control")
    assert len(c.typed) == 17
    assert redact(text).found == {
        "CARD": 2, "EXPIRY": 1, "CVV": 1, "IBAN": 1, "ACCOUNT": 1, "PASSPORT": 2, "PHONE": 2, "EMAIL": 3, "ID": 2,
    }  # fmt: skip
    assert set(redact(text).found) == set(PLACEHOLDER_KINDS)
    every_kind = ", ".join(canary.kind for canary in c.typed)
    variants = {
        "typed": text,
        "compact": re.sub(r"(?<=\d)[ ](?=\d)", "", text),
        "dashed": re.sub(r"(?<=\d)[ ](?=\d)", "-", text),
        "dotted": re.sub(r"(?<=\d)[ \-](?=\d)", ".", text),
        "wrapped": text.replace(" ", "\n"),
    }
    for name, variant in variants.items():
        assert [line.split(" [")[1].split("]")[0] for line in leaks(c.typed, {name: variant})] == [every_kind], name
    assert leaks(c.typed, {"redacted": redact(text).text}) == []


def test_the_short_canaries_are_only_looked_for_where_they_were_typed():
    """An expiry date, a security code or a sort code printed on its own is a date, an amount, an
    id; the search finds them only after the word typed before them, so it raises no false alarm."""
    c = Canaries()
    c.text("control", "{card_details}, {sort_code}")
    short = {canary.kind: canary for canary in c.typed if canary.kind in ("expiry", "cvv", "sort code")}
    typed = {canary.kind: canary.typed for canary in c.typed}
    month_year, cvv = re.search(r"exp (\d\d/\d\d) cvv (\d{3})$", typed["card + expiry + cvv"]).groups()
    sort_code = re.search(r"\d\d-\d\d-\d\d", typed["sort code + account"])[0]
    harmless = f"Paid {cvv} EUR on {month_year}/2026, ticket {sort_code}, call at {cvv}0 or {month_year}5."
    assert leaks(list(short.values()), {"harmless": harmless}) == []
    said = f"EXP: {month_year}, CVV\n{cvv}, sort code: {sort_code}"
    assert [line.split(" [")[1].split("]")[0] for line in leaks(list(short.values()), {"said": said})] == [
        "expiry, cvv, sort code"
    ]
