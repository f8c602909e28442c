"""Log in with a username, an e-mail address or a mobile number."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q

from .validators import normalize_phone


class EmailPhoneOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        username = username.strip()
        User = get_user_model()
        query = Q(username__iexact=username)
        if "@" in username:
            query |= Q(email__iexact=username)
        else:
            try:
                query |= Q(phone=normalize_phone(username))
            except ValidationError:
                pass
        users = list(User.objects.filter(query)[:2])
        if len(users) != 1:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
