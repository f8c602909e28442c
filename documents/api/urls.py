"""Document API under /api/v1/: ``outgoing-documents-api-*``, ``incoming-documents-api-*`` and the
exchange's ``edxml-inbound`` (``/api/v1/edxml/inbound/``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import IncomingDocumentViewSet, OutgoingDocumentViewSet, inbound

router = SimpleRouter()
router.register("documents/outgoing", OutgoingDocumentViewSet, basename="outgoing-documents-api")
router.register("documents/incoming", IncomingDocumentViewSet, basename="incoming-documents-api")

urlpatterns = [
    path("edxml/inbound/", inbound, name="edxml-inbound"),
    *router.urls,
]
