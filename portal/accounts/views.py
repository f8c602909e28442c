"""Account pages: log in, log out, register, verify e-mail, password reset/change, profile, workspace.

Thin: parse with a form, call a service or selector, render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .access_log import accesses_of
from .forms import LoginForm, PasswordResetForm, ProfileForm, RegistrationForm, add_service_errors
from .permissions import staff_required
from .selectors import needs_email_verification, workspace_sections

if TYPE_CHECKING:
    from .models import User
    from .typed import AuthenticatedHttpRequest


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """The language switch is a cookie (see VietnameseFirstLocaleMiddleware); follow the profile."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


class LoginView(auth_views.LoginView):
    """Django's login (it rotates the session key); staff land on their workspace."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from . import oidc

        return {**super().get_context_data(**kwargs), "vneid_enabled": oidc.is_enabled()}

    def get_default_redirect_url(self) -> str:
        if getattr(self.request.user, "is_staff_member", False):
            return str(reverse_lazy("accounts:workspace"))
        return super().get_default_redirect_url()

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES:
            _remember_language(response, cast("User", form.get_user()).language)
        return response


class LogoutView(auth_views.LogoutView):
    """Log out by POST only (Django 5 refuses GET). After an e-ID login, the national sign-on's
    session ends too (OpenID Connect RP-Initiated Logout: ``id_token_hint``)."""

    def post(self, request, *args, **kwargs):
        from . import oidc

        provider_logout = oidc.logout_url(
            request, post_logout_redirect_uri=request.build_absolute_uri("/")
        )
        response = super().post(request, *args, **kwargs)
        return redirect(provider_logout) if provider_logout else response


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(**form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"password": "password1"})
        else:
            return render(request, "accounts/register_done.html", {"new_user": user})
    return render(request, "accounts/register.html", {"form": form})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.user_verify_email(token=token)
    except ValidationError as exc:
        return render(
            request,
            "accounts/verify_email.html",
            {"ok": False, "error": exc.messages[0]},
            status=400,
        )
    return render(request, "accounts/verify_email.html", {"ok": True, "verified_user": user})


@login_required
@require_POST
def resend_verification(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.email and request.user.email_verified_at is None:
        services.user_send_verification(user=request.user)
        messages.success(
            request,
            _("We sent a new verification link to %(email)s.") % {"email": request.user.email},
        )
    else:
        messages.info(request, _("There is no e-mail address to verify."))
    return redirect("accounts:profile")


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            with translation.override(user.language):  # the next page is in the chosen language
                messages.success(request, _("Your profile has been saved."))
            return _remember_language(redirect("accounts:profile"), user.language)
    context = {
        "form": form,
        "needs_verification": needs_email_verification(user),
        "roles": [r.get_role_display() for r in user.roles.all()] if user.is_staff_member else [],
        "accesses": list(accesses_of(user)[:100]),
        "facts": list(user.verified_facts.order_by("name")) if user.is_applicant else [],
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


@staff_required
def workspace(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "accounts/workspace.html", {"sections": workspace_sections(request.user)}
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Reset by e-mail, rate-limited (issue 13: 15 mails in seconds): per client address and per
    address asked for. Over the limit the page says the same as usual ("if an account has this
    address, a mail is on its way": no account enumeration) and no mail is sent."""

    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        import logging

        from django.conf import settings
        from django.http import HttpResponseRedirect

        from portal.core import ratelimit

        email = form.cleaned_data["email"].strip().casefold()
        client_ok = ratelimit.hit(
            "pwreset-client",
            ratelimit.client_ip(self.request),
            limit=settings.PASSWORD_RESET_RATE,
            window=3600,
        )
        email_ok = ratelimit.hit("pwreset-email", email, limit=3, window=3600)
        if not (client_ok and email_ok):
            logging.getLogger(__name__).warning(
                "accounts.password_reset_throttled", extra={"by_client": not client_ok}
            )
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
