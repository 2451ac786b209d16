"""config/unavailable.py: a database connection dropped during a request is a 503 with
Retry-After (JSON for the API), wherever it is raised; every other error stays a 500."""

from __future__ import annotations

import sqlite3
from unittest import mock

import psycopg
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client
from rest_framework.authtoken.models import Token

from config import unavailable
from voc.accounts import authentication


@pytest.fixture
def signed_in(agent) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    return client


def test_a_page_whose_session_lookup_loses_the_database_answers_503_with_retry_after(signed_in):
    # Raised in a middleware (the session), not in a view: only the error handler sees it.
    with mock.patch.object(SessionStore, "load", side_effect=OperationalError("terminating connection")):
        response = signed_in.get("/notes/")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert b"Briefly unavailable" in response.content


def test_an_api_call_whose_connection_was_closed_answers_503_in_json(agent):
    token = Token.objects.create(user=agent)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")
    with mock.patch.object(
        authentication.TokenAuthentication, "authenticate", side_effect=InterfaceError("connection already closed")
    ):
        response = client.get("/api/v1/notes/")
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json() == {"detail": "The service is briefly unavailable. Please try again in a moment."}


def test_any_other_error_is_still_a_500(signed_in):
    with mock.patch.object(SessionStore, "load", side_effect=ValueError("a bug")):
        response = signed_in.get("/notes/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def _wrapped(cause: BaseException) -> OperationalError:
    """An OperationalError as Django raises it: the driver's error as its cause."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("cause", "expected"),
    [
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
        (psycopg.OperationalError("server closed the connection unexpectedly"), True),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), False),
        (psycopg.errors.LockNotAvailable("could not obtain lock"), False),
        (sqlite3.OperationalError("no such table: voc_insight"), False),
    ],
)
def test_only_a_lost_connection_counts_as_the_database_being_unavailable(cause, expected):
    assert unavailable.database_unavailable(_wrapped(cause)) is expected


def test_a_query_that_times_out_is_a_500_not_a_503(signed_in):
    timeout = _wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))
    with mock.patch.object(SessionStore, "load", side_effect=timeout):
        response = signed_in.get("/notes/")
    assert response.status_code == 500
