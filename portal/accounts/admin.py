"""Administration of accounts: staff accounts are created here (or by ``create_staff``) only.

The forms refuse a staff account without an agency and a department outside its agency, using
the same rule as :func:`portal.accounts.services.staff_placement_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import StaffRole, User
from .services import staff_placement_errors


class StaffPlacementMixin(forms.BaseModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # BaseForm.clean returns cleaned_data
        kind = data.get("kind", getattr(self.instance, "kind", None))
        errors = staff_placement_errors(
            kind=kind, agency=data.get("agency"), department=data.get("department")
        )
        for field, messages in errors.items():
            self.add_error(field if field in self.fields else None, messages)
        return data


class PortalUserCreationForm(StaffPlacementMixin, UserCreationForm):
    # django-stubs does not declare the Meta of the auth forms
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("username", "kind", "full_name", "email", "agency", "department", "position")


class PortalUserChangeForm(StaffPlacementMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = "__all__"


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 1
    verbose_name = _("role")
    verbose_name_plural = _("roles (staff accounts only)")


class EmailVerifiedFilter(admin.SimpleListFilter):
    title = _("e-mail verified")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(email_verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(email_verified_at__isnull=True)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    inlines = [StaffRoleInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Opening a citizen's account (his verified identity data) outside any dossier is an
        access the citizen sees and the province's administrator reviews (flagged)."""
        from .access_log import record_access
        from .constants import AccountKind
        from .models import DataAccessKind

        if request.method == "GET":
            citizen = User.objects.filter(
                pk=object_id, kind__in=[AccountKind.CITIZEN, AccountKind.BUSINESS]
            ).first()
            record_access(
                staff=request.user, citizen=citizen, kind=DataAccessKind.IDENTITY, detail="admin"
            )
        return super().change_view(request, object_id, form_url, extra_context)

    list_display = (
        "username",
        "full_name",
        "kind",
        "agency",
        "role_list",
        "email",
        "phone",
        "is_active",
        "last_login",
    )
    list_filter = (
        "kind",
        "roles__role",
        "agency",
        EmailVerifiedFilter,
        "is_active",
        "is_staff",
        "is_superuser",
    )
    search_fields = (
        "username",
        "full_name",
        "email",
        "phone",
        "citizen_id",
        "tax_code",
        "organisation_name",
    )
    list_select_related = ("agency",)
    autocomplete_fields = ()
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password", "kind")}),
        (
            _("Person"),
            {
                "fields": (
                    "full_name",
                    "email",
                    "email_verified_at",
                    "phone",
                    "address",
                    "citizen_id",
                    "tax_code",
                    "organisation_name",
                )
            },
        ),
        (_("Staff placement"), {"fields": ("agency", "department", "position")}),
        (_("Preferences"), {"fields": ("language", "notify_email", "notify_sms")}),
        (
            _("Permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "classes": ("collapse",),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "kind",
                    "full_name",
                    "email",
                    "agency",
                    "department",
                    "position",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(r.get_role_display() for r in obj.roles.all())

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        form.instance._role_cache = None


from .models import DataAccess as _DataAccess  # noqa: E402


@admin.register(_DataAccess)
class DataAccessAdmin(admin.ModelAdmin):
    """The province administrator's view of the data-access log; flagged rows first to review."""

    list_display = [
        "at",
        "staff",
        "staff_agency_name",
        "citizen",
        "kind",
        "dossier_code",
        "flagged",
    ]
    list_filter = ["flagged", "kind"]
    search_fields = ["citizen__citizen_id", "citizen__full_name", "staff__username", "dossier_code"]
    readonly_fields = [f.name for f in _DataAccess._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-flagged", "-at")
