"""Django admin strings that Django's own Vietnamese catalogue leaves in English (issue 14: "the
Django admin half untranslated"). Listed here so that ``makemessages`` puts them in the project
catalogue (``locale/vi``), which Django reads before its own (``LOCALE_PATHS`` come first); the
msgids are Django's, character for character. tests/core/test_page_languages.py finds any other.
"""

from django.utils.translation import gettext_noop

ADMIN_TERMS = [
    gettext_noop("Skip to main content"),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Toggle navigation"),
    gettext_noop("Sidebar"),
    gettext_noop("Filter navigation items"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Show counts"),
    gettext_noop("Select all objects on this page for an action"),
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Reset password"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
]
