from django.urls import path, register_converter

from . import agency_views as views


class AgencyCodeConverter:
    """Official unit codes (000.00.xx.Hnn); other text is a 404 before any query."""

    regex = r"[0-9A-Za-z.]{1,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AgencyCodeConverter, "agency_code")

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("<agency_code:code>/", views.agency_detail, name="detail"),
]
