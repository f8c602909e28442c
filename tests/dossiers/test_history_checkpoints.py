"""Issue 13 (High): the history's tamper-evidence survives a database superuser.

Each of the four attacks of the attack run, done as a superuser with the triggers bypassed
(``session_replication_role = replica``), and seen by the verification against the last signed,
time-stamped checkpoint: re-hashing a changed approver, deleting a whole history, deleting the
last row while setting the status back, and TRUNCATE. The chain alone passed the first three.
"""

from __future__ import annotations

import json

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from dossiers.checkpoints import create_checkpoint, records_from_files, verify_history
from dossiers.history import verify_dossier
from dossiers.models import DossierEvent, HistoryCheckpoint
from tests.signatures.conftest import _softhsm, pki_material, pki_rows  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sealed(pki_rows, world, tmp_path, settings):  # noqa: F811
    """A processed dossier and a checkpoint of it; the province's agency signs."""
    settings.HISTORY_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.PROVINCE_CODE = world.agency.province().code
    intact = world.processed()
    dossier = world.processed()
    checkpoint = create_checkpoint()
    assert checkpoint is not None and checkpoint.heads_count == 2
    assert verify_history() == ([], [])
    return intact, dossier


def _as_superuser(*statements: tuple[str, list]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for sql, params in statements:
            cursor.execute(sql, params)


def _rehash_from(dossier, seq: int, **changes) -> None:
    """What a superuser can do to an unkeyed chain: change a row, recompute every hash after it."""
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    prev = events[seq - 2].hash if seq > 1 else "0" * 64
    statements = []
    for event in events[seq - 1 :]:
        for name, value in changes.items():
            if event.seq == seq:
                setattr(event, name, value)
        event.prev_hash = prev
        event.hash = event.compute_hash()
        prev = event.hash
        statements.append(
            (
                "UPDATE dossiers_dossierevent SET actor_id = %s, to_user_id = %s, comment = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [
                    event.actor_id,
                    event.to_user_id,
                    event.comment,
                    event.prev_hash,
                    event.hash,
                    event.pk,
                ],
            )
        )
    _as_superuser(*statements)


def _broken(dossier=None) -> list[str]:
    chains, checkpoints = verify_history(dossier=dossier)
    return [f"{b.dossier_id}:{b.seq}:{b.reason}" for b in chains] + [
        f"cp{b.number}:{b.reason}" for b in checkpoints
    ]


def test_rehashed_approver_is_detected(sealed, world):
    intact, dossier = sealed
    approve = dossier.events.get(action="approve")
    _rehash_from(dossier, approve.seq, actor_id=world.specialist.pk)
    assert verify_dossier(dossier) is None  # the chain alone is fooled
    assert _broken() == [
        f"{dossier.pk}:{dossier.events.order_by('-seq').first().seq}:hash differs from the signed checkpoint (re-hashed history)"
    ]


def test_a_deleted_whole_history_is_detected(sealed):
    intact, dossier = sealed
    _as_superuser(("DELETE FROM dossiers_dossierevent WHERE dossier_id = %s", [dossier.pk]))
    assert _broken() == [f"{dossier.pk}:1:history deleted (the checkpoint has rows)"]


def test_a_submitted_dossier_without_rows_is_detected_even_before_a_checkpoint(world, settings):
    dossier = world.received()
    _as_superuser(("DELETE FROM dossiers_dossierevent WHERE dossier_id = %s", [dossier.pk]))
    assert _broken() == [f"{dossier.pk}:1:no submission row (history deleted?)"]
    with pytest.raises(CommandError, match="1 of 1"):
        call_command("verify_dossier_history")


def test_deleting_the_last_row_and_setting_the_status_back_is_detected(sealed):
    intact, dossier = sealed
    last = dossier.events.order_by("-seq").first()
    _as_superuser(
        ("DELETE FROM dossiers_dossierevent WHERE id = %s", [last.pk]),
        ("UPDATE dossiers_dossier SET status = %s WHERE id = %s", [last.from_status, dossier.pk]),
    )
    dossier.refresh_from_db()
    assert verify_dossier(dossier) is None  # the chain alone is fooled
    assert _broken() == [
        f"{dossier.pk}:{last.seq}:rows after {last.seq - 1} deleted (the checkpoint has {last.seq})"
    ]


