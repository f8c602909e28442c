from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<int:pk>/", views.start, name="start"),
    path("ipn/", views.ipn, name="ipn"),
    path("doi-soat/", views.cases, name="cases"),
    path("ket-qua/", views.return_view, name="return"),
    path("bien-lai/<str:reference>/", views.receipt, name="receipt"),
    path("bien-lai/<str:reference>/pdf/", views.receipt_pdf, name="receipt_pdf"),
    path("test-gateway/", views.test_gateway, name="test_gateway"),
]
