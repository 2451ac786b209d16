"""config.postgresql: the health check is skipped only for connections busy a moment ago, and
only the hot statements are prepared on the server."""

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
        # With a timeout, PostgreSQL returns once the backend has exited (its socket is closed).
        other.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])


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


def test_a_trusted_connection_the_server_ended_between_requests_is_replaced_before_the_first_query(wrapper):
    pid = request(wrapper)
    kill(pid)  # a moment after a good request: still trusted by time, but the socket says it ended
    with mock.patch.object(wrapper, "is_usable", wraps=wrapper.is_usable) as check:
        new_pid = request(wrapper)  # no OperationalError: checked, found dead, reconnected
    assert check.call_count == 1
    assert new_pid != pid


def test_after_a_database_error_the_next_request_checks_again(wrapper):
    request(wrapper)
    wrapper.close_if_unusable_or_obsolete()  # a request starts ...
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    kill(pid)  # ... and the server ends its connection half-way: this request fails ...
    with pytest.raises(OperationalError), wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")
    wrapper.close_if_unusable_or_obsolete()
    assert wrapper.connection is None  # ... and Django drops the connection at its end
    assert request(wrapper) != pid  # the next request reconnects


def test_a_connection_that_last_failed_is_checked_even_if_the_failure_left_it_usable(wrapper):
    request(wrapper)
    wrapper.close_if_unusable_or_obsolete()  # a request starts ...
    with pytest.raises(Exception), wrapper.cursor() as cursor:  # noqa: B017
        cursor.execute("SELECT 1/0")  # ... and hits a database error (not an integrity error)
    wrapper.close_if_unusable_or_obsolete()  # it ends: Django finds the connection usable
    assert wrapper.connection is not None
    wrapper.used_ok_at -= pg.TRUSTED_FOR + 1  # the next request comes much later
    with mock.patch.object(wrapper, "is_usable", wraps=wrapper.is_usable) as check:
        request(wrapper)
    assert check.call_count == 1


def test_a_connection_opened_outside_a_request_is_checked_by_the_first_request(wrapper):
    wrapper.close()
    wrapper.ensure_connection()  # e.g. at start-up (its set-up queries are no request's use) ...
    wrapper.used_ok_at -= pg.TRUSTED_FOR + 1  # ... long before the first request
    with mock.patch.object(wrapper, "is_usable", wraps=wrapper.is_usable) as check:
        request(wrapper)
    assert check.call_count == 1


def prepared_statements(w: pg.DatabaseWrapper) -> list[str]:
    with w.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_only_statements_run_through_prepared_cursor_are_prepared(wrapper):
    assert wrapper.connection.prepare_threshold == 5  # from config/env.py
    for n in range(6):
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT %s::int + 40", [n])
        with wrapper.prepared_cursor() as cursor:
            cursor.execute("SELECT %s::int + 41", [n])
            assert cursor.fetchone()[0] == n + 41
    statements = prepared_statements(wrapper)
    assert any("+ 41" in s for s in statements)
    assert not any("+ 40" in s for s in statements)
