"""Dashboard API under /api/v1/dashboard/: ``dashboard-api-figures``, ``dashboard-api-index766``."""

from django.urls import path

from .views import FiguresView, Index766View

urlpatterns = [
    path("dashboard/figures/", FiguresView.as_view(), name="dashboard-api-figures"),
    path("dashboard/index766/", Index766View.as_view(), name="dashboard-api-index766"),
]
