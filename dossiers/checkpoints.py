"""Checkpoints that make the dossier history tamper-evident against a database superuser.

The hash chain (:mod:`dossiers.history`) is unkeyed SHA-256: whoever can bypass the append-only
trigger (``session_replication_role = replica``, ``DISABLE TRIGGER``) can change a row and re-hash
the rest, delete a whole history, or delete the last row and set the status back, and the chain
alone still verifies. A checkpoint fixes every chain head — (dossier id, last sequence number,
hash) — in a statement signed with the province's key and time-stamped by the TSA
(:mod:`signatures.sealing`), stored in append-only tables the application's role may only insert
into, and exported as a file outside the database (``HISTORY_CHECKPOINT_DIR``). Beat makes one at
least hourly (``HISTORY_CHECKPOINT_INTERVAL``), ``manage.py checkpoint_history`` on demand.

:func:`verify_history` then checks, for every dossier: the chain from its first row, that a
submitted dossier has its rows at all, that the last row leads to the current status, and that the
row at each checkpointed head still exists with the checkpointed hash — so re-hashing, deleting rows
or whole histories, and TRUNCATE are all detected up to the last checkpoint. Rows written after the
last checkpoint are protected by the chain and the triggers only: the checkpoint interval is the
window (NIST SP 800-92 §4.3.3 / ISO 27001 A.8.15: protect logs against tampering by
administrators; OWASP ASVS 4.0 V7.3.3 "log integrity").
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from .constants import DossierStatus
from .history import ChainBreak, verify_chain
from .models import Dossier, DossierEvent, HistoryCheckpoint, HistoryCheckpointHead

logger = logging.getLogger(__name__)

GENESIS_DIGEST = "0" * 64


@dataclass
class CheckpointRecord:
    """A checkpoint as read from the database or from an export file."""

    number: int
    statement: str
    digest: str
    signature: bytes
    certificate_pem: str
    timestamp_token: bytes
    heads: dict[int, tuple[int, str]] = field(default_factory=dict)


def _heads_digest(heads: Iterable[tuple[int, int, str]]) -> str:
    h = hashlib.sha256()
    for dossier_id, seq, digest in sorted(heads):
        h.update(f"{dossier_id}:{seq}:{digest}\n".encode())
    return h.hexdigest()


def _statement(
    *,
    number: int,
    created_at: dt.datetime,
    prev_digest: str,
    heads_digest: str,
    heads_count: int,
    dossiers_total: int,
) -> str:
    return json.dumps(
        {
            "kind": "dossier-history-checkpoint",
            "province": settings.PROVINCE_CODE,
            "number": number,
            "created_at": created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "prev_digest": prev_digest,
            "heads_digest": heads_digest,
            "heads_count": heads_count,
            "dossiers_total": dossiers_total,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def _recorded_heads() -> dict[int, int]:
    """The latest checkpointed sequence number of each dossier (sequence numbers only grow)."""
    return dict(
        HistoryCheckpointHead.objects.values("dossier_id")
        .annotate(top=Max("seq"))
        .values_list("dossier_id", "top")
    )


def create_checkpoint(*, export: bool = True) -> HistoryCheckpoint | None:
    """Record the heads of every chain that moved since the last checkpoint (None: none moved).

    The heads are read and the checkpoint written in one transaction under an advisory lock (two
    beat processes, or beat and the command, cannot interleave their numbers); signing and the TSA
    round trip happen inside it because the statement names the previous checkpoint."""
    from signatures.sealing import seal

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # not SELECT ... FOR UPDATE: that needs the UPDATE privilege the application's role lacks
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('dossiers.history_checkpoint'))"
                )
        last = HistoryCheckpoint.objects.order_by("-number").first()
        recorded = _recorded_heads()
        current = dict(
            DossierEvent.objects.values("dossier_id")
            .annotate(top=Max("seq"))
            .values_list("dossier_id", "top")
        )
        moved = {d: s for d, s in current.items() if recorded.get(d) != s}
        if not moved and last is not None:
            return None
        hashes: dict[int, str] = {}
        ids = list(moved)
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for dossier_id, seq, digest in DossierEvent.objects.filter(
                dossier_id__in=chunk
            ).values_list("dossier_id", "seq", "hash"):
                if moved[dossier_id] == seq:
                    hashes[dossier_id] = digest
        heads = [(d, moved[d], hashes[d]) for d in moved]
        number = (last.number + 1) if last else 1
        created_at = timezone.now()
        statement = _statement(
            number=number,
            created_at=created_at,
            prev_digest=last.digest if last else GENESIS_DIGEST,
            heads_digest=_heads_digest(heads),
            heads_count=len(heads),
            dossiers_total=len(current),
        )
        sealed = seal(statement.encode())
        checkpoint = HistoryCheckpoint.objects.create(
            number=number,
            created_at=created_at,
            prev_digest=last.digest if last else GENESIS_DIGEST,
            heads_digest=_heads_digest(heads),
            heads_count=len(heads),
            dossiers_total=len(current),
            statement=statement,
            digest=hashlib.sha256(statement.encode()).hexdigest(),
            signature=sealed.signature,
            certificate_pem=sealed.certificate_pem,
            timestamp_token=sealed.timestamp_token,
            timestamped_at=sealed.timestamped_at,
        )
        HistoryCheckpointHead.objects.bulk_create(
            [
                HistoryCheckpointHead(checkpoint=checkpoint, dossier_id=d, seq=s, hash=h)
                for d, s, h in heads
            ],
            batch_size=5000,
        )
    if export:
        export_checkpoint(checkpoint, heads)
    logger.info("history.checkpoint", extra={"number": number, "heads": len(heads)})
    return checkpoint


def export_dir() -> Path:
    return Path(settings.HISTORY_CHECKPOINT_DIR)


def export_checkpoint(checkpoint: HistoryCheckpoint, heads: list[tuple[int, int, str]]) -> Path:
    """Write the checkpoint, heads included, as a JSON file (copy it off the database server)."""
    directory = export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{checkpoint.number:08d}.json"
    payload = {
        "statement": checkpoint.statement,
        "digest": checkpoint.digest,
        "signature": base64.b64encode(bytes(checkpoint.signature)).decode(),
        "certificate_pem": checkpoint.certificate_pem,
        "timestamp_token": base64.b64encode(bytes(checkpoint.timestamp_token)).decode(),
        "heads": [[d, s, h] for d, s, h in sorted(heads)],
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=0), encoding="utf-8")
    tmp.replace(path)
    return path


def _records_from_db() -> list[CheckpointRecord]:
    records = []
    for cp in HistoryCheckpoint.objects.order_by("number"):
        heads = {d: (s, h) for d, s, h in cp.heads.values_list("dossier_id", "seq", "hash")}
        records.append(
            CheckpointRecord(
                cp.number,
                cp.statement,
                cp.digest,
                bytes(cp.signature),
                cp.certificate_pem,
                bytes(cp.timestamp_token),
                heads,
            )
        )
    return records


def records_from_files(paths: Iterable[Path]) -> list[CheckpointRecord]:
    records = []
    for path in paths:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        statement = payload["statement"]
        records.append(
            CheckpointRecord(
                json.loads(statement)["number"],
                statement,
                payload["digest"],
                base64.b64decode(payload["signature"]),
                payload["certificate_pem"],
                base64.b64decode(payload["timestamp_token"]),
                {int(d): (int(s), h) for d, s, h in payload["heads"]},
            )
        )
    return sorted(records, key=lambda r: r.number)


@dataclass(frozen=True)
class CheckpointBreak:
    number: int
    reason: str


def verify_checkpoints(records: list[CheckpointRecord]) -> list[CheckpointBreak]:
    """Each checkpoint's seal, its heads against its statement, and the chain of checkpoints."""
    from signatures.sealing import check_seal

    breaks = []
    previous = None
    for record in records:
        statement = json.loads(record.statement)
        reason = None
        if hashlib.sha256(record.statement.encode()).hexdigest() != record.digest:
            reason = "digest does not match the statement"
        elif statement.get("heads_digest") != _heads_digest(
            (d, s, h) for d, (s, h) in record.heads.items()
        ):
            reason = "heads do not match the signed statement"
        elif previous is not None and statement.get("number") != previous.number + 1:
            reason = f"checkpoint {previous.number + 1} missing"
        elif (
            previous is None
            and statement.get("number") == 1
            and statement.get("prev_digest") != GENESIS_DIGEST
        ):
            reason = "the first checkpoint does not start the chain"
        elif previous is not None and statement.get("prev_digest") != previous.digest:
            reason = "does not follow the previous checkpoint"
        else:
            reason = check_seal(
                record.statement.encode(),
                signature=record.signature,
                certificate_pem=record.certificate_pem,
                timestamp_token=record.timestamp_token,
            )
        if reason:
            breaks.append(CheckpointBreak(record.number, reason))
        previous = record
    return breaks


