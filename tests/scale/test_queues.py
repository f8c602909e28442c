"""Celery queues per workload (issue 19): every task has its queue, routed by name, and a message
sent by the portal lands in that queue on the real Redis broker."""

from __future__ import annotations

import redis
from django.conf import settings

from portal import scaleout
from portal.celery import app

EXPECTED = {
    "portal.core.tasks.relay_outbox": "intake",
    "portal.pdf.tasks.render_printed_form": "pdf",
    "portal.pdf.tasks.requeue_stale_forms": "pdf",
    "signatures.tasks.sign_document_task": "signing",
    "portal.notifications.tasks.deliver": "notifications",
    "portal.notifications.tasks.send_dossier_event": "notifications",
    "portal.notifications.tasks.scan_deadlines": "notifications",
    "portal.notifications.tasks.send_reminders": "notifications",
    "documents.tasks.deliver_document": "exchange",
    "documents.tasks.deliver_status": "exchange",
    "dashboards.tasks.render_report": "reports",
    "dashboards.tasks.refresh_summaries": "reports",
}


def _queue_of(name: str) -> str:
    route = app.amqp.router.route({}, name)
    return route["queue"].name


def test_every_portal_task_routes_to_a_workload_queue():
    app.loader.import_default_modules()
    ours = sorted(n for n in app.tasks if not n.startswith("celery."))
    assert set(EXPECTED) <= set(ours), sorted(set(EXPECTED) - set(ours))
    for name in ours:
        queue = _queue_of(name)
        assert queue in scaleout.ALL_QUEUES, (name, queue)
        if name != "portal.core.tasks.ping":
            assert queue != "default", (
                f"{name} has no workload queue: add it to portal.scaleout.TASK_ROUTES"
            )
    for name, queue in EXPECTED.items():
        assert _queue_of(name) == queue, name


def test_a_worker_without_q_consumes_every_queue():
    """The demo's single worker (and the tests' workers) start without -Q: Celery then consumes
    every queue in ``task_queues``."""
    assert {q.name for q in settings.CELERY_TASK_QUEUES} == set(scaleout.ALL_QUEUES)
    assert set(app.amqp.queues) >= set(scaleout.ALL_QUEUES)


def test_messages_land_in_their_queue_on_the_broker():
    r = redis.Redis.from_url(settings.REDIS_URL)
    for queue in ("pdf", "notifications", "reports"):
        r.delete(queue)
    app.send_task("portal.pdf.tasks.render_printed_form", kwargs={"form_id": 0, "generation": 0})
    app.send_task("portal.notifications.tasks.deliver", args=[0])
    app.send_task("dashboards.tasks.render_report", kwargs={"report_id": 0})
    try:
        assert r.llen("pdf") == 1
        assert r.llen("notifications") == 1
        assert r.llen("reports") == 1
    finally:
        for queue in ("pdf", "notifications", "reports"):
            r.delete(queue)
