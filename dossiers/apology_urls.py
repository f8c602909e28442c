from django.urls import path

from . import apology_views as views

#: The namespace predates the move from portal.notifications (URL names stay stable).
app_name = "notifications"
urlpatterns = [
    path("xin-loi/", views.apology_queue, name="apology_queue"),
    path("xin-loi/<int:pk>/duyet/", views.apology_approve, name="apology_approve"),
]
