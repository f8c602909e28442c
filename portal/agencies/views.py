"""Public directory of agencies: the tree, and each agency's one-stop counter and procedures."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Agency
from .selectors import agency_children, agency_directory, agency_get_public


@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    agencies = list(agency_directory())
    base_depth = min((a.depth for a in agencies), default=0)
    for a in agencies:
        a.indent = a.depth - base_depth
    return render(request, "agencies/list.html", {"agencies": agencies})


@require_GET
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        agency = agency_get_public(code=code)
    except Agency.DoesNotExist:
        raise Http404("agency") from None
    from procedures.selectors import procedure_search

    procedures = procedure_search(agency=agency)
    return render(request, "agencies/detail.html", {
        "agency": agency,
        "ancestors": list(agency.ancestors().order_by("path")),
        "children": list(agency_children(agency)),
        "procedures": procedures[:50],
        "procedure_total": procedures.count(),
    })
