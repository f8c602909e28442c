from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("di/", views.outgoing_book, name="outgoing_book"),
    path("di/du-thao/", views.draft_new, name="draft_new"),
    path("di/<int:pk>/", views.outgoing_detail, name="outgoing_detail"),
    path("di/<int:pk>/sua/", views.draft_edit, name="draft_edit"),
    path("di/<int:pk>/thao-tac/<str:action>/", views.outgoing_act, name="outgoing_act"),
    path("di/<int:pk>/tep/<int:file_pk>/", views.outgoing_file, name="outgoing_file"),
    path("den/", views.incoming_book, name="incoming_book"),
    path("den/vao-so/", views.register_paper, name="register_paper"),
    path("den/<int:pk>/", views.incoming_detail, name="incoming_detail"),
    path("den/<int:pk>/thao-tac/<str:action>/", views.incoming_act, name="incoming_act"),
    path("den/<int:pk>/tep/<int:file_pk>/", views.incoming_file, name="incoming_file"),
]
