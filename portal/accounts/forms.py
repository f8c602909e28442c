"""Forms of the account pages. They parse input; the rules are in :mod:`.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .constants import AccountKind
from .models import User
from .services import PROFILE_FIELDS, account_mail_send


class LoginForm(auth_forms.AuthenticationForm):
    """Log in with a username, an e-mail address, a phone number or a CCCD / tax code."""

    username = forms.CharField(
        label=_("Username, e-mail, phone or ID number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "Wrong login name or password. Please try again (both are case-sensitive for the password)."
        ),
        "inactive": _("This account is disabled."),
    }


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I register as"),
        choices=[
            (AccountKind.CITIZEN, _("A citizen")),
            (AccountKind.BUSINESS, _("A business / organisation")),
        ],
        initial=AccountKind.CITIZEN,
        widget=forms.RadioSelect,
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("For a business: the legal representative."),
    )
    organisation_name = forms.CharField(
        label=_("Business / organisation name"), max_length=255, required=False
    )
    citizen_id = forms.CharField(
        label=_("Citizen ID (CCCD), 12 digits"), max_length=12, required=False
    )
    tax_code = forms.CharField(label=_("Tax code"), max_length=14, required=False)
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, with letters and digits, not too common."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I accept the terms of use and agree that my data is processed to handle my dossiers (Decree 13/2023 on personal data protection)."
        ),
        required=False,
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="vi")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # BaseForm.clean returns cleaned_data
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", _("The two passwords do not match."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "full_name": d["full_name"],
            "password": d["password1"],
            "email": d["email"],
            "phone": d["phone"],
            "citizen_id": d["citizen_id"],
            "tax_code": d["tax_code"],
            "organisation_name": d["organisation_name"],
            "language": d["language"],
            "consent": d["consent"],
        }


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = list(PROFILE_FIELDS)
        labels = {
            "full_name": _("Full name"),
            "email": _("E-mail"),
            "phone": _("Mobile phone"),
            "address": _("Address"),
            "language": _("Language of the portal and of messages"),
            "notify_email": _("Notify me by e-mail"),
            "notify_sms": _("Notify me by SMS"),
        }

    def _post_clean(self) -> None:
        """Model validation is the service's job (it knows the uniqueness and contact rules)."""


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form's fields (unknown keys become form errors)."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = rename.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending its mail through :func:`account_mail_send` like every other."""

    def save(
        self,
        domain_override=None,
        subject_template_name="",
        email_template_name="",
        use_https=False,
        token_generator=None,
        from_email=None,
        request=None,
        html_email_template_name=None,
        extra_email_context=None,
    ) -> None:
        from django.contrib.auth.tokens import default_token_generator
        from django.urls import reverse
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        token_generator = token_generator or default_token_generator
        email = self.cleaned_data["email"]
        for user in self.get_users(email):
            path = reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": token_generator.make_token(user),
                },
            )
            account_mail_send(
                user=user,
                template="password_reset",
                context={"url": settings.SITE_URL.rstrip("/") + path},
            )
