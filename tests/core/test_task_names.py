"""Every Celery task named by a string (beat schedule, outbox rows, event subscribers) is one the
worker has registered: a task module that moves keeps its registered ``name=`` (issue 12: the
printed forms and the reminders moved into dossiers under their old names), and a rename that
forgets a caller fails here instead of leaving messages no worker can run.
"""

from __future__ import annotations

from django.conf import settings


def _named_tasks() -> dict[str, str]:
    from dashboards import report_files, signals
    from documents import services as documents
    from dossiers import events, printing, reminders
    from dossiers import services as dossiers

    named = {f"beat {key}": entry["task"] for key, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    named |= {
        "printed forms": printing.RENDER_TASK,
        "dossier notifications": dossiers.NOTIFY_TASK,
        "reminders": reminders.SEND_TASK,
        "document delivery": documents.DELIVER_DOCUMENT_TASK,
        "status delivery": documents.DELIVER_STATUS_TASK,
        "dashboard reports": report_files.RENDER_TASK,
        "dashboard refresh": signals.REFRESH_TASK,
    }
    named |= {f"subscriber {name}": name for name in events.subscribers()}
    return named


def test_every_task_named_by_a_string_is_registered():
    from portal.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    named = _named_tasks()
    assert len(named) >= 13
    missing = {where: name for where, name in named.items() if name not in app.tasks}
    assert not missing, f"no registered task under these names: {missing}"


def test_the_moved_tasks_run_the_dossiers_code():
    from portal.celery import app

    app.loader.import_default_modules()
    for name in (
        "portal.pdf.tasks.render_printed_form",
        "portal.notifications.tasks.send_dossier_event",
        "portal.notifications.tasks.scan_deadlines",
        "portal.notifications.tasks.send_reminders",
        "portal.notifications.tasks.daily_digest",
        "portal.pdf.tasks.requeue_stale_forms",
    ):
        assert app.tasks[name].__module__ == "dossiers.tasks", name
