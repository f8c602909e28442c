"""Issue 13 (Medium): production is fail-closed.

PORTAL_DEMO defaulted to 1, so a deployment that forgot it ran with the public SECRET_KEY, the
public payment secret and the test gateway. Now the default is production: no SECRET_KEY, no
start; HSTS, HTTPS redirect, Secure cookies and a Content-Security-Policy without inline script;
``manage.py check --deploy`` is clean with a production environment.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    drop = (
        "PORTAL_DEMO",
        "SECRET_KEY",
        "DEBUG",
        "PAYMENT_HMAC_SECRET",
        "PAYMENT_TEST_GATEWAY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", **extra)
    return env


def _production(tmp_path) -> dict[str, str]:
    return _env(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="dichvucong.dienbien.gov.vn",
        SITE_URL="https://dichvucong.dienbien.gov.vn",
        PORTAL_VAR_DIR=str(tmp_path),
        PAYMENT_HMAC_SECRET=secrets.token_hex(32),
    )


def test_without_portal_demo_the_settings_are_production_and_need_a_secret_key():
    probe = "import django; django.setup()"
    failed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode != 0 and "SECRET_KEY must be set" in failed.stderr
    probe = "import django; django.setup(); from django.conf import settings as s; print(s.PAYMENT_HMAC_SECRET == '', s.PAYMENT_TEST_GATEWAY)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_env(SECRET_KEY="x" * 60),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == ["True", "False"], (
        out.stderr
    )  # no public payment secret, no test gateway


def test_check_deploy_is_clean_in_production(tmp_path):
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_production_answers_https_only_with_hsts_secure_cookies_and_csp(tmp_path):
    probe = """
import django; django.setup()
from django.conf import settings as s
from django.test import Client
c = Client(HTTP_HOST="dichvucong.dienbien.gov.vn")
r = c.get("/tai-khoan/dang-nhap/")
print("redirect", r.status_code, r.get("Location"))
r = c.get("/tai-khoan/dang-nhap/", secure=True, HTTP_X_FORWARDED_PROTO="https")
print("hsts", r.get("Strict-Transport-Security"))
print("csp", r.get("Content-Security-Policy"))
print("cookies", s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, r.cookies["csrftoken"]["secure"])
print("healthz", c.get("/healthz").status_code != 301)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_production(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert lines.get("redirect") == "301 https://dichvucong.dienbien.gov.vn/tai-khoan/dang-nhap/", (
        out.stdout + out.stderr
    )
    assert lines["hsts"] == "max-age=31536000; includeSubDomains; preload"
    csp = lines["csp"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert lines["cookies"] == "True True True"
    assert lines["healthz"] == "True"  # the container health check stays on plain HTTP


TEMPLATE_DIRS = [
    p for p in ROOT.glob("**/templates") if ".venv" not in p.parts and "node_modules" not in p.parts
]


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for tag in re.findall(r"<script\b[^>]*>", text):
                if "src=" not in tag and 'type="application/json"' not in tag:
                    offenders.append(f"{path.relative_to(ROOT)}: {tag}")
            for handler in re.findall(r"\son[a-z]+\s*=\s*[\"']", text):
                offenders.append(f"{path.relative_to(ROOT)}: {handler.strip()}")
    assert not offenders, offenders


@pytest.mark.django_db
def test_pages_carry_the_csp_header(client):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()
