from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("_sim/health", views.health),
    path("_sim/faults", views.fault_plan),
]
