"""Document API under /api/v1/: ``outgoing-documents-api-*``, ``incoming-documents-api-*`` and the
exchange's ``edxml-inbound`` (``/api/v1/edxml/inbound/``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import InboundView, IncomingDocumentViewSet, OutgoingDocumentViewSet

router = SimpleRouter()
router.register("documents/outgoing", OutgoingDocumentViewSet, basename="outgoing-documents-api")
router.register("documents/incoming", IncomingDocumentViewSet, basename="incoming-documents-api")

urlpatterns = [
    path("edxml/inbound/", InboundView.as_view(), name="edxml-inbound"),
    *router.urls,
]
