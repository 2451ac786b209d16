"""Typed readers for environment variables.

Every reader names the variable in its error, so a wrong value stops start-up with a message
an operator can act on.
"""

from __future__ import annotations

import builtins
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Read settings from a mapping (``os.environ`` by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def str(self, name: builtins.str, default: builtins.str | None = None) -> builtins.str | None:
        value = self.environ.get(name)
        return default if value is None else value.strip()

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r}).")

    def int(self, name: builtins.str, default: builtins.int, *, minimum: builtins.int | None = None) -> builtins.int:
        raw = self.environ.get(name)
        if raw is None or not raw.strip():
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {value}).")
        return value

    def list(self, name: builtins.str, default: builtins.list[builtins.str]) -> builtins.list[builtins.str]:
        raw = self.environ.get(name)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: builtins.str, default: builtins.str, choices: builtins.list[builtins.str]) -> builtins.str:
        value = self.str(name, default) or default
        if value not in choices:
            raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)} (got {value!r}).")
        return value

    def database(self, name: builtins.str, default: builtins.str) -> dict[builtins.str, Any]:
        url = self.str(name, default) or default
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
            raise ImproperlyConfigured(
                f"{name} must start with sqlite:/// or postgres:// (got {url.split('@')[-1]!r})."
            )
        try:
            config: dict[builtins.str, Any] = dict(
                dj_database_url.parse(url, conn_max_age=0 if scheme == "sqlite" else 60)
            )
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} must name a database (got {url.split('@')[-1]!r}).")
        if config["ENGINE"] == "django.db.backends.sqlite3":
            # WAL and IMMEDIATE let the web process, the worker and beat share one file.
            config["OPTIONS"] = {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        else:
            # Django's backend, checking only connections idle for a while (config/postgresql).
            config["ENGINE"] = "config.postgresql"
            config["CONN_HEALTH_CHECKS"] = True
            # Statements run often through the backend's prepared_cursor() are prepared by the
            # server after five runs on a connection; other cursors never prepare.
            config["OPTIONS"] = {"prepare_threshold": 5, **config.get("OPTIONS", {})}
        return config

    def broker(self, name: builtins.str, default: builtins.str) -> builtins.str:
        url = self.str(name, default) or default
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if scheme not in {"redis", "rediss", "amqp", "filesystem", "memory"}:
            raise ImproperlyConfigured(f"{name} must be a redis://, amqp:// or filesystem:// URL (got {url!r}).")
        return url


def secret_key_from_file(path: Path) -> str:
    """The secret key kept in ``path``, made once (random, readable by this user only) when the
    file does not exist yet: for a single-machine install such as ``make run``, where nobody sets
    DJANGO_SECRET_KEY. Processes starting together (web, worker, beat) agree on one key: the
    first to link its file into place wins, the others read it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"The secret key in {path} is shorter than 50 characters; delete the file.")
    return key
