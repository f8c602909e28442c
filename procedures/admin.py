"""Staff tools for the catalogue: Django admin with inlines, a publish action and the bulk import
(upload → preview → confirm), which only portal administrators may use."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import ProcedureImportForm
from .importer import (
    COLUMN_HELP,
    MAX_BYTES,
    ImportFileError,
    ImportRejected,
    procedures_import,
    procedures_parse,
)
from .models import (
    Procedure,
    ProcedureFee,
    ProcedureStep,
    ProcedureVersion,
    RequiredDocument,
    Sector,
)
from .services import procedure_publish

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest

_SESSION_KEY = "procedures_import"
#: The sample files the import page offers (shipped with the app, not only in the repository).
SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
SAMPLE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _import_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ProcedureFeeInline(admin.TabularInline):
    model = ProcedureFee
    extra = 0


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0
    fields = ["order", "name", "paper_kind", "copies", "is_required", "template_name", "template"]


class ProcedureStepInline(admin.TabularInline):
    model = ProcedureStep
    extra = 0


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "ordering"]
    search_fields = ["code", "name"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sector", "level", "state", "version", "published_at"]
    list_filter = ["state", "level", "sector"]
    search_fields = ["code", "name", "search_text"]
    autocomplete_fields = ["sector"]
    filter_horizontal = ["agencies"]
    readonly_fields = ["state", "version", "published_at"]
    inlines = [ProcedureFeeInline, RequiredDocumentInline, ProcedureStepInline]
    actions = ["publish"]
    change_list_template = "admin/procedures/procedure/change_list.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """The e-form definition gets a structured editor (django-jsonform) and is checked on save."""
        if db_field.name == "eform":
            from .eforms import eform_admin_field

            return eform_admin_field()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.action(description=_("Publish the selected procedures (new version)"))
    def publish(self, request: HttpRequest, queryset) -> None:
        n = 0
        for procedure in queryset:
            procedure_publish(procedure=procedure)
            n += 1
        self.message_user(
            request,
            ngettext("%d procedure published.", "%d procedures published.", n) % n,
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="procedures_procedure_import",
            ),
            path(
                "import/mau.<str:fmt>",
                self.admin_site.admin_view(self.import_sample),
                name="procedures_procedure_import_sample",
            ),
            *super().get_urls(),
        ]

    def import_sample(self, request: AuthenticatedHttpRequest, fmt: str) -> FileResponse:
        """The sample file (CSV or XLSX) with every column, as a download."""
        if not request.user.is_portal_admin:
            raise PermissionDenied
        if fmt not in SAMPLE_TYPES:
            raise Http404
        return FileResponse(
            (SAMPLES_DIR / f"procedures_import.{fmt}").open("rb"),
            as_attachment=True,
            filename=f"procedures_import.{fmt}",
            content_type=SAMPLE_TYPES[fmt],
        )

    def import_view(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        """Step 1: upload and preview; step 2 (``confirm``): import the previewed file."""
        if not request.user.is_portal_admin:
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import procedures"),
            "columns": COLUMN_HELP,
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, context)
        form = ProcedureImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_BYTES:
                form.add_error("file", _("The file is larger than 5 MB."))
            else:
                content = upload.read()
                try:
                    report = procedures_parse(filename=upload.name, content=content)
                except ImportFileError as exc:
                    form.add_error("file", str(exc))
                else:
                    context["report"] = report
                    if report.ok:
                        token = uuid.uuid4().hex
                        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
                        (_import_dir() / f"{token}{suffix}").write_bytes(content)
                        request.session[_SESSION_KEY] = {
                            "token": token,
                            "suffix": suffix,
                            "publish": form.cleaned_data["publish"],
                        }
        context["form"] = form
        return TemplateResponse(request, "admin/procedures/import.html", context)

    def _confirm(self, request: HttpRequest, context: dict) -> HttpResponse:
        pending = request.session.pop(_SESSION_KEY, None)
        if not pending or pending.get("token") != request.POST.get("token"):
            messages.error(request, _("The previewed file has expired. Please upload it again."))
            return HttpResponseRedirect(reverse("admin:procedures_procedure_import"))
        stored = _import_dir() / f"{pending['token']}{pending['suffix']}"
        try:
            report = procedures_import(
                filename=stored.name, content=stored.read_bytes(), publish=pending["publish"]
            )
        except (ImportFileError, ImportRejected, FileNotFoundError):
            messages.error(
                request,
                _(
                    "The file could no longer be imported; nothing was written. Please upload it again."
                ),
            )
            return HttpResponseRedirect(reverse("admin:procedures_procedure_import"))
        finally:
            stored.unlink(missing_ok=True)
        messages.success(
            request,
            ngettext("%d procedure imported.", "%d procedures imported.", report.imported)
            % report.imported,
        )
        return HttpResponseRedirect(reverse("admin:procedures_procedure_changelist"))


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "version", "published_at"]
    readonly_fields = ["procedure", "version", "snapshot", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
