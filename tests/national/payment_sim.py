"""Shared helpers of the payment-platform tests: the simulator in its own process, the portal's
settings pointed at it, and a dossier waiting for its fee."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from national.simkit import start_simulator

TARGET = "national.payment_platform.simulator:PaymentPlatformSimulator"
PARTNER, SECRET, CALLBACK_SECRET = (
    "000.00.00.H18-PP",
    "pp-shared-secret-for-tests",
    "pp-callback-key-for-tests",
)
FEE = Decimal("150000")


@pytest.fixture
def platform(tmp_path, settings, live_server):
    """The simulated platform, registered with this portal (callback and return URLs on the live server)."""
    sim = start_simulator(TARGET, state_dir=tmp_path / "pp")
    settings.PAYMENT_GATEWAY = "national"
    settings.PAYMENT_PLATFORM_INIT_URL = sim.url + "/init"
    settings.PAYMENT_PLATFORM_QUERY_URL = sim.url + "/query"
    settings.PAYMENT_PLATFORM_BILL_URL = sim.url + "/bill"
    settings.PAYMENT_PLATFORM_PARTNER_CODE = PARTNER
    settings.PAYMENT_PLATFORM_SECRET = SECRET
    settings.PAYMENT_PLATFORM_CALLBACK_SECRET = CALLBACK_SECRET
    settings.PAYMENT_PLATFORM_TIMEOUT = 2
    sim.call(
        "POST",
        "/_sim/partner",
        {
            "code": PARTNER,
            "secret": SECRET,
            "callback_secret": CALLBACK_SECRET,
            "callback_url": live_server.url + reverse("payment_platform:confirm"),
            "return_url": live_server.url + reverse("payment_platform:return"),
        },
    )
    yield sim
    sim.stop()


def pay_on_page(payment_url: str, choice: str = "pay") -> str:
    """What the payer's browser does on the platform's page; returns the redirect (not followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
            return None

    opener = urllib.request.build_opener(NoRedirect)
    page = urllib.request.urlopen(payment_url, timeout=5).read().decode()  # noqa: S310
    assert re.search(r'id="platform-amount"', page)
    req = urllib.request.Request(
        payment_url, data=urlencode({"choice": choice, "bank": "VCB"}).encode(), method="POST"
    )
    try:
        opener.open(req, timeout=10)
    except urllib.error.HTTPError as exc:  # the 302, unfollowed
        assert exc.code == 302, exc.code
        return exc.headers["Location"]
    raise AssertionError("the platform did not redirect the browser back")


def wait_for(predicate, timeout: float = 10.0, step: float = 0.1):  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


def post_json(url: str, payload) -> dict:  # noqa: ANN001
    req = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=5) as r:  # noqa: S310
        return json.loads(r.read())
