from django.urls import path

from . import views

app_name = "dvcqg"

urlpatterns = [
    path("dong-bo/", views.sync_page, name="sync"),
    path("dong-bo/<int:dossier_id>/gui-lai/", views.resend, name="resend"),
    path("dong-bo/doi-soat/", views.reconcile_now, name="reconcile"),
    path("danh-muc/", views.catalogue_page, name="catalogue"),
    path("danh-muc/cap-nhat/", views.catalogue_pull, name="catalogue_pull"),
    path("danh-muc/<str:code>/chap-nhan/", views.catalogue_accept, name="catalogue_accept"),
    path("ket-qua/<str:token>/", views.result_file, name="result_file"),
]
