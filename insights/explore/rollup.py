"""The dashboard's daily roll-up on PostgreSQL: how it is kept and how it is read.

Kept: statement triggers on ``voc_insight`` (insert, update, delete) and ``insights_assignment``
add each statement's change to ``insights_dailytally`` and ``insights_dailythemetally`` in the
same transaction, from the statement's transition tables (one grouped upsert per statement, so
an import or a theme merge costs one statement, not one per row). Only active notes count; a
withdrawal, an edit or a theme move takes the note off its old row and onto its new one. So the
roll-up is never stale: a committed change is in the next dashboard. ``rebuild`` recounts it
from the notes (the nightly check, and after the time zone changes); it is safe to run twice.
Writes that bypass triggers need a ``rebuild`` after them: ``TRUNCATE voc_insight``, a load with
``session_replication_role = replica`` (the benchmarks' bulk load) and a logical-replication
subscriber's applied changes.

Read: ``Scope.of`` says whether a view can be answered from the roll-up (PostgreSQL, a reader
who sees every note or whole sites, no theme filter; for the themes, at most one filter besides
sites and the period), and the functions below return exactly what the raw queries in
``figures.py`` return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from insights.explore.models import NOTE_COLUMNS

TALLY = "insights_dailytally"
THEME_TALLY = "insights_dailythemetally"
# Each assigned note counts once per theme with no other filter (dimension '') and once under each
# dimension's value, so that the themes under any one filter are read from a few rows too.
THEME_DIMENSIONS = (
    "('', ''), ('kind', n.kind::text), ('channel', n.channel::text), ('language', n.language::text), "
    "('product_area', coalesce(n.product_area_id::text, '')), ('customer_abroad', n.customer_abroad::text), "
    "('caused_by_us', n.caused_by_us::text), ('lonely', n.lonely::text), ('vulnerable', n.vulnerable::text)"
)
THEME_KEY = "day, site_id, theme_id, dimension, value"


# --- kept -------------------------------------------------------------------------------------


def _day(alias: str, zone: str) -> str:
    return f"({alias}.occurred_at AT TIME ZONE '{zone}')::date"


def _note_delta(sources: list[tuple[str, int]], zone: str) -> str:
    """Upserts adding ``sign`` per active note of each transition table to both roll-ups."""
    columns = ", ".join(NOTE_COLUMNS)
    picked = ", ".join(f"n.{c}" for c in NOTE_COLUMNS)
    notes = " UNION ALL ".join(
        f"SELECT {_day('n', zone)} AS day, {picked}, {sign} AS d FROM {table} n WHERE n.status = 'active'"
        for table, sign in sources
    )
    themes = " UNION ALL ".join(
        f"SELECT {_day('n', zone)} AS day, n.site_id, a.theme_id, v.dimension, v.value, {sign} AS d FROM {table} n "
        f"JOIN insights_assignment a ON a.note_id = n.id CROSS JOIN LATERAL (VALUES {THEME_DIMENSIONS}) "
        f"AS v(dimension, value) WHERE n.status = 'active'"
        for table, sign in sources
    )
    return _upserts(notes, themes, columns)


def _assignment_delta(sources: list[tuple[str, int]], zone: str) -> str:
    themes = " UNION ALL ".join(
        f"SELECT {_day('n', zone)} AS day, n.site_id, a.theme_id, v.dimension, v.value, {sign} AS d FROM {table} a "
        f"JOIN voc_insight n ON n.id = a.note_id CROSS JOIN LATERAL (VALUES {THEME_DIMENSIONS}) "
        f"AS v(dimension, value) WHERE n.status = 'active'"
        for table, sign in sources
    )
    return _upserts(None, themes, "")


def _upserts(notes: str | None, themes: str, columns: str) -> str:
    # Grouped and ordered so that one statement touches each row once, in key order (no
    # deadlock between two bulk statements); a change that cancels out writes nothing.
    statements = []
    if notes is not None:
        statements.append(
            f"INSERT INTO {TALLY} AS t (day, {columns}, notes) "
            f"SELECT day, {columns}, sum(d) FROM ({notes}) c GROUP BY day, {columns} HAVING sum(d) <> 0 "
            f"ORDER BY day, {columns} "
            f"ON CONFLICT (day, {columns}) DO UPDATE SET notes = t.notes + excluded.notes;"
        )
    statements.append(
        f"INSERT INTO {THEME_TALLY} AS t ({THEME_KEY}, notes) "
        f"SELECT {THEME_KEY}, sum(d) FROM ({themes}) c GROUP BY {THEME_KEY} "
        f"HAVING sum(d) <> 0 ORDER BY {THEME_KEY} "
        f"ON CONFLICT ({THEME_KEY}) DO UPDATE SET notes = t.notes + excluded.notes;"
    )
    return "\n".join(statements)


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        f"BEGIN\n{body}\nRETURN NULL;\nEND\n$body$;"
    )


TRIGGERS = [  # (table, operation, transition tables, function)
    ("voc_insight", "INSERT", "NEW TABLE AS new_rows", "insights_rollup_note_insert"),
    ("voc_insight", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "insights_rollup_note_update"),
    ("voc_insight", "DELETE", "OLD TABLE AS old_rows", "insights_rollup_note_delete"),
    ("insights_assignment", "INSERT", "NEW TABLE AS new_rows", "insights_rollup_assignment_insert"),
    (
        "insights_assignment",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "insights_rollup_assignment_update",
    ),
    ("insights_assignment", "DELETE", "OLD TABLE AS old_rows", "insights_rollup_assignment_delete"),
]
SOURCES = {"INSERT": [("new_rows", 1)], "UPDATE": [("old_rows", -1), ("new_rows", 1)], "DELETE": [("old_rows", -1)]}


def install_sql(zone: str) -> list[str]:
    """The trigger functions (days in ``zone``) and triggers, replacing any earlier ones."""
    if "'" in zone:
        raise ValueError(f"not a time zone name: {zone!r}")
    statements = []
    for table, operation, transition, name in TRIGGERS:
        delta = _note_delta if table == "voc_insight" else _assignment_delta
        statements.append(_function(name, delta(SOURCES[operation], zone)))
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        statements.append(
            f"CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {transition} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
        )
    return statements


def uninstall_sql() -> list[str]:
    statements = []
    for table, _operation, _transition, name in TRIGGERS:
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        statements.append(f"DROP FUNCTION IF EXISTS {name}();")
    return statements


def _recounts(zone: str) -> tuple[str, str]:
    """The two roll-ups counted from the notes: (SELECT of the day tally, SELECT of the themes')."""
    columns = ", ".join(NOTE_COLUMNS)
    tally = (
        f"SELECT {_day('n', zone)} AS day, {columns}, count(*) AS notes FROM voc_insight n "
        f"WHERE n.status = 'active' GROUP BY 1, {columns}"
    )
    themes = (
        f"SELECT {_day('n', zone)} AS day, n.site_id, a.theme_id, v.dimension, v.value, count(*) AS notes "
        f"FROM voc_insight n JOIN insights_assignment a ON a.note_id = n.id "
        f"CROSS JOIN LATERAL (VALUES {THEME_DIMENSIONS}) AS v(dimension, value) "
        f"WHERE n.status = 'active' GROUP BY 1, 2, 3, 4, 5"
    )
    return tally, themes


def in_step(conn: Any = None) -> bool:
    """Whether the roll-up holds exactly what counting the notes gives, and its triggers count
    days in ``TIME_ZONE``. Read in one snapshot without locking anything, so note capture goes on
    while it runs (the recount's cost, ~25 s of reading at a million notes). False off PostgreSQL."""
    conn = conn or connection
    if conn.vendor != "postgresql":
        return False
    zone = str(settings.TIME_ZONE)
    names = [name for _table, _operation, _transition, name in TRIGGERS]
    tally, themes = _recounts(zone)
    columns = ", ".join(NOTE_COLUMNS)
    kept_tally = f"SELECT day, {columns}, notes FROM {TALLY} WHERE notes <> 0"  # rows that fell to 0 stay
    kept_themes = f"SELECT day, site_id, theme_id, dimension, value, notes FROM {THEME_TALLY} WHERE notes <> 0"
    outer = conn.in_atomic_block
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if not outer:  # one snapshot for the notes and the roll-up
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgname = ANY(%s) AND t.tgenabled <> 'D' AND p.prosrc LIKE %s",
            [names, f"%AT TIME ZONE '{zone}'%"],
        )
        if cursor.fetchone()[0] != len(names):
            return False
        cursor.execute(
            f"SELECT EXISTS (({tally} EXCEPT {kept_tally}) UNION ALL ({kept_tally} EXCEPT {tally})) "
            f"OR EXISTS (({themes} EXCEPT {kept_themes}) UNION ALL ({kept_themes} EXCEPT {themes}))"
        )
        return not cursor.fetchone()[0]


