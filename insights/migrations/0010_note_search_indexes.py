"""Full-text search over notes (insights.search): one partial GIN index per note language on
``to_tsvector(<that language's configuration>, text)``, the exact expression the search query
uses, so PostgreSQL answers from the index. PostgreSQL only: SQLite searches without one."""

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


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in CONFIGS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS insight_fts_{language}")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: notes keep being logged while the index builds

    dependencies = [
        ("insights", "0009_following_mail_webhooks"),
        ("voc", "0007_redacted_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
