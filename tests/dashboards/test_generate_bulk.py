"""The fast paths of generate_province change nothing but the time: the facts it writes are the ones
the summary builds from the dossiers, the set-based rebuild of the monthly counters gives the Python
rule's rows, the indexes and foreign keys set aside during a big load come back identical, and a load
that fails leaves neither rows nor a changed schema behind."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.models import Sum

from dashboards import summary
from dashboards.dev.generator import Generator
from dashboards.models import (
    COUNTER_FIELDS,
    AgencyMonthStat,
    DossierFact,
    ProcedureMonthStat,
    ProcedureTimeMonth,
    ProvinceMonthStat,
    SectorMonthStat,
)
from dossiers.models import Dossier, SupplementRequest
from portal.agencies.models import Agency
from signatures.models import SignedDocument

pytestmark = pytest.mark.django_db(transaction=True)


def _schema() -> tuple[list, list]:
    """Every index and constraint of the database, with its definition and state."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"
        )
        indexes = cur.fetchall()
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, condeferred, convalidated "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        return indexes, cur.fetchall()


def _facts_as_stored() -> dict[int, tuple]:
    return {row[0]: row for row in DossierFact.objects.values_list(*summary.STORED_FACT_FIELDS)}


def _facts_as_built() -> dict[int, tuple]:
    return {
        row[0]: row for row in summary.build_fact_rows(Dossier.objects.values_list("pk", flat=True))
    }


def _counter_tables() -> dict[str, list]:
    out = {}
    for model in (
        ProcedureMonthStat,
        SectorMonthStat,
        AgencyMonthStat,
        ProvinceMonthStat,
        ProcedureTimeMonth,
    ):
        names = [f.name for f in model._meta.concrete_fields if f.name != "id"]
        out[model.__name__] = sorted(model.objects.values_list(*names), key=repr)
    return out


def test_generated_facts_are_the_summary_rule_and_the_schema_comes_back():
    before = _schema()
    # small chunks: several COPY rounds in flight through the background stream
    first = Generator(dossiers=4000, years=2, agencies=20, procedures=30, seed=3, chunk=700).run()
    assert first["bulk_load"] is True and first["dossiers"] == 4000
    assert _schema() == before
    stored = _facts_as_stored()
    assert len(stored) == 4000 and stored == _facts_as_built()
    assert SupplementRequest.objects.filter(
        answered_at__isnull=True
    ).exists()  # an open pause made it through
    # a load smaller than what is there keeps the indexes (no rebuild of a big table for a few rows)
    second = Generator(dossiers=600, years=2, agencies=20, procedures=30, seed=3, chunk=250).run()
    assert second["bulk_load"] is False
    assert _schema() == before
    stored = _facts_as_stored()
    assert len(stored) == 4600 and stored == _facts_as_built()
    coded = Dossier.objects.filter(code__isnull=False)
    assert coded.count() > 4000 and coded.values("code").distinct().count() == coded.count()


def test_set_based_counters_equal_the_python_rule_table_for_table():
    call_command("generate_province", dossiers=4000, years=2, agencies=20, procedures=30, seed=9)
    # the generator signs no result: sign every fifth resolved dossier's, then rebuild from them
    SignedDocument.objects.bulk_create(
        SignedDocument(title="result", dossier_id=pk, sha256="0" * 64, token=f"bench-{pk}")
        for pk in Dossier.objects.filter(finished_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[::5]
    )
    call_command("refresh_dashboards", all=True)
    sums = ProcedureMonthStat.objects.aggregate(**{k: Sum(k) for k in COUNTER_FIELDS})
    assert all(sums[k] > 0 for k in COUNTER_FIELDS), sums  # every kind of event is exercised
    assert ProcedureTimeMonth.objects.exclude(hours_histogram={}).exists()
    by_sql = _counter_tables()
    summary.rebuild_months_python()
    summary.rebuild_snapshots()
    assert _counter_tables() == by_sql
    # and the full rebuild (refresh_dashboards --all) lands on the same facts and counters
    facts = _facts_as_stored()
    call_command("refresh_dashboards", all=True)
    assert _facts_as_stored() == facts
    assert _counter_tables() == by_sql


def test_a_failed_load_leaves_nothing_behind(monkeypatch):
    before = _schema()
    one = Generator._one

    def corrupting(self, pk, day, p, agency_id, out, *args):
        one(self, pk, day, p, agency_id, out, *args)
        if pk % 500 == 0:
            out.dossiers.append(
                "not\ta\tdossier\n"
            )  # PostgreSQL rejects the chunk in the COPY thread

    monkeypatch.setattr(Generator, "_one", corrupting)
    with pytest.raises(DatabaseError):
        Generator(dossiers=2000, years=1, agencies=10, procedures=10, seed=4, chunk=400).run()
    assert _schema() == before
    assert (
        not Dossier.objects.exists()
        and not DossierFact.objects.exists()
        and not Agency.objects.exists()
    )
