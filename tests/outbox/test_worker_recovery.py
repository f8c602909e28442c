"""Issue 13 (Low): "when Redis turned replica the worker exited for good; after a worker is killed
its job waits for the stale sweep: recover within a minute".

A real worker against a real ``redis-server`` of the test's own (tests.scale.servers.RedisServer,
a free loopback port: the suite's shared Redis is never turned replica):

* the broker is turned replica (``REPLICAOF`` a master that is not there: the data stays, every
  write answers ``READONLY``, the blocked ``BRPOP`` gets ``UNBLOCKED``): before
  ``portal.broker`` the worker process died of the ``ResponseError``; now it waits with
  back-off and, once ``REPLICAOF NO ONE`` makes it a master again, takes tasks within a minute;
* a live worker keeps a long task's message invisible however short the visibility timeout
  (``KeepAlive``): with 4 s and a 12 s send the message is never handed out again and one mail
  leaves.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import transaction

from portal.core.outbox import outbox_enqueue
from tests.celery_support import _answers_ping, broker, celery_worker, wait_for, worker_env
from tests.factories.dossiers import DossierFactory
from tests.scale.servers import RedisServer, free_port

pytestmark = [pytest.mark.celery, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis():
    with RedisServer() as server, broker(server.url()):
        yield server


def test_the_broker_connection_treats_a_replica_as_a_lost_broker():
    """READONLY on an open connection and a replica at connect are connection errors (which the
    consumer reconnects from), not ResponseError (which ended it)."""
    import redis

    from portal.broker import MasterConnection

    with RedisServer() as server:
        pool = redis.ConnectionPool(connection_class=MasterConnection, port=server.port)
        client = redis.Redis(connection_pool=pool, retry=None)
        assert client.set("k", 1)
        server.client().execute_command("REPLICAOF", "127.0.0.1", str(free_port()))
        with pytest.raises(redis.ConnectionError, match="no longer a master|is a replica"):
            client.set("k", 2)
        fresh = redis.Redis(
            connection_pool=redis.ConnectionPool(
                connection_class=MasterConnection, port=server.port
            ),
            retry=None,
        )
        with pytest.raises(redis.ConnectionError, match="the broker is a replica"):
            fresh.ping()
        server.client().execute_command("REPLICAOF", "NO", "ONE")
        assert fresh.set("k", 3) and client.get("k") == b"3"


def test_a_broker_turned_replica_and_back_does_not_end_the_worker(own_redis, tmp_path):
    env = {"REDIS_URL": own_redis.url(), "EMAIL_FILE_PATH": str(tmp_path)}
    with celery_worker(env=env, concurrency=1) as worker:
        nobody = free_port()  # a master that does not exist: the replica keeps its data, read-only
        assert own_redis.client().execute_command("REPLICAOF", "127.0.0.1", str(nobody)) == b"OK"
        time.sleep(8)  # the blocked BRPOP was unblocked, reconnects meet a replica
        assert worker.proc.poll() is None, f"the worker exited:\n{worker.log()}"
        log = worker.log_path.read_text(errors="replace")
        assert "the broker is a replica" in log or "no longer a master" in log, log[-3000:]

        assert own_redis.client().execute_command("REPLICAOF", "NO", "ONE") == b"OK"
        back = time.monotonic()
        _answers_ping(worker_env(env), worker, 60)  # fails at once if the worker process died
        assert time.monotonic() - back < 60
        assert worker.proc.poll() is None


def test_a_live_workers_long_task_is_not_handed_out_again(own_redis, tmp_path):
    """BROKER_VISIBILITY_TIMEOUT=4 and a send of 12 s: without the keep-alive the restore sweep
    (every 5 s) would put the message back in the queue while the worker still runs it."""
    mail = tmp_path / "mail"
    mail.mkdir()
    env = {
        "REDIS_URL": own_redis.url(),
        "EMAIL_FILE_PATH": str(mail),
        "EMAIL_BACKEND": "tests.notifications.slow_backend.SlowFileBackend",
        "SLOW_MAIL_SECONDS": "12",
        "BROKER_VISIBILITY_TIMEOUT": "4",
        "BROKER_KEEPALIVE_INTERVAL": "1",
    }
    dossier = DossierFactory(
        received=True, applicant=None, applicant_email="mai@example.vn", applicant_phone=""
    )
    from portal.notifications.models import Notification

    r = own_redis.client()
    with celery_worker(env=env, concurrency=1) as worker:
        with transaction.atomic():
            outbox_enqueue(
                "portal.notifications.tasks.send_dossier_event",
                kwargs={"dossier_id": dossier.pk, "event": "refused", "user_id": None},
                dedupe_key="keepalive:1",
            )
        assert wait_for(
            lambda: Notification.objects.filter(state="sending").exists(), timeout=30, proc=worker
        ), worker.log()
        time.sleep(9)  # twice the visibility timeout, one restore sweep at least
        assert r.hlen("unacked") == 1, "the message left the worker's hands"
        queued = sum(r.llen(k) for k in r.keys("*") if r.type(k) == b"list")
        assert queued == 0, "the running task's message was put back in a queue"
        assert wait_for(
            lambda: Notification.objects.filter(state="sent").exists(), timeout=30, proc=worker
        ), worker.log()
    text = "".join(p.read_text(errors="replace") for p in Path(mail).glob("*.log"))
    assert text.count("Message-ID:") == 1
    log = worker.log_path.read_text(errors="replace")
    assert log.count("Task portal.notifications.tasks.send_dossier_event[") == 2, log[-3000:]