def refresh() -> dict[str, int]:
    """The nightly check: recount the roll-up (``rebuild``, which locks it) only when it is not in
    step with the notes or the time zone changed. Safe to run twice."""
    if in_step():
        return {"rebuilt": 0}
    return {"rebuilt": 1, **rebuild()}


def rebuild(schema_editor: Any = None) -> dict[str, int]:
    """Recount both roll-ups from the notes and (re)install the triggers for ``TIME_ZONE``.
    Idempotent: the tables are locked against the triggers (and readers) while they are emptied
    and refilled, so a note saved meanwhile is counted once (before, by the recount; after, by
    its trigger).
    Does nothing off PostgreSQL. Returns the rows written."""
    conn = schema_editor.connection if schema_editor is not None else connection
    if conn.vendor != "postgresql":
        return {"tallies": 0, "theme_tallies": 0}
    zone = str(settings.TIME_ZONE)
    columns = ", ".join(NOTE_COLUMNS)
    tally, themes = _recounts(zone)
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        for statement in install_sql(zone):
            cursor.execute(statement)
        # Emptied, not deleted from: no dead rows for every later read to skip. Dashboards wait
        # for the few seconds of the recount.
        cursor.execute(f"LOCK TABLE {TALLY}, {THEME_TALLY} IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f"TRUNCATE {TALLY}, {THEME_TALLY}")
        cursor.execute(f"INSERT INTO {TALLY} (day, {columns}, notes) SELECT * FROM ({tally}) c ORDER BY 1, {columns}")
        tallies = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {THEME_TALLY} ({THEME_KEY}, notes) "
            f"SELECT * FROM ({themes}) c ORDER BY dimension, value, day, site_id, theme_id"
        )
        theme_tallies = cursor.rowcount
        cursor.execute(f"ANALYZE {TALLY}, {THEME_TALLY}")
    if not conn.in_atomic_block:
        # the visibility map, so that reads are index-only scans (VACUUM cannot run in a transaction)
        with conn.cursor() as cursor:
            cursor.execute(f"VACUUM {TALLY}, {THEME_TALLY}")
    return {"tallies": tallies, "theme_tallies": theme_tallies}


