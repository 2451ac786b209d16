#!/usr/bin/env python
"""Fuzz the REST API with schemathesis as each role, bounded in time; exit 1 on any server error
(5xx) or any response that does not match the OpenAPI schema at /api/v1/schema/.

    .venv/bin/python .ci/fuzz_api.py [--max-examples N] [--max-time SECONDS]

On PostgreSQL (``DATABASE_URL=postgres://…``) it uses a database of its own, ``<name>_fuzz``,
dropped and made again each run; otherwise a temporary SQLite file. It migrates it, seeds the
proofs' small world (tests/proof_fixtures.py: two sites, every role at each, a note, theme,
issue, case, session of each kind), serves the project with ``runserver --noreload`` on a free
local port, and runs ``st run`` once per role with that person's API token.

Left out, and why: ``POST /api/v1/auth/token/`` — it is rate limited (``VOC_API_LOGIN_RATE``)
and failed sign-ins lock the username and address out (django-axes), so fuzzing it would test the
lock-out, not the endpoint; tests/voc/accounts/test_auth.py covers it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
ROLES = ["agent_a", "lead_a", "hq", "exec_a", "admin"]
EXCLUDED_PATHS = ["/api/v1/auth/token/"]
CHECKS = "not_a_server_error,response_schema_conformance"


def _database(tmp: Path) -> str:
    """A database URL of the fuzz run's own, created empty."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'fuzz.sqlite3'}"
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_fuzz"
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def seed() -> None:
    """(Run in a child process with the fuzz database.) The small world plus API tokens; prints
    ``{role: token}`` as JSON on the last line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from rest_framework.authtoken.models import Token

    from tests.proof_fixtures import build_world
    from voc.notes import services

    world = build_world()
    for person in (world.users["agent_a"], world.users["agent_b"]):
        for kind, text in [("want", "Wants Apple Pay on the card"), ("thanks", "Thanks for the quick refund")]:
            services.record_note(agent=person, kind=kind, text=text, channel="phone")
    tokens = {role: Token.objects.get_or_create(user=world.users[role])[0].key for role in ROLES}
    print(json.dumps(tokens))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"runserver exited with {server.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"runserver did not answer {url} within {timeout:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "8")))
    parser.add_argument("--max-time", type=int, default=int(os.environ.get("FUZZ_MAX_TIME", "30")))
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        seed()
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="lp-fuzz-"))
    env = os.environ | {
        "DATABASE_URL": _database(tmp),
        "VOC_MEDIA_ROOT": str(tmp / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_DEBUG": "true",
        # Fuzzing makes hundreds of requests a minute from one address.
        "VOC_API_LOGIN_RATE": "100000/min",
    }
    server = None
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        seeded = subprocess.run(
            [PYTHON, str(Path(__file__).resolve()), "--seed-only"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        tokens = json.loads(seeded.stdout.strip().splitlines()[-1])
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = (tmp / "server.log").open("w")
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_until_up(f"{base}/healthz", server)
        request = urllib.request.Request(
            f"{base}/api/v1/schema/?format=json", headers={"Authorization": f"Token {tokens['admin']}"}
        )
        schema = tmp / "schema.json"
        with urllib.request.urlopen(request, timeout=60) as response:
            schema.write_bytes(response.read())
        failed = []
        for role in ROLES:
            print(f"\n--- schemathesis as {role}", flush=True)
            command = [
                str(Path(PYTHON).parent / "st"),
                "--no-color",
                "run",
                str(schema),
                "--url",
                base,
                "--header",
                f"Authorization: Token {tokens[role]}",
                "--checks",
                CHECKS,
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                str(args.max_examples),
                "--max-time",
                str(args.max_time),
                "--seed",
                "20261204",
                "--workers",
                "1",
                "--request-timeout",
                "30",
                "--suppress-health-check",
                "all",
                "--warnings",
                "off",
                "--generation-database",
                "none",
            ]
            for path in EXCLUDED_PATHS:
                command += ["--exclude-path", path]
            if subprocess.run(command, cwd=tmp, env=env).returncode != 0:
                failed.append(role)
        if failed:
            print(f"\nAPI fuzzing failed for: {', '.join(failed)}; the server's log:\n")
            print((tmp / "server.log").read_text()[-20000:])
            return 1
        print("\nAPI fuzzing: no server error and every response matches the schema, for every role.")
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
