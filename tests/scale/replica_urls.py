"""URLs of the replica scenario: the portal's own, plus two probes that say which database
answered (``QuerySet.db``, chosen by the real router under the real middleware)."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import include, path

from dossiers.models import Dossier
from portal.dbrouting import lag_tolerant


def write(request):  # type: ignore[no-untyped-def]
    """A user's own write: a dossier created on the primary."""
    from tests.factories.dossiers import DossierFactory

    return JsonResponse({"id": DossierFactory().pk})


@lag_tolerant
def count(request):  # type: ignore[no-untyped-def]
    qs = Dossier.objects.all()
    return JsonResponse({"count": qs.count(), "db": qs.db})


urlpatterns = [
    path("_scale/write/", write),
    path("_scale/count/", count),
    path("", include("portal.urls")),
]
