"""The portal's home page (the root URL ``home``): the catalogue's front page."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]
