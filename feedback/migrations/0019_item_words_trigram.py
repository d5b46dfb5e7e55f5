"""Search by words (the staff queue's search box): on PostgreSQL a trigram index on the
upper-cased words, which is what Django's icontains compares (UPPER(words) LIKE UPPER(%s)),
so a search over a million items reads the index, not every row. Built CONCURRENTLY, so
postcards keep arriving while it builds. SQLite (`make run`) searches without it."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS item_words_trgm"
        " ON feedback_item USING gin (UPPER(words) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS item_words_trgm")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("feedback", "0018_saved_reply_service_and_search")]

    operations = [migrations.RunPython(create, drop)]
