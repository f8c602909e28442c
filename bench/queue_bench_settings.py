"""Settings for ``bench/queue_latency.py --shared``: the portal's own with every task in ONE queue
(what the portal did before issue 19), to compare against the queues per workload."""

from kombu import Queue

from portal.settings import *  # noqa: F403

CELERY_TASK_ROUTES: dict = {}
CELERY_TASK_QUEUES = [Queue("default", routing_key="default")]
