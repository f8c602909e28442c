from django.urls import path

from . import views

app_name = "signatures"
urlpatterns = [
    path("crl/<slug:ca>.crl", views.crl, name="crl"),
    path("ca/<slug:ca>.crt", views.ca_certificate, name="ca-cert"),
    path("ocsp/", views.ocsp, name="ocsp"),
    path("ocsp/<path:encoded>", views.ocsp, name="ocsp-get"),
    path("tsa/", views.tsa, name="tsa"),
    path("xac-thuc/", views.verify_page, name="verify"),
    path("xac-thuc/<str:token>/", views.verify_token, name="verify-token"),
    path("xac-thuc/<str:token>/tai-ve/", views.download_signed, name="download"),
    path("ky/", views.sign_batch_page, name="sign"),
    path("chung-thu/", views.certificates_page, name="certificates"),
    path("chung-thu/<int:pk>/thu-hoi/", views.certificate_revoke, name="certificate-revoke"),
]
