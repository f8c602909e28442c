"""Log in with a username, an e-mail address, a mobile number or a CCCD / tax code."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q

from .validators import normalize_phone


def clean_login_name(value: object) -> str:
    """The login name as the backend and the lockout read it: a string, stripped, no NUL.

    PostgreSQL refuses NUL in a text literal (psycopg2 raises ValueError): a NUL typed into a login
    form or a Basic-auth header must fail the login, never the request."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()


def login_name_query(username: str) -> Q:
    """Every account the typed name may mean: username or e-mail case-insensitively, the phone
    normalised, the 12-digit citizen ID (CCCD) or the tax code (the login label offers them all)."""
    query = Q(username__iexact=username)
    if "@" in username:
        query |= Q(email__iexact=username)
    else:
        try:
            query |= Q(phone=normalize_phone(username))
        except ValidationError:
            pass
        if username.isascii() and username.replace("-", "").isdigit():
            query |= Q(citizen_id=username) | Q(tax_code=username)
    return query


def resolve_login_name(username: object):
    """The one account a login name resolves to, or None (unknown or ambiguous)."""
    if isinstance(username, str) and "\x00" in username:
        return None  # nobody's name has a NUL in it; the query would fail
    username = clean_login_name(username)
    if not username:
        return None
    users = list(get_user_model().objects.filter(login_name_query(username))[:2])
    return users[0] if len(users) == 1 else None


class EmailPhoneOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = resolve_login_name(username)
        if user is None:
            get_user_model()().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
