from django.urls import path

from . import printing_views, signing_views, views

app_name = "dossiers"
urlpatterns = [
    # applicant
    path("nop/<str:code>/", views.submit, name="submit"),
    path("cua-toi/", views.my_dossiers, name="my"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/da-nop/", views.submitted, name="submitted"),
    path("<int:pk>/thao-tac/<str:action>/", views.act, name="act"),
    path("<int:pk>/tep/them/", views.upload, name="upload"),
    path("<int:pk>/tep/<int:file_pk>/", views.file_download, name="file_download"),
    path("<int:pk>/ket-qua/", views.result_download, name="result_download"),
    # printed forms 01-07 (dossiers.printing)
    path("<int:pk>/mau/", printing_views.dossier_forms, name="forms"),
    path("<int:pk>/mau/<int:form_pk>/", printing_views.form_download, name="form_download"),
    path("<int:pk>/mau/<int:form_pk>/in-lai/", printing_views.form_rerender, name="form_rerender"),
    path("<int:pk>/mau/kiem-soat/", printing_views.control_slip, name="control_slip"),
    path("so-theo-doi/", printing_views.tracking_book, name="tracking_book"),
    path(
        "so-theo-doi/<int:form_pk>/",
        printing_views.tracking_book_download,
        name="tracking_book_download",
    ),
    # public tracking
    path("tra-cuu/", views.track, name="track"),
    path("tra-cuu/<str:token>/", views.track_token, name="track_token"),
    # staff
    path("tiep-nhan/", views.intake_queue, name="intake_queue"),
    path("tiep-nhan/moi/", views.counter_new, name="counter_new"),
    path("phong-ban/", views.department_queue, name="department_queue"),
    path("duoc-giao/", views.my_queue, name="my_queue"),
    path("cho-duyet/", views.approval_queue, name="approval_queue"),
    # result signing (issue 5)
    path("cho-duyet/ky-so/", signing_views.sign_approve_batch, name="sign_approve_batch"),
    path("cho-phat-hanh/", signing_views.issue_queue, name="issue_queue"),
    path("<int:pk>/ky-so/", signing_views.sign_approve, name="sign_approve"),
    path("<int:pk>/du-thao-ket-qua/", signing_views.draft_result, name="draft_result"),
    path("<int:pk>/phat-hanh/", signing_views.issue_result, name="issue_result"),
]
