# Production image of the one-stop portal: gunicorn web, Celery worker and beat share it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango; libharfbuzz-subset0 makes font subsetting ~30x faster (TECH-NOTES);
# fonts-noto-core has the Vietnamese glyphs for signature stamps; fonts-liberation's Liberation
# Serif (metric-compatible with Times New Roman, Decree 30/2020 Phụ lục I) sets the printed forms;
# poppler-utils gives
# pdfsig/pdftotext; softhsm2 is the demo signing token (PKCS11_MODULE); curl for the health
# check. The .mo catalogues are committed: no gettext needed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-liberation fonts-liberation2 poppler-utils \
      softhsm2 curl \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal
WORKDIR /app

# Dependencies first (the project itself ships no package: it runs from /app), so code changes
# reuse this layer.
COPY pyproject.toml ./
RUN pip install .
COPY . .
RUN PORTAL_DEMO=1 PORTAL_VAR_DIR=/tmp/build-var python manage.py collectstatic --noinput -v 0 \
 && rm -rf /tmp/build-var \
 && mkdir -p /app/var && chown -R portal:portal /app/var

USER portal
ENV DJANGO_SETTINGS_MODULE=portal.settings \
    PORTAL_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
