"""Full-text search over notes (insights.search): one partial GIN index per note language on
``to_tsvector(<that language's configuration>, text)``, the exact expression the search query
uses, so PostgreSQL answers from the index, and statistics on those expressions for the
planner. PostgreSQL only: SQLite searches without them."""

from django.db import migrations

# language -> configuration, as insights.search.services.CONFIGS (copied: a migration is frozen)
CONFIGS = {"en": "english", "es": "spanish", "gl": "spanish"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("voc", "Insight")._meta.db_table
    for language, config in CONFIGS.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS insight_fts_{language} ON {table} "
            f"USING gin (to_tsvector('{config}'::regconfig, text)) WHERE language = '{language}'"
        )
    if schema_editor.connection.pg_version >= 140000:
        # Statistics of the expressions (a partial index's are not used for estimates): without
        # them the planner guesses 0.5 % of notes match any word and picks slow plans.
        for config in sorted(set(CONFIGS.values())):
            schema_editor.execute(
                f"CREATE STATISTICS IF NOT EXISTS insight_fts_{config}_stats "
                f"ON (to_tsvector('{config}'::regconfig, text)) FROM {table}"
            )
        schema_editor.execute(f"ANALYZE {table}")  # a sample: about a second at a million notes


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in CONFIGS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS insight_fts_{language}")
    for config in sorted(set(CONFIGS.values())):
        schema_editor.execute(f"DROP STATISTICS IF EXISTS insight_fts_{config}_stats")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: notes keep being logged while the index builds

    dependencies = [
        ("insights", "0009_following_mail_webhooks"),
        ("voc", "0007_redacted_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
