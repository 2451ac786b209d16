"""Settings parsing: good values read, bad ones stop start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env

ROOT = Path(__file__).resolve().parent.parent


def test_booleans_read_common_spellings():
    env = Env({"A": "true", "B": "0", "C": " Yes "})
    assert env.bool("A", False) is True
    assert env.bool("B", True) is False
    assert env.bool("C", False) is True
    assert env.bool("MISSING", True) is True


def test_a_bad_boolean_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG must be true or false"):
        Env({"DJANGO_DEBUG": "maybe"}).bool("DJANGO_DEBUG", False)


def test_integers_are_checked():
    assert Env({"EMAIL_PORT": "2525"}).int("EMAIL_PORT", 25) == 2525
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a whole number"):
        Env({"EMAIL_PORT": "smtp"}).int("EMAIL_PORT", 25)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be at least 1"):
        Env({"EMAIL_PORT": "0"}).int("EMAIL_PORT", 25, minimum=1)


def test_lists_split_on_commas():
    assert Env({"H": "a.example, b.example,,"}).list("H", []) == ["a.example", "b.example"]


def test_postgres_urls_use_the_postgresql_backend():
    config = Env({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/voc"}).database("DATABASE_URL", "sqlite:///x")
    assert config["ENGINE"] == "config.postgresql"
    assert config["NAME"] == "voc" and config["HOST"] == "127.0.0.1" and config["PORT"] == 5432
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"] == {"prepare_threshold": 5}


def test_postgres_url_options_are_kept():
    url = "postgres://voc@db:5432/voc?sslmode=verify-full&connect_timeout=5"
    config = Env({"DATABASE_URL": url}).database("DATABASE_URL", "sqlite:///x")
    assert config["OPTIONS"]["sslmode"] == "verify-full" and config["OPTIONS"]["connect_timeout"] in {5, "5"}
    assert config["OPTIONS"]["prepare_threshold"] == 5


def test_sqlite_urls_get_settings_for_several_processes():
    config = Env({}).database("DATABASE_URL", "sqlite:////tmp/voc.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3" and config["NAME"] == "/tmp/voc.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize("url", ["mysql://root@localhost/voc", "nonsense", "postgres://postgres@127.0.0.1:5432"])
def test_a_bad_database_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        Env({"DATABASE_URL": url}).database("DATABASE_URL", "sqlite:///x")


def test_a_bad_broker_url_names_the_variable():
    assert Env({"B": "redis://127.0.0.1:6379/0"}).broker("B", "filesystem://").startswith("redis://")
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL must be"):
        Env({"CELERY_BROKER_URL": "127.0.0.1:6379"}).broker("CELERY_BROKER_URL", "filesystem://")


def test_choices_are_enforced():
    with pytest.raises(ImproperlyConfigured, match="VOC_DEFAULT_LANGUAGE must be one of en, es"):
        Env({"VOC_DEFAULT_LANGUAGE": "fr"}).choice("VOC_DEFAULT_LANGUAGE", "en", ["en", "es"])


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "VOC_SECRET_KEY_FILE", "VOC_HTTPS"))
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = _manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_host_that_sets_nothing_is_not_in_debug_mode_and_has_no_known_key():
    result = _manage("check")  # no DJANGO_DEBUG, no key: refuses, rather than debug with a fixed key
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def _last_line(result: subprocess.CompletedProcess[str]) -> list[str]:
    return result.stdout.strip().splitlines()[-1].split()


SHOW = "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SECRET_KEY)"


def test_the_embedded_install_makes_its_key_once_and_keeps_it(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    first = _manage("shell", "-c", SHOW, VOC_SECRET_KEY_FILE=str(key_file))
    assert first.returncode == 0, first.stderr
    debug, secure_cookies, key = _last_line(first)
    assert (debug, secure_cookies) == ("False", "True")  # production behaviour unless told otherwise
    assert len(key) >= 50 and key == key_file.read_text().strip()
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = _manage("shell", "-c", SHOW, VOC_SECRET_KEY_FILE=str(key_file), VOC_HTTPS="false")
    assert _last_line(again) == ["False", "False", key]  # same key; plain-http cookies for make run
    other = _manage("shell", "-c", SHOW, VOC_SECRET_KEY_FILE=str(tmp_path / "elsewhere"))
    assert _last_line(other)[2] != key  # random, not a key written in the code


def test_a_404_never_lists_the_url_patterns_under_the_default_settings(tmp_path):
    probe = (
        "from django.test import Client; r = Client().get('/api/v1/no-such-page/', secure=True);"
        "print(r.status_code, 'URLconf' in r.text, 'healthz' in r.text)"
    )
    result = _manage("shell", "-c", probe, VOC_SECRET_KEY_FILE=str(tmp_path / "key"))
    assert result.returncode == 0, result.stderr
    status, lists_patterns, names_a_pattern = _last_line(result)
    assert (status, lists_patterns, names_a_pattern) == ("404", "False", "False")


def test_a_wrong_value_stops_start_up_with_the_variable_named():
    result = _manage("check", DATABASE_URL="mysql://root@localhost/voc", DJANGO_SECRET_KEY="k" * 60)
    assert result.returncode != 0
    assert "DATABASE_URL must start with sqlite:/// or postgres://" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k" * 20 + "a-random-production-secret-0123456789-abcdefghij",
        DJANGO_ALLOWED_HOSTS="voc.example.com",
        VOC_SITE_URL="https://voc.example.com",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_links_in_e_mails_follow_the_port_make_run_serves(tmp_path):
    show = "from django.conf import settings as s; print(s.VOC_SITE_URL)"
    result = _manage("shell", "-c", show, VOC_SECRET_KEY_FILE=str(tmp_path / "key"), VOC_PORT="8123")
    assert result.returncode == 0, result.stderr
    assert _last_line(result) == ["http://127.0.0.1:8123"]


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"VOC_SITE_URL": "https://voc.example.com"}, "not in DJANGO_ALLOWED_HOSTS"),
        ({"VOC_SITE_URL": "http://127.0.0.1:8000", "VOC_PORT": "8123"}, "another port than"),
        ({"VOC_SITE_URL": "voc.example.com"}, "not an http(s) address"),
    ],
)
def test_a_site_url_the_intranet_would_refuse_is_a_start_up_warning(tmp_path, env, says):
    result = _manage("check", VOC_SECRET_KEY_FILE=str(tmp_path / "key"), **env)
    assert result.returncode == 0, result.stderr  # a warning: the intranet still starts
    assert "voc.W001" in result.stderr + result.stdout and says in result.stderr + result.stdout


def test_the_default_site_url_passes_the_check(tmp_path):
    result = _manage("check", VOC_SECRET_KEY_FILE=str(tmp_path / "key"), VOC_PORT="8123")
    assert result.returncode == 0, result.stderr
    assert "voc.W001" not in result.stderr + result.stdout


@pytest.mark.parametrize("language", ["en", "es", "gl"])
def test_the_default_language_may_be_any_of_the_three_interface_languages(tmp_path, language):
    show = "from django.conf import settings as s; print(s.LANGUAGE_CODE, ','.join(c for c, _ in s.LANGUAGES))"
    result = _manage("shell", "-c", show, VOC_SECRET_KEY_FILE=str(tmp_path / "key"), VOC_DEFAULT_LANGUAGE=language)
    assert result.returncode == 0, result.stderr
    assert _last_line(result) == [language, "en,es,gl"]


def test_an_unknown_default_language_stops_start_up_naming_the_choices(tmp_path):
    result = _manage("check", VOC_SECRET_KEY_FILE=str(tmp_path / "key"), VOC_DEFAULT_LANGUAGE="fr")
    assert result.returncode != 0
    assert "VOC_DEFAULT_LANGUAGE must be one of en, es, gl" in result.stderr
