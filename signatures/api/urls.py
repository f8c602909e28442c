from django.urls import path

from .views import VerifyView

urlpatterns = [
    path("signatures/verify/", VerifyView.as_view(), name="signatures-verify"),
]
