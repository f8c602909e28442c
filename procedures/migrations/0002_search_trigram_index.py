"""Trigram GIN index on ``Procedure.search_text`` so ``search_text LIKE '%token%'`` stays fast.

PostgreSQL only (pg_trgm); on SQLite (the zero-set-up demo) this migration does nothing.
"""

from django.db import migrations


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS procedures_procedure_search_trgm "
        "ON procedures_procedure USING gin (search_text gin_trgm_ops)"
    )


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS procedures_procedure_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [migrations.RunPython(_forward, _backward, elidable=False)]
