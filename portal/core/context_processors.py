from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    return {"SITE_URL": settings.SITE_URL, "PORTAL_PROVINCE_NAME": "Điện Biên"}
