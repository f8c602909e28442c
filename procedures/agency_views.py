"""Public directory of agencies: the tree, and each agency's one-stop counter and procedures (the
catalogue's pages, so they live with it; the agency tree itself is :mod:`portal.agencies`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.agencies.models import Agency
from portal.agencies.selectors import agency_children, agency_directory, agency_get_public

from .selectors import procedure_search


@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    agencies = list(agency_directory())
    base_depth = min((a.depth for a in agencies), default=0)
    rows = [(a, a.depth - base_depth) for a in agencies]
    return render(request, "agencies/list.html", {"agencies": rows})


@require_GET
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        agency = agency_get_public(code=code)
    except Agency.DoesNotExist:
        raise Http404("agency") from None
    procedures = procedure_search(agency=agency)
    return render(
        request,
        "agencies/detail.html",
        {
            "agency": agency,
            "ancestors": list(agency.ancestors().order_by("path")),
            "children": list(agency_children(agency)),
            "procedures": procedures[:50],
            "procedure_total": procedures.count(),
        },
    )
