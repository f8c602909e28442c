"""Public pages of the catalogue: search, detail, form-template downloads. Thin: parse, ask the
selectors, render."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from portal.core.text import fold

from .forms import ProcedureSearchForm
from .models import Procedure, RequiredDocument
from .selectors import (
    catalogue_agencies,
    home_page_context,
    procedure_document_template,
    procedure_get_published,
    procedure_search,
)

PAGE_SIZE = 20


def submit_url(procedure: Procedure) -> str | None:
    """Where an applicant submits a dossier online for this procedure (levels 3 and 4 only)."""
    if not procedure.is_online:
        return None
    try:
        return reverse("dossiers:submit", kwargs={"code": procedure.code})
    except NoReverseMatch:
        return f"/ho-so/nop/{procedure.code}/"


@require_GET
def procedure_list(request: HttpRequest) -> HttpResponse:
    form = ProcedureSearchForm(request.GET or None, agency_queryset=catalogue_agencies())
    filters = (
        form.filters() if request.GET else {"q": "", "sector": None, "agency": None, "level": None}
    )
    paginator = Paginator(procedure_search(**filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "procedures/list.html",
        {
            "form": form,
            "filters": filters,
            "page_obj": page,
            "procedures": page.object_list,
            "total": paginator.count,
            "query_string": query.urlencode(),
            "param_errors": [
                e for errors in (form.errors.values() if request.GET else []) for e in errors
            ],
        },
    )


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        procedure = procedure_get_published(code=code)
    except Procedure.DoesNotExist:
        raise Http404("procedure") from None
    return render(
        request,
        "procedures/detail.html",
        {
            "procedure": procedure,
            "submit_url": submit_url(procedure),
        },
    )


def template_filename(document: RequiredDocument) -> str:
    """An ASCII file name for the download: the form's name folded, plus the stored extension."""
    suffix = PurePosixPath(document.template.name).suffix.lower()
    stem = slugify(fold(document.template_name or document.name))[:80] or "mau"
    return f"{stem}{suffix}"


@require_GET
def document_template_download(request: HttpRequest, code: str, document_id: int) -> FileResponse:
    """Serve a form template ourselves: Content-Disposition and Content-Type are set here, never
    taken from the uploaded file."""
    try:
        document = procedure_document_template(code=code, document_id=document_id)
        handle = document.template.open("rb")
    except (RequiredDocument.DoesNotExist, FileNotFoundError):
        raise Http404("template") from None
    filename = template_filename(document)
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The portal's home page: the catalogue by sector and level (``core/home.html``)."""
    return render(request, "core/home.html", home_page_context())
