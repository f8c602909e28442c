from rest_framework.routers import SimpleRouter

from .views import ProcedureViewSet, SectorViewSet

router = SimpleRouter()
router.register("procedures", ProcedureViewSet, basename="procedures-api")
router.register("sectors", SectorViewSet, basename="sectors-api")

urlpatterns = router.urls
