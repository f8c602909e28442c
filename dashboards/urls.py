from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="province"),
    path("ho-so/", views.drilldown, name="drilldown"),
    path("ho-so/xuat/<str:fmt>/", views.drilldown_export, name="drilldown_export"),
    path("xuat/<str:fmt>/", views.export, name="export"),
    path("bao-cao/", views.report_list, name="reports"),
    path("bao-cao/<int:pk>/tai-ve/", views.report_download, name="report_download"),
    path("chi-so-766/", views.index_766, name="index766"),
    path("cong-khai/", views.public, name="public"),
]
