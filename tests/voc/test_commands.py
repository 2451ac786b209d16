from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from voc.models import AuditEntry, Insight, Site, Tally, User

pytestmark = pytest.mark.django_db


def test_add_user_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("VOC_PASSWORD", "a-long-enough-secret")
    out = StringIO()
    call_command("add_user", "pablo", "--role", "agent", "--site", "Bilbao", "--email", "p@example.com", stdout=out)
    user = User.objects.get(username="pablo")
    assert user.role == "agent" and user.site.name == "Bilbao" and user.email == "p@example.com"
    assert user.check_password("a-long-enough-secret")
    assert not user.is_staff
    assert "Created pablo" in out.getvalue()
    assert AuditEntry.objects.filter(action="user.created", object_id=str(user.pk)).exists()


def test_add_user_makes_admins_staff_for_django_admin(monkeypatch):
    monkeypatch.setenv("VOC_PASSWORD", "a-long-enough-secret")
    call_command("add_user", "root2", "--role", "admin", stdout=StringIO())
    user = User.objects.get(username="root2")
    assert user.is_staff and user.is_superuser


def test_add_user_refuses_an_unknown_role(monkeypatch):
    monkeypatch.setenv("VOC_PASSWORD", "a-long-enough-secret")
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        call_command("add_user", "x", "--role", "boss")


def test_add_user_refuses_an_agent_without_a_site_and_creates_nothing(monkeypatch):
    monkeypatch.setenv("VOC_PASSWORD", "a-long-enough-secret")
    with pytest.raises(CommandError, match="belong to a site"):
        call_command("add_user", "nosite", "--role", "agent")
    assert not User.objects.filter(username="nosite").exists()


def test_add_user_refuses_a_weak_password_and_leaves_no_site_behind(monkeypatch):
    monkeypatch.setenv("VOC_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("add_user", "weak", "--role", "agent", "--site", "Vigo")
    assert not User.objects.filter(username="weak").exists()
    assert not Site.objects.filter(name="Vigo").exists()


def test_add_user_refuses_a_mistyped_site_and_lists_the_existing_ones(monkeypatch):
    monkeypatch.setenv("VOC_PASSWORD", "a-long-enough-secret")
    for name in ("Bilbao", "Vigo"):
        Site.objects.create(name=name, country="ES")
    with pytest.raises(CommandError) as refused:
        call_command("add_user", "typo", "--role", "agent", "--site", "Bilboa", stdout=StringIO())
    message = str(refused.value)
    assert "Bilboa" in message and "--create-site" in message
    assert message.index("Bilbao") < message.index("Vigo")  # the nearest name first
    assert not Site.objects.filter(name="Bilboa").exists()
    assert not User.objects.filter(username="typo").exists()


def test_add_user_finds_a_site_in_any_case_and_opens_one_only_when_asked(monkeypatch):
    monkeypatch.setenv("VOC_PASSWORD", "a-long-enough-secret")
    bilbao = Site.objects.create(name="Bilbao", country="ES")
    call_command("add_user", "ane", "--role", "agent", "--site", "bilbao", stdout=StringIO())
    assert User.objects.get(username="ane").site == bilbao

    out = StringIO()
    call_command("add_user", "xoan", "--role", "lead", "--site", "Lugo", "--create-site", stdout=out)
    assert User.objects.get(username="xoan").site.name == "Lugo"
    assert "Opened the site Lugo" in out.getvalue()
    assert Site.objects.count() == 2


def test_add_user_refuses_a_taken_username(monkeypatch, agent):
    monkeypatch.setenv("VOC_PASSWORD", "a-long-enough-secret")
    with pytest.raises(CommandError, match="taken"):
        call_command("add_user", "LUCIA", "--role", "hq")


def test_add_user_prompts_twice_and_refuses_a_mismatch(monkeypatch):
    monkeypatch.delenv("VOC_PASSWORD", raising=False)
    answers = iter(["first-long-password", "second-long-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="do not match"):
        call_command("add_user", "typo", "--role", "hq")
    assert not User.objects.filter(username="typo").exists()


def test_add_user_without_a_terminal_or_password_says_what_to_do(monkeypatch):
    monkeypatch.delenv("VOC_PASSWORD", raising=False)

    def no_terminal(prompt=""):
        raise EOFError

    monkeypatch.setattr("getpass.getpass", no_terminal)
    with pytest.raises(CommandError, match="set VOC_PASSWORD"):
        call_command("add_user", "ci", "--role", "hq")


def test_seed_demo_builds_every_role_at_spanish_and_uk_sites_and_prints_passwords_once():
    first = StringIO()
    call_command("seed_demo", stdout=first)
    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)
    assert set(Site.objects.values_list("country", flat=True)) == {"ES", "GB"}
    assert all(u.site_id for u in User.objects.filter(role__in=["agent", "lead"]))
    lucia = User.objects.get(username="lucia.agent")
    printed_password = next(line.split()[-1] for line in first.getvalue().splitlines() if "lucia.agent" in line)
    assert lucia.check_password(printed_password)

    assert Insight.objects.filter(source="demo").count() == 3200
    tallies = Tally.objects.all()
    assert tallies.exists()
    assert all(t.note.occurred_at < t.created_at <= timezone.now() for t in tallies.select_related("note"))

    count = User.objects.count()
    second = StringIO()
    call_command("seed_demo", stdout=second)
    assert User.objects.count() == count
    assert "already exist" in second.getvalue()
    assert "lucia.agent" not in second.getvalue()


def test_seed_demo_uses_one_password_when_asked_and_never_prints_it(monkeypatch):
    monkeypatch.setenv("VOC_DEMO_PASSWORD", "Chosen-Qx7-Zebra")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert User.objects.get(username="admin").check_password("Chosen-Qx7-Zebra")
    assert "Chosen-Qx7-Zebra" not in out.getvalue()
    assert "password in VOC_DEMO_PASSWORD" in out.getvalue()
    assert "lucia.agent" in out.getvalue()  # who was created is still said
