"""The scale-out job's worker part (issue 19): the PDF worker (``-Q pdf``, as compose runs it) is
restarted in the middle of a render, with the files in the object store (a real SeaweedFS).

A cold shutdown (SIGQUIT, what an orchestrator's stop-timeout ends in) stops the task half-way;
the task was acknowledged late, so the broker gets it back when the worker closes its channel
(kombu's Redis QoS restores unacked messages) and the next worker renders the form: rendered
once (0 lost, 0 duplicate renders), the stored object's SHA-256 is the one recorded.

"Half-way" must be certain, not raced: on a fast machine a 40-dossier book rendered between the
log line saying the task was received and the signal. The cold-shutdown test renders a book of
200 dossiers (seconds of WeasyPrint layout) and signals once WeasyPrint's own log shows the layout
under way. The SIGKILL test holds the form's row lock instead, so the worker renders and stores
the PDF and then waits to record it (``printing.render_form`` takes the lock last: the worst
moment to die, a stored object no row points at yet), and is killed while PostgreSQL shows it
blocked by the test's session. (A cold shutdown cannot be tested that way: the pool child blocked
in libpq outlives the SIGQUIT until the lock is released.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection, transaction

from dossiers.models import PrintedForm
from tests.celery_support import CeleryProcess, _answers_ping, purge_queue, wait_for, worker_env
from tests.dossiers.printed_support import name_world

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]


def _pdf_worker(
    env: dict[str, str], tag: str, queues: str = "pdf,default", concurrency: int = 1
) -> CeleryProcess:
    """A PDF worker as compose runs it, ready once it has run a ping task (stopped if it never
    does: no worker outlives its test)."""
    args = [
        "worker",
        "-Q",
        queues,
        "--hostname",
        f"pdf-{tag}-{os.getpid()}@%h",
        "-P",
        "prefork",
        "-c",
        str(concurrency),
        "-l",
        "INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    worker = CeleryProcess(args, env, f"pdf-{tag}")
    try:
        _answers_ping(env, worker, 60)
    except BaseException:
        worker.stop()
        raise
    return worker


@contextlib.contextmanager
def _render_held_at_its_record(form_pk: int) -> Iterator[None]:
    """Hold the printed form's row lock (``SELECT … FOR UPDATE`` in an open transaction): a worker
    rendering it stops at the lock, after the render and the upload, until the block ends."""
    with transaction.atomic():
        PrintedForm.objects.select_for_update().get(pk=form_pk)
        yield


def _a_worker_waits_for_us() -> bool:
    """True once another PostgreSQL session waits for a lock this session holds."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_stat_clear_snapshot()"
        )  # pg_stat_activity is snapshotted per transaction
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return cur.fetchone()[0] > 0


def _request_book(world) -> PrintedForm:
    """Ask for the agency's 2026 tracking book (form 07); queued when the transaction commits."""
    from dossiers import printing

    with transaction.atomic():
        return printing.request_tracking_book(
            agency=world.agency, start=date(2026, 1, 1), end=date(2026, 12, 31), actor=world.clerk
        )


def test_pdf_worker_restarted_mid_render_renders_the_form_once(
    s3_settings, seaweed, world, tmp_path
):
    name_world(world)
    for _ in range(200):  # a book of seconds of layout (see the module docstring)
        world.received()
    purge_queue()
    env = worker_env({**seaweed.env(), "EMAIL_FILE_PATH": str(tmp_path / "mail")})
    first = _pdf_worker(env, "a")
    try:
        book = _request_book(world)
        assert wait_for(
            lambda: all(
                line in first.log_path.read_text(errors="replace")
                for line in ("render_printed_form[", "Fetching and parsing")
            ),
            timeout=60,
            step=0.05,
            proc=first,
        ), first.log()
        os.kill(first.proc.pid, signal.SIGQUIT)  # cold shutdown of the whole worker mid-render
        first.proc.wait(timeout=30)
    finally:
        first.stop()
    assert PrintedForm.objects.get(pk=book.pk).state == "pending"
    second = _pdf_worker(env, "b")
    try:
        assert wait_for(
            lambda: PrintedForm.objects.get(pk=book.pk).state == "ready", timeout=180, proc=second
        ), second.log()
    finally:
        second.stop()
    book.refresh_from_db()
    assert book.rendered_generation == 1 and book.pages >= 1
    body = seaweed.client().get_object(Bucket=seaweed.bucket, Key=book.file.name)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == book.sha256
    assert body.startswith(b"%PDF")


