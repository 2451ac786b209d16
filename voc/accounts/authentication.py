"""API token sign-in: DRF's token check in one lean query.

DRF's ``TokenAuthentication`` builds, compiles and runs an ORM query (token JOIN user) on every
API call: ~1.2 ms of CPU here, a sixth of a note POST. This one runs the same lookup as SQL
written once per process, and also brings the person's home site (shown with every note).

A token expires ``VOC_API_TOKEN_DAYS`` after it was issued: the row read here carries its
``created``, so expiry costs no query (``voc.accounts.api_tokens``).

Nothing is cached between requests, on purpose: a token that is deleted or a person who is
deactivated is refused on the very next request, by every process, whatever changed the row
(admin, a queryset ``update()``, a SQL console). A cache could only promise that with an
invalidation hook on every way those rows can change.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connections, router
from django.db.models.expressions import Col
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from voc.accounts import api_tokens
from voc.middleware import speak_as
from voc.models import Site, User
from voc.notes.lean_sql import hot_cursor

_MODELS = (Token, User, Site)


@cache
def _lookup(db: str) -> tuple[str, list[list[str]]]:
    """The SQL (every concrete column of token, user and site, in model order) and, per model,
    the attribute names of its columns."""
    qn = connections[db].ops.quote_name
    names = [[f.attname for f in model._meta.concrete_fields] for model in _MODELS]
    columns = [
        f"{alias}.{qn(field.column)}"
        for alias, model in zip("tus", _MODELS, strict=True)
        for field in model._meta.concrete_fields
    ]
    sql = (
        f"SELECT {', '.join(columns)} FROM {qn(Token._meta.db_table)} t"
        f" JOIN {qn(User._meta.db_table)} u ON u.{qn(User._meta.pk.column)} = t.{qn(Token.user.field.column)}"
        f" LEFT JOIN {qn(Site._meta.db_table)} s ON s.{qn(Site._meta.pk.column)} = u.{qn(User.site.field.column)}"
        f" WHERE t.{qn(Token._meta.pk.column)} = %s"
    )
    return sql, names


@cache
def _converters(db: str) -> list[tuple[int, list[Any], Col]]:
    """Per column of the lookup, the converters the ORM would apply to its value (raw SQL gets
    none: SQLite gives back naive datetimes and 0/1 for booleans)."""
    connection = connections[db]
    columns = [field.get_col(model._meta.db_table) for model in _MODELS for field in model._meta.concrete_fields]
    found = []
    for i, column in enumerate(columns):
        chain = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if chain:
            found.append((i, chain, column))
    return found


def _converted(db: str, row: tuple[Any, ...]) -> list[Any]:
    values = list(row)
    connection = connections[db]
    for i, chain, column in _converters(db):
        for convert in chain:
            values[i] = convert(values[i], column, connection)
    return values


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, answered as DRF answers it (``request.auth`` is the Token),
    with the person's site already loaded. Unknown keys and inactive people are left to DRF's own
    check, so those errors and their translations are DRF's; an expired token is "Token expired."."""

    def authenticate(self, request: Any) -> tuple[User, Token] | None:
        """As DRF's; a call that names no language (``Accept-Language``) is answered in the
        person's saved one, as their pages are. A tool that names one gets it."""
        found = super().authenticate(request)
        if found is not None and not request.META.get("HTTP_ACCEPT_LANGUAGE"):
            speak_as(request, found[0])
        return found

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        db = router.db_for_read(Token)
        sql, (token_names, user_names, site_names) = _lookup(db)
        with hot_cursor(db) as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None or not row[len(token_names) + user_names.index("is_active")]:
            return super().authenticate_credentials(key)  # raises "Invalid token." or "User inactive…"
        row = _converted(db, row)
        split = (len(token_names), len(token_names) + len(user_names))
        token = Token.from_db(db, token_names, row[: split[0]])
        if api_tokens.has_expired(token):
            raise exceptions.AuthenticationFailed(_("Token expired."))
        user = User.from_db(db, user_names, row[split[0] : split[1]])
        site = Site.from_db(db, site_names, row[split[1] :]) if user.site_id is not None else None
        User.site.field.set_cached_value(user, site)
        Token.user.field.set_cached_value(token, user)
        return user, token