def verify_history(
    *, records: list[CheckpointRecord] | None = None, dossier: Dossier | None = None
) -> tuple[list[ChainBreak], list[CheckpointBreak]]:
    """Every dossier's history against its chain and the checkpoints (database ones by default).

    Returns the broken chains (one per dossier, its first break) and the broken checkpoints."""
    if records is None:
        records = _records_from_db()
    checkpoint_breaks = verify_checkpoints(records)
    expected: dict[int, tuple[int, str]] = {}
    for record in records:  # later checkpoints supersede earlier heads
        expected.update(record.heads)
    dossiers = Dossier.objects.all() if dossier is None else Dossier.objects.filter(pk=dossier.pk)
    breaks: list[ChainBreak] = []
    seen: set[int] = set()
    for d in dossiers.order_by("pk").iterator(chunk_size=500):
        seen.add(d.pk)
        broken = _verify_one(d, expected.get(d.pk))
        if broken is not None:
            breaks.append(broken)
    if dossier is None:
        for dossier_id in sorted(set(expected) - seen):
            breaks.append(
                ChainBreak(
                    dossier_id,
                    "",
                    expected[dossier_id][0],
                    "dossier deleted (its checkpointed history is gone)",
                )
            )
    return breaks, checkpoint_breaks


def _verify_one(dossier: Dossier, head: tuple[int, str] | None) -> ChainBreak | None:
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    code = dossier.code or ""
    if not events:
        if head is not None:
            return ChainBreak(dossier.pk, code, 1, "history deleted (the checkpoint has rows)")
        if dossier.status != DossierStatus.DRAFT:
            return ChainBreak(dossier.pk, code, 1, "no submission row (history deleted?)")
        return None
    broken = verify_chain(events, dossier)
    if broken is not None:
        return broken
    if head is not None:
        seq, digest = head
        if len(events) < seq:
            return ChainBreak(
                dossier.pk,
                code,
                len(events) + 1,
                f"rows after {len(events)} deleted (the checkpoint has {seq})",
            )
        if events[seq - 1].hash != digest:
            return ChainBreak(
                dossier.pk, code, seq, "hash differs from the signed checkpoint (re-hashed history)"
            )
    if events[-1].to_status != dossier.status:
        return ChainBreak(
            dossier.pk, code, events[-1].seq + 1, "last row missing (status does not match)"
        )
    return None


def _task():  # registered lazily so that importing this module needs no Celery app
    from celery import shared_task

    @shared_task(name="dossiers.checkpoints.checkpoint_history", acks_late=True, ignore_result=True)
    def checkpoint_history() -> int | None:
        """Beat's hourly checkpoint (idempotent: nothing moved, nothing written)."""
        checkpoint = create_checkpoint()
        return checkpoint.number if checkpoint else None

    return checkpoint_history


checkpoint_history = _task()
