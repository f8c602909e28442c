"""The provincial one-stop-shop portal (Cổng dịch vụ công một cửa cấp tỉnh)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
