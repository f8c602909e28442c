"""Settings for ``bench/dvcqg_sync.py``: the portal's own, with the DVCQG adapter's tasks (and the
relays that feed them) on a queue of their own, so the bench's workers run the sync only. The
notifications and printed forms the same dossier services enqueue go to the default queue, which
no bench worker consumes (the script purges it)."""

from portal.settings import *  # noqa: F403

CELERY_TASK_ROUTES = {
    "national.dvcqg.tasks.*": {"queue": "dvcqg"},
    "portal.core.tasks.relay_outbox": {"queue": "dvcqg"},
}
