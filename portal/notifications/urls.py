from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("xin-loi/", views.apology_queue, name="apology_queue"),
    path("xin-loi/<int:pk>/duyet/", views.apology_approve, name="apology_approve"),
]
