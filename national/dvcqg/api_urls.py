from django.urls import path

from . import views

urlpatterns = [
    path("national/dvcqg/inbound/", views.inbound_push, name="dvcqg-inbound"),
]
