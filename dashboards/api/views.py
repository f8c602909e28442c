"""Dashboard API under /api/v1/dashboard/: the same figures and index as the pages, for machines
(the province's own reporting, the national portal). Staff with a dashboard role only, scoped to
their agencies exactly like the pages; bad filters get a 400 with a bilingual message."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING, Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.permissions import HasRole

from .. import index766, reports, selectors
from ..forms import FilterResult, default_agency_ids, filters_from_query
from ..views import DASHBOARD_ROLES

if TYPE_CHECKING:
    from portal.accounts.models import User

FILTER_PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        enum=["month", "quarter", "year", "custom"],
        description="Kind of period (default month)",
    ),
    OpenApiParameter("year", int, description="Year of the period (default this year)"),
    OpenApiParameter("month", int, description="Month 1–12 (period=month)"),
    OpenApiParameter("quarter", int, description="Quarter 1–4 (period=quarter)"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (period=custom)"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, inclusive (period=custom)"),
    OpenApiParameter("agency", int, description="An agency in your scope (its sub-units included)"),
    OpenApiParameter("sector", int, description="Sector id"),
    OpenApiParameter("procedure", int, description="Procedure id"),
    OpenApiParameter("level", int, enum=[2, 3, 4], description="Online service level"),
]
BAD_FILTERS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description='{"errors": ["message in the language of Accept-Language (vi, en)", ...]}',
)


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _figures_dict(f: Any) -> dict[str, Any]:
    return _jsonable(f.as_dict())


class _DashboardAPI(APIView):
    permission_classes = [HasRole.of(*DASHBOARD_ROLES)]

    def parse(self, request: Request) -> FilterResult:
        user = cast("User", request.user)  # HasRole lets staff accounts only through
        if default_agency_ids(user) == ():
            raise PermissionDenied(HasRole.message)
        return filters_from_query(request.query_params, user)


class FiguresView(_DashboardAPI):
    @extend_schema(
        summary="Dashboard figures for a period and scope, with the previous period",
        tags=["dashboards"],
        parameters=FILTER_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, 400: BAD_FILTERS},
    )
    def get(self, request: Request) -> Response:
        parsed = self.parse(request)
        if parsed.filters is None:
            return Response({"errors": parsed.errors}, status=400)
        f = parsed.filters
        return Response(
            {
                "filters": _jsonable(f),
                "figures": _figures_dict(selectors.dashboard_figures(f)),
                "previous": {
                    "filters": _jsonable(f.previous()),
                    "figures": _figures_dict(selectors.dashboard_figures(f.previous())),
                },
                "by_agency": reports.agency_table(
                    list(selectors.by_agency(reports.breakdown_filters(f)))
                ),
            }
        )


class Index766View(_DashboardAPI):
    @extend_schema(
        summary="The Decision 766 service index for a period and scope, with the agencies' ranking",
        tags=["dashboards"],
        parameters=FILTER_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, 400: BAD_FILTERS},
    )
    def get(self, request: Request) -> Response:
        parsed = self.parse(request)
        if parsed.filters is None:
            return Response({"errors": parsed.errors}, status=400)
        f = parsed.filters
        return Response(
            {
                "filters": _jsonable(f),
                "index": index766.index_for(f).as_dict(),
                "ranking": [
                    {
                        "rank": r.rank,
                        "agency_id": r.agency_id,
                        "name": r.name,
                        "points": round(r.score.total, 2),
                        "max_available": r.score.max_available,
                        "percent": None if r.score.percent is None else round(r.score.percent, 2),
                    }
                    for r in reports.index_ranking(f)
                ],
            }
        )
