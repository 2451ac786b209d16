import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_healthz_tells_anyone_only_that_it_is_up(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_tells_an_admin_the_state_of_database_and_broker(admin_client_):
    response = admin_client_.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.parametrize("role", ["agent", "lead", "hq", "executive"])
def test_healthz_gives_no_details_to_people_who_are_not_admins(client_for, role):
    assert client_for(role).get("/healthz").json() == {"status": "ok"}


def test_healthz_is_503_when_the_broker_is_down(settings, admin_client_):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    anonymous = Client().get("/healthz")
    assert anonymous.status_code == 503
    assert anonymous.json() == {"status": "down"}  # not which part, nor why
    response = admin_client_.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["broker"].startswith("down")
    assert body["checks"]["database"] == "ok"


def test_healthz_is_503_when_the_database_is_down(monkeypatch, admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)  # before the database "goes down"

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("config.health.connection.cursor", broken_cursor)
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "down"}
    # The session cannot be read either, so not even an admin is known: still 503, no details.
    as_admin = client.get("/healthz")
    assert as_admin.status_code == 503 and b"OperationalError" not in as_admin.content


def test_healthz_names_the_failing_check_to_an_admin(monkeypatch, admin_client_):
    monkeypatch.setattr("config.health.check_broker", lambda: "OperationalError")
    body = admin_client_.get("/healthz").json()
    assert body["checks"] == {"database": "ok", "broker": "down: OperationalError"}


def test_healthz_answers_only_reads():
    assert Client().post("/healthz").status_code == 405
