from django.urls import path

from . import views

app_name = "payment_platform"
urlpatterns = [
    path("xac-nhan/", views.confirm, name="confirm"),
    path("ket-qua/", views.return_view, name="return"),
    path("bien-lai/<str:reference>/", views.platform_receipt, name="receipt"),
]
