"""The portal's URLs plus ``/bench-bare/``: a bare Django view served by the same process with the
same middleware, the yardstick of ``bench/tracking_throughput.py``."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench-bare/", bare), path("", include("portal.urls"))]
