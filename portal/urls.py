"""Root URLs. Each app owns its own ``urls.py`` (pages) and ``api/urls.py`` (REST)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

api_patterns: list[URLPattern | URLResolver] = [
    path("", include("portal.agencies.api.urls")),
    path("", include("portal.accounts.api.urls")),
    path("", include("procedures.api.urls")),
    path("", include("dossiers.api.urls")),
    path("", include("documents.api.urls")),
    path("", include("dashboards.api.urls")),
    path("", include("signatures.api.urls")),
    path("", include("national.dvcqg.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_patterns)),
    path("admin/", admin.site.urls),
    path("", include("procedures.home_urls")),  # the home page: url name "home"
    path("", include("portal.core.urls")),
    path("tai-khoan/", include("portal.accounts.urls")),
    path("co-quan/", include("procedures.agency_urls")),
    path("thu-tuc/", include("procedures.urls")),
    path("ho-so/", include("dossiers.urls")),
    path("thanh-toan/nen-tang-quoc-gia/", include("national.payment_platform.urls")),
    path("thanh-toan/", include("dossiers.payments.urls")),
    path("van-ban/", include("documents.urls")),
    path("thong-ke/", include("dashboards.urls")),
    path("chu-ky-so/", include("signatures.urls")),
    path("nhac-han/", include("dossiers.apology_urls")),
    path("quoc-gia/dvcqg/", include("national.dvcqg.urls")),
]

handler400 = "portal.core.views.bad_request"
handler403 = "portal.core.views.permission_denied"
handler404 = "portal.core.views.page_not_found"
handler500 = "portal.core.views.server_error"

if settings.DEBUG:  # pragma: no cover
    pass

__all__ = ["urlpatterns", "i18n_patterns"]
