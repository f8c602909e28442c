from django.urls import path, register_converter

from . import views


class ProcedureCodeConverter:
    """Procedure codes as the catalogue allows them (letters, digits, dots, dashes); anything else
    is not a procedure address, so it is a 404 before any query."""

    regex = r"[0-9A-Za-z][0-9A-Za-z.\-]{0,39}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ProcedureCodeConverter, "procedure_code")

app_name = "procedures"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("<procedure_code:code>/", views.procedure_detail, name="detail"),
    path(
        "<procedure_code:code>/mau/<int:document_id>/",
        views.document_template_download,
        name="template",
    ),
]
