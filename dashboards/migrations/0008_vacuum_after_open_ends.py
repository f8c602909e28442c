"""VACUUM ANALYZE the three monthly tables after 0007 filled their month-end snapshots: the fill
updates most rows, and until the old row versions are vacuumed every read of the counters visits
them too (measured at 1,000,000 dossiers with autovacuum off: 35k-76k dead rows per table). Outside
a transaction (VACUUM cannot run in one); PostgreSQL only; harmless to run again."""

from django.db import migrations

TABLES = ("dashboards_agencymonthstat", "dashboards_sectormonthstat", "dashboards_proceduremonthstat")


def vacuum(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql" or conn.in_atomic_block:
        return
    with conn.cursor() as cur:
        for table in TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("dashboards", "0007_month_end_open")]
    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop)]
