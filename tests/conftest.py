"""The cast: an agent, a lead, an hq reader, an executive and an admin, at two sites; and a real
SMTP server on loopback (aiosmtpd) for the tests that send through a worker."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from django.core.cache import cache
from django.test import Client

from tests.factories import PASSWORD, SiteFactory, TeamFactory, UserFactory
from voc.models import Site, User

ROLES = ["agent", "lead", "hq", "executive", "admin"]


@pytest.fixture(autouse=True)
def _fast_english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in counters and API throttles live in the cache: each test starts with none."""
    cache.clear()


@pytest.fixture
def madrid(db) -> Site:
    return SiteFactory(name="Madrid", country=Site.Country.SPAIN)


@pytest.fixture
def manchester(db) -> Site:
    return SiteFactory(name="Manchester", country=Site.Country.UNITED_KINGDOM)


@pytest.fixture
def agent(madrid) -> User:
    return UserFactory(username="lucia", role=User.Role.AGENT, site=madrid, team=TeamFactory(site=madrid))


@pytest.fixture
def other_site_agent(manchester) -> User:
    return UserFactory(username="amy", role=User.Role.AGENT, site=manchester)


@pytest.fixture
def colleague(madrid) -> User:
    """Another agent at the agent's site."""
    return UserFactory(username="pablo", role=User.Role.AGENT, site=madrid)


@pytest.fixture
def lead(madrid) -> User:
    return UserFactory(username="marta", role=User.Role.LEAD, site=madrid)


@pytest.fixture
def hq(db) -> User:
    return UserFactory(username="elena", role=User.Role.HQ, department="Marketing")


@pytest.fixture
def executive(db) -> User:
    return UserFactory(username="ana", role=User.Role.EXECUTIVE, department="Chief executive")


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(username="ada", role=User.Role.ADMIN)


@pytest.fixture
def cast(agent, lead, hq, executive, admin_user) -> dict[str, User]:
    return {"agent": agent, "lead": lead, "hq": hq, "executive": executive, "admin": admin_user}


@pytest.fixture
def client_for(cast):
    """``client_for("lead")``: a test client signed in as that member of the cast."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(cast[role])
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def world(db, settings, tmp_path):
    """Two sites, every role on each side of the line, one object of each kind a URL names
    (tests/proof_fixtures.py); for the permission matrix."""
    from tests.proof_fixtures import build_world

    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


class Inbox(Sink):
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd checks readiness by connecting, so it needs a real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()
