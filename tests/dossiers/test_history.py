"""The history is append-only and hash-chained; the verification command finds tampering."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from dossiers.models import GENESIS_HASH, AppendOnlyError, DossierEvent

pytestmark = pytest.mark.django_db


def test_rows_chain_to_each_other(world):
    dossier = world.examining()
    events = list(dossier.events.order_by("seq"))
    assert [(e.seq, e.action) for e in events] == [(1, "submit"), (2, "receive"), (3, "assign")]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert all(e.compute_hash() == e.hash for e in events)


def test_orm_cannot_change_or_delete_history(world):
    event = world.submitted().events.get()
    event.comment = "sửa"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        DossierEvent.objects.filter(pk=event.pk).update(comment="x")
    with pytest.raises(AppendOnlyError):
        DossierEvent.objects.filter(pk=event.pk).delete()


def test_database_refuses_raw_updates(world):
    event = world.submitted().events.get()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE dossiers_dossierevent SET comment = 'x' WHERE id = %s", [event.pk])


def _tamper(sql: str, params: list) -> None:
    """What a database superuser could still do: bypass the trigger."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_command_passes_on_intact_history(world, capsys):
    world.processed()
    call_command("verify_dossier_history")
    assert "OK: 1 dossier histories verified" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("sql", "seq", "reason"),
    [
        (
            "UPDATE dossiers_dossierevent SET comment = 'đã sửa' WHERE dossier_id = %s AND seq = 3",
            3,
            "row content changed",
        ),
        (
            "UPDATE dossiers_dossierevent SET to_status = 9 WHERE dossier_id = %s AND seq = 2",
            2,
            "row content changed",
        ),
        ("DELETE FROM dossiers_dossierevent WHERE dossier_id = %s AND seq = 2", 2, "missing row"),
        (
            "DELETE FROM dossiers_dossierevent WHERE dossier_id = %s AND seq = 5",
            5,
            "last row missing",
        ),
    ],
)
def test_command_reports_the_first_broken_row(world, capsys, sql, seq, reason):
    intact = world.processed()
    dossier = world.processed()
    _tamper(sql, [dossier.pk])
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("verify_dossier_history")
    out = capsys.readouterr().out
    assert f"BROKEN dossier={dossier.code} seq={seq}: {reason}" in out
    assert intact.code not in out
    call_command("verify_dossier_history", dossier=intact.code)
