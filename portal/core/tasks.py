"""Housekeeping tasks of the site shell."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="portal.core.tasks.ping", ignore_result=True)
def ping() -> str:
    """Prove that a worker consumes the queue: write the time to ``VAR_DIR/heartbeat/worker``.

    ``scripts/run-demo.sh`` sends one at start-up and waits for the file, so a broken broker
    or a worker that never starts is noticed at once instead of when the first PDF is due.
    """
    folder = settings.VAR_DIR / "heartbeat"
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.now().isoformat()
    (folder / "worker").write_text(now, encoding="utf-8")
    logger.info("core.ping", extra={"at": now})
    return "pong"


@shared_task(name="portal.core.tasks.relay_outbox", ignore_result=True)
def relay_outbox(batch: int = 200) -> int:
    """Beat task: publish the outbox messages the on-commit attempt could not (broker down, crash)."""
    from portal.core.outbox import relay_outbox as relay

    return relay(batch=batch)
