from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import published_procedures


def procedure_list(request: HttpRequest) -> HttpResponse:
    return render(request, "procedures/list.html", {"procedures": published_procedures()[:50]})
