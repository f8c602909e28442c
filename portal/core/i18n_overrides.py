"""Messages whose translations from Django itself (or a library) are wrong for this portal.

The project catalogue (``locale/``, ``LOCALE_PATHS``) takes precedence over every app's catalogue,
Django's own included, so a msgid listed here and translated in ``locale/vi`` replaces, e.g., the
admin's Vietnamese "Bản ghi nhớ" (a memorandum) for "History" with "Lịch sử" on every page that
says "History" (issue 14: "Bản ghi nhớ" for history). Listing them here keeps ``makemessages
--no-obsolete`` from dropping them, as they appear nowhere else in the project's own sources.
"""

from django.utils.translation import gettext_noop

OVERRIDES = (
    gettext_noop("History"),
    gettext_noop("Django administration"),
    gettext_noop("Django site admin"),
    gettext_noop("Site administration"),
)
