"""What django-axes counts login failures on: the account, not the name as typed.

The backend (:mod:`.backends`) matches a username or e-mail case-insensitively, a phone number in any
of its spellings (0912..., +84912..., 84 912 ...) and a CCCD / tax code; axes by default counts on the
string typed, so every spelling of one account got a fresh set of tries (2^letters of them for an
e-mail). ``AXES_USERNAME_CALLABLE`` points here: a name that resolves to one account is counted as
that account (``#<pk>``), any other name on its normal form (stripped, case-folded, phone
normalised). django-axes calls it from every ``authenticate()`` — the site login, ``/admin/login/``
and DRF's Basic authentication — so one count covers all three paths (OWASP ASVS 4.0 V2.2.1:
anti-automation on the account).
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

from .backends import clean_login_name, resolve_login_name
from .validators import normalize_phone


def normal_login_name(value: object) -> str:
    """The normal form of a login name nobody owns (so its spellings share one count)."""
    name = unicodedata.normalize("NFKC", clean_login_name(value)).casefold()
    if "@" not in name:
        try:
            return normalize_phone(name)
        except ValidationError:
            pass
    return name[:255]


def lockout_username(request, credentials: dict | None) -> str:
    """The key axes records and checks failures under (AXES_USERNAME_CALLABLE)."""
    if credentials:
        typed = credentials.get("username")
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get("username") if hasattr(data, "get") else None
    user = resolve_login_name(typed)
    if user is not None:
        return f"#{user.pk}"
    return normal_login_name(typed)
