"""The VNeID simulator for the tests: a real OpenID Connect provider in its own process.

``provider_login`` plays the citizen's browser at the provider (login page, then the redirect
back to the portal) with ``requests``; the portal side is driven by Django's test client or by
Playwright.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import requests

from national.vneid_simulator import serve
from national.vneid_simulator.identities import DEMO_PASSWORD

CALLBACK_PATH = "/tai-khoan/vneid/callback/"


def start_simulator(*bases: str, workdir: str = "") -> serve.RunningSimulator:
    bases = bases or ("http://testserver",)
    return serve.start(
        redirect_uris=[f"{b}{CALLBACK_PATH}" for b in bases],
        post_logout_redirect_uris=[f"{b}/" for b in bases],
        workdir=workdir,
    )


def configure(settings, sim: serve.RunningSimulator) -> None:
    settings.VNEID_ISSUER = sim.issuer
    settings.VNEID_CLIENT_ID = sim.client_id
    settings.VNEID_CLIENT_SECRET = sim.client_secret


def provider_login(authorize_url: str, username: str, password: str = DEMO_PASSWORD) -> str:
    """Log in at the simulator's page; return the URL it sends the browser back to (not followed)."""
    s = requests.Session()
    page = s.get(authorize_url, timeout=10)
    assert "id_username" in page.text, page.text[:500]
    nxt = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
    resp = s.post(
        page.url,
        data={
            "username": username,
            "password": password,
            "next": nxt,
            "csrfmiddlewaretoken": s.cookies["vneid_sim_csrf"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 302, resp.text[:500]
    resp = s.get(urljoin(page.url, resp.headers["Location"]), allow_redirects=False, timeout=10)
    assert resp.status_code == 302, resp.text[:500]
    return resp.headers["Location"]