def test_a_worker_killed_mid_render_has_its_form_rendered_by_another_within_a_minute(
    world, tmp_path
):
    """Issue 13: "after a worker is killed, its job waits for the stale sweep (16 min 45 s seen)".
    SIGKILL of the whole worker (main process and pool: nothing can give the message back), then
    another worker starts: the message a dead worker held comes back after BROKER_VISIBILITY_TIMEOUT
    (40 s; the live worker's keep-alive stops with it) and the restore sweep (every 5 s), with the
    production defaults, long before requeue_stale_forms (15 min). Rendered once all the same."""
    import time

    name_world(world)
    for _ in range(40):
        world.received()
    purge_queue()
    env = worker_env({"EMAIL_FILE_PATH": str(tmp_path / "mail")})
    book = _request_book(world)
    with _render_held_at_its_record(book.pk):  # mid-task for certain (see the module docstring)
        first = _pdf_worker(env, "k", concurrency=2)
        try:
            assert wait_for(_a_worker_waits_for_us, timeout=90, proc=first), first.log()
            first.kill()  # SIGKILL of the process group, as the OOM killer or a lost node
            killed = time.monotonic()
        finally:
            first.stop()
    assert PrintedForm.objects.get(pk=book.pk).state == "pending"
    second = _pdf_worker(env, "l")
    try:
        assert wait_for(
            lambda: PrintedForm.objects.get(pk=book.pk).state == "ready", timeout=90, proc=second
        ), second.log()
        took = time.monotonic() - killed
    finally:
        second.stop()
    print(f"killed worker's render done by the next one after {took:.1f} s")
    assert took < 60, took
    book.refresh_from_db()
    assert book.rendered_generation == 1 and book.pages >= 1


def test_a_worker_killed_mid_send_has_the_mail_sent_once_by_another_within_a_minute(tmp_path):
    """Issue 13: the notification a killed worker left ``sending`` waited for ``requeue_stuck``
    (NOTIFICATION_CLAIM_TIMEOUT, 10 min). The message comes back after the visibility timeout;
    the redelivered task takes over the dead worker's claim (older than the send timeout) and
    sends it: one mail, within a minute, with the production defaults."""
    import time

    from portal.core.outbox import outbox_enqueue
    from portal.notifications.models import Notification
    from tests.factories.dossiers import DossierFactory

    mail = tmp_path / "mail"
    mail.mkdir()
    dossier = DossierFactory(
        received=True, applicant=None, applicant_email="mai@example.vn", applicant_phone=""
    )
    purge_queue()
    env = worker_env(
        {
            "EMAIL_FILE_PATH": str(mail),
            "EMAIL_BACKEND": "tests.notifications.slow_backend.SlowFileBackend",
            "SLOW_MAIL_SECONDS": "8",
        }
    )
    first = _pdf_worker(env, "m", "notifications,default")
    try:
        with transaction.atomic():
            outbox_enqueue(
                "portal.notifications.tasks.send_dossier_event",
                kwargs={"dossier_id": dossier.pk, "event": "refused", "user_id": None},
                dedupe_key="killed-mid-send:1",
            )
        assert wait_for(
            lambda: Notification.objects.filter(state="sending").exists(), timeout=60, proc=first
        ), first.log()
        first.kill()
        killed = time.monotonic()
    finally:
        first.stop()
    assert Notification.objects.get().state == "sending"
    second = _pdf_worker({**env, "SLOW_MAIL_SECONDS": "0"}, "n", "notifications,default")
    try:
        assert wait_for(
            lambda: Notification.objects.filter(state="sent").exists(), timeout=90, proc=second
        ), second.log()
        took = time.monotonic() - killed
        time.sleep(2)
    finally:
        second.stop()
    print(f"killed worker's mail sent by the next one after {took:.1f} s")
    assert took < 60, took
    text = "".join(p.read_text(errors="replace") for p in mail.glob("*.log"))
    assert text.count("Message-ID:") == 1
