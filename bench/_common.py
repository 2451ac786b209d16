"""Shared pieces of the benchmarks: throw-away databases, the environment, realistic note texts.

Standard library plus psycopg only (no Django import), so the load generator stays light.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
BANKING77 = ROOT / "voc" / "demo" / "data" / "banking77.csv"

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"  # 60+ chars
PASSWORD = "bench-Password-7391"  # passes the project's validators

KINDS = ["need", "want", "love", "frustration", "question", "thanks", "complaint"]
KIND_WEIGHTS = [22, 14, 8, 20, 20, 6, 10]
CHANNELS = ["phone", "email", "chat", "sms", "social", "in_person"]
CHANNEL_WEIGHTS = [50, 15, 20, 3, 4, 8]
PRODUCT_AREAS = ["Cards", "Accounts", "Payments and transfers", "Mobile app", "Loans"]
SITES = ["Madrid", "Sevilla", "A Coruña", "Leeds"]
COUNTRIES = ["FR", "PT", "GB", "DE", "IT", "US", "MA"]

# Personal data agents sometimes type despite the guidance; the server redacts it at save.
PII_TAILS = [
    "Customer asked us to call back on 612 345 678.",
    "Reply to {name}@example.com please.",
    "Card 4111 1111 1111 1111 was mentioned on the call.",
    "Her IBAN ES91 2100 0418 4502 0005 1332 came up.",
    "DNI 12345678Z given for verification.",
    "Call him on +44 7700 900123 after 5pm.",
]
NAMES = ["lucia", "marta", "jorge", "ana", "pablo", "sara", "tom", "emma"]
OPENERS = ["", "", "", "Customer says: ", "Caller: ", "Again: ", "Angry customer: ", "Elderly customer: "]


SHARED_DATA = ROOT.parent / "shared" / "data"
YARDSTICK = ROOT / "bench" / "data" / "banking77_en_es_gl.csv"


def setup_django() -> None:
    """Make the project importable and set Django up in this process (the benchmarks that call
    the product's code directly rather than through a server)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def banking77_texts() -> list[str]:
    with BANKING77.open(encoding="utf-8", newline="") as f:
        return [row["text"].strip() for row in csv.DictReader(f) if row.get("text", "").strip()]


def note_text(rng: random.Random, texts: list[str]) -> str:
    """One realistic note: a Banking77 query, sometimes two, sometimes with personal data in it."""
    text = rng.choice(OPENERS) + rng.choice(texts)
    if rng.random() < 0.15:
        text += " " + rng.choice(texts)
    if rng.random() < 0.10:
        text += " " + rng.choice(PII_TAILS).format(name=rng.choice(NAMES))
    return text


def pick_kind(rng: random.Random) -> str:
    return rng.choices(KINDS, KIND_WEIGHTS)[0]


def pick_channel(rng: random.Random) -> str:
    return rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]


# --- databases ---------------------------------------------------------------------------------


def pg_url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    import psycopg

    for attempt in range(5):
        try:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.Error:
            if attempt == 4:
                raise
            time.sleep(0.5)


def count_rows(database_url: str, table: str = "voc_insight") -> int:
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url[len("sqlite:///") :]) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- the project's processes --------------------------------------------------------------------


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production-like settings for the bench database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VOC_", "CELERY_", "CACHE_URL"))}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        CELERY_BROKER_URL=REDIS_URL,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, quiet: bool = True) -> str:
    proc = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"manage.py {' '.join(args)} failed with exit code {proc.returncode}")
    return proc.stdout


SETUP_PEOPLE = r"""
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.contrib.auth.hashers import make_password
from rest_framework.authtoken.models import Token
from voc.accounts import services
from voc.models import ProductArea, User

spec = json.loads(sys.argv[1])
for name in spec["areas"]:
    ProductArea.objects.get_or_create(name=name)
sites = [services.get_or_create_site(name=name) for name in spec["sites"]]
# Hash the (shared) password once: PBKDF2 per person would make set-up take ~0.5 s a person.
encoded = make_password(spec["password"])
User.set_password = lambda self, raw: setattr(self, "password", encoded)
out = []
for i in range(spec["count"]):
    user = services.create_user(
        username=f"{spec['prefix']}{i:03d}", role="agent", password=spec["password"],
        site=sites[i % len(sites)], validate=False,
    )
    token = Token.objects.create(user=user) if spec["tokens"] else None
    out.append({"username": user.username, "token": token.key if token else None})
print(json.dumps(out))
"""


def create_agents(env: dict[str, str], count: int, *, tokens: bool, prefix: str = "agent") -> list[dict[str, Any]]:
    import json

    spec = {
        "count": count,
        "tokens": tokens,
        "prefix": prefix,
        "password": PASSWORD,
        "sites": SITES,
        "areas": PRODUCT_AREAS,
    }
    proc = subprocess.run(
        [PYTHON, "-c", SETUP_PEOPLE, json.dumps(spec)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit("creating the bench agents failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def purge_broker_messages(
    pids: set[int], url: str = REDIS_URL, queue: str = "celery", tasks: list[tuple[str, list[Any]]] | None = None
) -> int:
    """Remove the Celery messages our processes queued (nobody consumes them during a benchmark:
    e.g. ``insights.tasks.embed_notes`` for the recorded notes). Only messages whose producer
    (``headers.origin`` = "gen<pid>@host") is one of ``pids`` are touched. Returns how many;
    with ``tasks`` also appends there the (task name, args) of each removed message."""
    import base64
    import json
    import re

    try:
        import redis
    except ImportError:
        return 0
    origin = re.compile(r"^gen(\d+)@")
    client = redis.Redis.from_url(url)
    try:
        removed = 0
        for raw in client.lrange(queue, 0, -1):
            try:
                match = origin.match(json.loads(raw)["headers"].get("origin") or "")
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            if match and int(match.group(1)) in pids:
                removed += client.lrem(queue, 1, raw)
                if tasks is not None:
                    message = json.loads(raw)
                    body = message["body"]
                    if message.get("properties", {}).get("body_encoding") == "base64":
                        body = base64.b64decode(body)
                    tasks.append((message["headers"].get("task", ""), json.loads(body)[0]))
        return removed
    except redis.RedisError:
        return 0
    finally:
        client.close()


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []
