"""The Celery application: workers render PDFs, send notifications, scan deadlines, deliver documents."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A live worker keeps its unacknowledged messages from being handed out again, so the broker's
# visibility timeout can be short and a killed worker's tasks run again within a minute (issue 13).
from portal.broker import KeepAlive  # noqa: E402

app.steps["consumer"].add(KeepAlive)