# --- read -------------------------------------------------------------------------------------

FLAGS = ("customer_abroad", "caused_by_us", "lonely", "vulnerable")


@dataclass(frozen=True)
class Scope:
    """The filters of a view in roll-up terms. ``sites`` None: every site."""

    sites: tuple[int, ...] | None
    values: tuple[tuple[str, tuple[Any, ...]], ...]  # (column, the values it may take)
    flags: tuple[tuple[str, bool], ...]
    # At most one filter besides sites and the period: (dimension, its values as text) in the
    # themes' roll-up (('', ('',)): none); None: the themes are counted from the notes.
    themes_by: tuple[str, tuple[str, ...]] | None

    @property
    def themes_too(self) -> bool:
        return self.themes_by is not None

    @classmethod
    def of(cls, cleaned: dict[str, Any], *, visible_sites: list[int] | None) -> Scope | None:
        """None when the roll-up cannot answer: not PostgreSQL, or a theme filter.
        ``visible_sites``: the reader's sites (None: every site)."""
        if connection.vendor != "postgresql" or cleaned.get("theme"):
            return None
        sites: set[int] | None = None if visible_sites is None else set(visible_sites)
        chosen = cleaned.get("site")
        if chosen:
            picked = {site.pk for site in chosen}
            sites = picked if sites is None else sites & picked
        values = []
        for name, column in (("kind", "kind"), ("channel", "channel"), ("language", "language")):
            if cleaned.get(name):
                values.append((column, tuple(sorted(cleaned[name]))))
        if cleaned.get("product_area"):
            values.append(("product_area_id", tuple(sorted(area.pk for area in cleaned["product_area"]))))
        flags = tuple((flag, cleaned[flag]) for flag in FLAGS if cleaned.get(flag) is not None)
        return cls(
            sites=None if sites is None else tuple(sorted(sites)),
            values=tuple(values),
            flags=flags,
            themes_by=_themes_by(values, flags),
        )

    def theme_where(self, first: date, last: date) -> tuple[str, list[Any]]:
        assert self.themes_by is not None
        dimension, allowed = self.themes_by
        parts = ["t.day >= %s", "t.day <= %s", "t.notes <> 0", "t.dimension = %s", "t.value = ANY(%s)"]
        params: list[Any] = [first, last, dimension, list(allowed)]
        if self.sites is not None:
            parts.append("t.site_id = ANY(%s)")
            params.append(list(self.sites))
        return " AND ".join(parts), params

    def where(self, first: date, last: date, alias: str = "t") -> tuple[str, list[Any]]:
        """The condition (and its parameters) on a roll-up's rows for the days ``[first, last]``."""
        parts = [f"{alias}.day >= %s", f"{alias}.day <= %s", f"{alias}.notes <> 0"]
        params: list[Any] = [first, last]
        if self.sites is not None:
            parts.append(f"{alias}.site_id = ANY(%s)")
            params.append(list(self.sites))
        for column, allowed in self.values:
            parts.append(f"{alias}.{column} = ANY(%s)")
            params.append(list(allowed))
        for flag, value in self.flags:
            parts.append(f"{alias}.{flag} = %s")
            params.append(value)
        return " AND ".join(parts), params


