"""Values every page needs: the site's public URL and the province it serves."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, str]:
    """Expose ``SITE_URL``, ``PORTAL_PROVINCE_NAME`` and ``PORTAL_HOTLINE`` to templates."""
    return {
        "SITE_URL": settings.SITE_URL,
        "PORTAL_PROVINCE_NAME": getattr(settings, "PROVINCE_NAME", "Điện Biên"),
        "PORTAL_HOTLINE": getattr(settings, "HOTLINE", "1800 1096"),
    }
