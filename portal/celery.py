"""The Celery application: workers render PDFs, send notifications, scan deadlines, deliver documents."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A live worker keeps its unacknowledged messages from being handed out again, so the broker's
# visibility timeout can be short and a killed worker's tasks run again within a minute (issue 13).
from portal.broker import KeepAlive  # noqa: E402

app.steps["consumer"].add(KeepAlive)


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(**kwargs: object) -> None:
    """What Django does around a request: drop the connections that failed or are older than
    CONN_MAX_AGE, keep the others (CELERY_DB_REUSE_MAX stops the fixup closing them all)."""
    task = kwargs.get("task") or kwargs.get("sender")
    if getattr(getattr(task, "request", None), "is_eager", False):
        return  # an eager task runs inside its caller's transaction
    from django.db import close_old_connections

    close_old_connections()