def _themes_by(
    values: list[tuple[str, tuple[Any, ...]]], flags: tuple[tuple[str, bool], ...]
) -> tuple[str, tuple[str, ...]] | None:
    if len(values) + len(flags) > 1:
        return None
    if values:
        column, allowed = values[0]
        return column.removesuffix("_id"), tuple(str(value) for value in allowed)
    if flags:
        flag, value = flags[0]
        return flag, ("true" if value else "false",)
    return "", ("",)


def tally(scope: Scope, *, first: date, last: date, dimensions: tuple[str, ...]) -> dict[str, list[tuple[Any, int]]]:
    """What ``figures.tally`` returns for the raw notes, from ``insights_dailytally``."""
    where, params = scope.where(first, last)
    inner = f"SELECT {', '.join(dimensions)}, day, notes FROM {TALLY} t WHERE {where}"
    return _grouped(inner, params, dimensions)


def _grouped(inner: str, params: list[Any], dimensions: tuple[str, ...]) -> dict[str, list[tuple[Any, int]]]:
    columns = ", ".join(dimensions)
    sets = ", ".join(f"({column})" for column in dimensions)
    sql = (
        f"SELECT {columns}, day, GROUPING({columns}, day), sum(notes) FROM ({inner}) AS q "
        f"GROUP BY GROUPING SETS ({sets}, (day), ())"
    )
    names = [*dimensions, "day"]
    everything = (1 << len(names)) - 1
    by_mask = {everything - (1 << (len(names) - 1 - i)): name for i, name in enumerate(names)}
    result: dict[str, list[tuple[Any, int]]] = {name: [] for name in names}
    result["total"] = [(None, 0)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            mask, n = row[-2], int(row[-1] or 0)
            if mask == everything:
                result["total"] = [(None, n)]
            elif mask in by_mask:
                name = by_mask[mask]
                result[name].append((row[names.index(name)], n))
    for name in dimensions:
        result[name].sort(key=lambda item: (-item[1], str(item[0])))
    return result


def total(scope: Scope, *, first: date, last: date) -> int:
    where, params = scope.where(first, last)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(sum(notes), 0) FROM {TALLY} t WHERE {where}", params)
        return int(cursor.fetchone()[0])


def themes(scope: Scope, *, first: date, last: date, since: date) -> list[tuple[int, int, int]]:
    """(theme, notes in ``[first, last]``, notes in ``[since, first)``) of the accepted themes,
    as ``figures._themes`` counts them from the notes; only for a scope with ``themes_too``."""
    assert scope.themes_too
    where, params = scope.theme_where(since, last)
    sql = (
        f"SELECT t.theme_id, coalesce(sum(t.notes) FILTER (WHERE t.day >= %s), 0), "
        f"coalesce(sum(t.notes) FILTER (WHERE t.day < %s), 0) "
        f"FROM {THEME_TALLY} t JOIN insights_theme th ON th.id = t.theme_id AND th.status = 'accepted' "
        f"WHERE {where} GROUP BY t.theme_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [first, first, *params])
        return [(pk, int(now), int(before)) for pk, now, before in cursor.fetchall()]
