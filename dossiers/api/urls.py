"""Dossier API under /api/v1/: ``dossiers-api-list``, ``dossiers-api-detail``, one
``dossiers-api-<action>`` per action, ``dossier-tracking`` and ``dossier-tracking-token``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .signing import SignApproveView
from .views import DossierViewSet, TrackingByTokenView, TrackingView

router = SimpleRouter()
router.register("dossiers", DossierViewSet, basename="dossiers-api")

urlpatterns = [
    path("tracking/", TrackingView.as_view(), name="dossier-tracking"),
    path(
        "dossiers/sign-approve/", SignApproveView.as_view(), name="dossiers-api-sign-approve"
    ),  # before the router's <pk>/
    path("tracking/qr/<str:token>/", TrackingByTokenView.as_view(), name="dossier-tracking-token"),
    *router.urls,
]