def test_truncate_is_refused_and_detected_when_forced(sealed):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL dossiers.allow_truncate = off")
        cursor.execute("TRUNCATE dossiers_dossierevent CASCADE")
    for table in ("dossiers_historycheckpoint", "dossiers_historycheckpointhead"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET LOCAL dossiers.allow_truncate = off")
            cursor.execute(f"TRUNCATE {table} CASCADE")
    _as_superuser(
        ("TRUNCATE dossiers_dossierevent CASCADE", [])
    )  # as an attacker would (other tables reference it)
    intact, dossier = sealed
    assert sorted(_broken()) == sorted(
        [
            f"{intact.pk}:1:history deleted (the checkpoint has rows)",
            f"{dossier.pk}:1:history deleted (the checkpoint has rows)",
        ]
    )


def test_checkpoints_are_append_only_and_a_forged_one_fails_its_seal(sealed):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        HistoryCheckpoint.objects.update(heads_count=0)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM dossiers_historycheckpointhead")
    # a superuser rewrites a head to hide a re-hash: the signed statement no longer matches
    intact, dossier = sealed
    _as_superuser(
        (
            "UPDATE dossiers_historycheckpointhead SET hash = %s WHERE dossier_id = %s",
            ["f" * 64, intact.pk],
        )
    )
    assert "cp1:heads do not match the signed statement" in _broken()


def test_the_export_file_outlives_deleted_checkpoints(sealed, tmp_path):
    intact, dossier = sealed
    files = sorted((tmp_path / "checkpoints").glob("checkpoint-*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text())["heads"]
    _as_superuser(
        ("DELETE FROM dossiers_historycheckpointhead", []),
        ("DELETE FROM dossiers_historycheckpoint", []),
        ("DELETE FROM dossiers_dossierevent WHERE dossier_id = %s", [dossier.pk]),
    )
    chains, _ = verify_history(records=records_from_files(files))
    assert [b.reason for b in chains] == ["history deleted (the checkpoint has rows)"]
    with pytest.raises(CommandError):
        call_command("verify_dossier_history", checkpoints=str(tmp_path / "checkpoints"))


def test_the_command_makes_an_incremental_checkpoint(sealed, world, capsys):
    call_command("checkpoint_history")
    assert "No history moved" in capsys.readouterr().out
    world.submitted()
    call_command("checkpoint_history")
    assert "Checkpoint 2: 1 heads" in capsys.readouterr().out
    call_command("verify_dossier_history")
    assert "OK: 3 dossier histories verified" in capsys.readouterr().out
    assert settings.CELERY_BEAT_SCHEDULE["checkpoint-history"]["schedule"] <= 3600


@pytest.fixture
def app_role(db):
    """The application's role as docker/postgres/10-roles.sh creates it: owns nothing, may use the tables."""
    name = f"portal_app_{connection.settings_dict['NAME']}"[:60]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE ROLE "{name}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
        cursor.execute(
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{name}"'
        )
        cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{name}"')
    settings.DATABASE_APP_ROLE = name
    from importlib import import_module

    migration = import_module("dossiers.migrations.0010_history_checkpoints")
    from django.db import connection as conn

    with conn.schema_editor() as editor:
        migration.forwards(None, editor)
    yield name


def test_the_application_role_cannot_rewrite_history_or_bypass_triggers(app_role, world):
    dossier = world.submitted()
    for sql in (
        "SET session_replication_role = replica",
        "ALTER TABLE dossiers_dossierevent DISABLE TRIGGER ALL",
        f"UPDATE dossiers_dossierevent SET comment = 'x' WHERE dossier_id = {dossier.pk}",
        "DELETE FROM dossiers_historycheckpoint",
        "TRUNCATE dossiers_dossierevent",
    ):
        with (
            pytest.raises((DatabaseError, psycopg2.Error)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f'SET LOCAL ROLE "{app_role}"')
            cursor.execute("SET LOCAL dossiers.allow_truncate = off")
            cursor.execute(sql)
    with transaction.atomic(), connection.cursor() as cursor:  # but it may append
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        cursor.execute("SELECT count(*) FROM dossiers_dossierevent")


def test_the_application_role_makes_checkpoints(app_role, pki_rows, world, tmp_path, settings):  # noqa: F811
    settings.HISTORY_CHECKPOINT_DIR = str(tmp_path)
    settings.PROVINCE_CODE = world.agency.province().code
    world.submitted()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        checkpoint = create_checkpoint()
    assert checkpoint.number == 1
    assert verify_history() == ([], [])
