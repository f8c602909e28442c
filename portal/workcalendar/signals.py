"""Cache invalidation only: a declared day changed, so the calendar gets a new revision.

The per-year day sets are cached under a key that contains :attr:`WorkCalendar.revision`; giving
the calendar a new revision makes every process read the year again. This lives in a signal so
that the admin inline, the services and the shell all invalidate alike.
"""

from __future__ import annotations

from typing import Any

from .models import DeclaredDay, WorkCalendar, new_revision


def bump_revision(sender: type[DeclaredDay], instance: DeclaredDay, **kwargs: Any) -> None:
    revision = new_revision()
    WorkCalendar.objects.filter(pk=instance.calendar_id).update(revision=revision)
    field = DeclaredDay._meta.get_field("calendar")
    cached = field.get_cached_value(instance, default=None)
    if isinstance(cached, WorkCalendar):
        cached.revision = revision
