from django.urls import path

from . import eid_views, views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("dang-ky/", views.register, name="register"),
    path("xac-thuc-email/gui-lai/", views.resend_verification, name="resend_verification"),
    path("xac-thuc-email/<str:token>/", views.verify_email, name="verify_email"),
    path("ho-so-ca-nhan/", views.profile, name="profile"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("quen-mat-khau/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "quen-mat-khau/da-gui/", views.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "dat-lai-mat-khau/xong/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("lam-viec/", views.workspace, name="workspace"),
    # national e-ID (VNeID through the national portal's sign-on)
    path("vneid/dang-nhap/", eid_views.vneid_login, name="vneid_login"),
    path("vneid/callback/", eid_views.vneid_callback, name="vneid_callback"),
]
