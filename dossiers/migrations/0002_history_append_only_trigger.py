"""Refuse UPDATE and DELETE of dossier history rows in PostgreSQL itself, so that raw SQL from the
application cannot rewrite history.

This trigger and the unkeyed hash chain do NOT stop a database superuser: with the trigger bypassed
(``session_replication_role = replica``, ``DISABLE TRIGGER``) rows can be changed and re-hashed,
or deleted, and the chain still verifies. What detects that is migration 0006 and
``dossiers.checkpoints``: signed, time-stamped checkpoints of every chain head, TRUNCATE refused,
and an application role that owns no table (README, "Database roles")."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION dossiers_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dossier history is append-only (%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS dossiers_event_append_only ON dossiers_dossierevent;
CREATE TRIGGER dossiers_event_append_only BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION dossiers_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS dossiers_event_append_only ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS dossiers_event_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
