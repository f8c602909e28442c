"""The in-progress snapshot at any moment T reads the dossiers open at T through a GiST index on
the half-open interval (received_at, exit_at] (PostgreSQL only; SQLite scans, fine for the demo)."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS fact_open_range ON dashboards_dossierfact USING gist "
    "(tstzrange(received_at, exit_at, '(]')) WHERE received_at IS NOT NULL"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS fact_open_range")


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
