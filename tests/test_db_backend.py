"""config.postgresql: the health check is skipped only for connections busy a moment ago."""

from __future__ import annotations

from unittest import mock

import psycopg
import pytest
from django.db import OperationalError, connection

from config.postgresql import base as pg


@pytest.fixture
def wrapper(db):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend is used only with a PostgreSQL DATABASE_URL")
    w = pg.DatabaseWrapper({**connection.settings_dict, "CONN_HEALTH_CHECKS": True}, alias="health")
    w.ensure_connection()
    yield w
    w.close()


def request(w: pg.DatabaseWrapper) -> int:
    """What a request does to a connection: Django's request_started, a query, request_finished."""
    w.close_if_unusable_or_obsolete()
    try:
        with w.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
    finally:
        w.close_if_unusable_or_obsolete()


def kill(pid: int) -> None:
    with psycopg.connect(
        host=connection.settings_dict["HOST"] or None,
        port=connection.settings_dict["PORT"] or None,
        user=connection.settings_dict["USER"],
        dbname=connection.settings_dict["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_busy_a_moment_ago_is_not_checked(wrapper):
    request(wrapper)
    with mock.patch.object(wrapper, "is_usable", wraps=wrapper.is_usable) as check:
        request(wrapper)
        request(wrapper)
    assert check.call_count == 0


def test_a_connection_idle_for_a_while_is_checked_and_replaced_when_dead(wrapper):
    pid = request(wrapper)
    kill(pid)
    wrapper.used_ok_at -= pg.TRUSTED_FOR + 1  # idle for longer than trusted
    with mock.patch.object(wrapper, "is_usable", wraps=wrapper.is_usable) as check:
        new_pid = request(wrapper)  # no error: the check found it dead and a new one was opened
    assert check.call_count == 1
    assert new_pid != pid


def test_after_a_database_error_the_next_request_checks_again(wrapper):
    pid = request(wrapper)
    kill(pid)  # the server went away while the connection was trusted: this request fails ...
    with pytest.raises(OperationalError):
        request(wrapper)
    assert wrapper.connection is None  # ... and Django drops the connection at its end
    assert request(wrapper) != pid  # the next request reconnects
