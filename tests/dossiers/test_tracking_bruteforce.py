"""Issue 13 (Medium): public tracking cannot be brute-forced.

The attack run made 4,196 guesses in 150 s at /ho-so/tra-cuu/ and found a factor in 12.9 s; the
API's throttle trusted any X-Forwarded-For. Here: a client is limited per minute (page and API
together), a code is locked after a few wrong factors whoever asks, the client address is read
behind exactly TRUSTED_PROXY_COUNT proxies, an unknown code and a wrong factor cost the same
queries, and the public answer carries only what the applicant needs.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dossiers import selectors

pytestmark = pytest.mark.django_db

PAGE = "/ho-so/tra-cuu/"
API = "/api/v1/tracking/"


def test_a_code_is_locked_after_a_few_wrong_factors_from_any_client(world):
    dossier = world.received()
    for n in range(settings.TRACKING_CODE_MAX_FAILURES):
        guesser = Client(
            REMOTE_ADDR=f"10.2.0.{n + 1}"
        )  # a distributed guess: every try from elsewhere
        assert (
            guesser.get(PAGE, {"code": dossier.code, "second_factor": f"{n:04d}"}).status_code
            == 404
        )
    right = Client(REMOTE_ADDR="10.2.1.1").get(
        PAGE, {"code": dossier.code, "second_factor": "4321"}
    )
    assert right.status_code == 429
    assert "khóa" in right.content.decode()
    api = APIClient(REMOTE_ADDR="10.2.1.2").get(
        API, {"code": dossier.code, "second_factor": "4321"}
    )
    assert api.status_code == 429 and "detail" in api.json()
    # another dossier is not affected, and the QR token still works
    other = world.received()
    assert (
        Client(REMOTE_ADDR="10.2.1.3")
        .get(PAGE, {"code": other.code, "second_factor": "4321"})
        .status_code
        == 200
    )
    assert Client(REMOTE_ADDR="10.2.1.4").get(f"{PAGE}{dossier.tracking_token}/").status_code == 200


def test_a_client_is_limited_per_minute_across_page_and_api(world):
    dossier = world.received()
    client, api = Client(REMOTE_ADDR="10.3.0.1"), APIClient(REMOTE_ADDR="10.3.0.1")
    codes = [f"000.00.99.H18-20260101-{n:07d}" for n in range(settings.TRACKING_CLIENT_RATE)]
    for n, code in enumerate(codes):  # unknown codes: no code lock, only the client's count
        target = client if n % 2 else api
        assert (
            target.get(PAGE if n % 2 else API, {"code": code, "second_factor": "1234"}).status_code
            == 404
        )
    assert client.get(PAGE, {"code": dossier.code, "second_factor": "4321"}).status_code == 429
    assert (
        Client(REMOTE_ADDR="10.3.0.2")
        .get(PAGE, {"code": dossier.code, "second_factor": "4321"})
        .status_code
        == 200
    )


def test_forged_x_forwarded_for_does_not_reset_the_count(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    codes = [f"000.00.99.H18-20260102-{n:07d}" for n in range(settings.TRACKING_CLIENT_RATE)]
    for n, code in enumerate(codes):
        # the caller writes a new address each time; our proxy (the peer) appends the real one
        response = Client(REMOTE_ADDR="172.16.0.1").get(
            PAGE,
            {"code": code, "second_factor": "1234"},
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7",
        )
        assert response.status_code == 404
    blocked = Client(REMOTE_ADDR="172.16.0.1").get(
        PAGE,
        {"code": codes[0], "second_factor": "1234"},
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7",
    )
    assert blocked.status_code == 429
    # another real client behind the same proxy is not blocked
    assert (
        Client(REMOTE_ADDR="172.16.0.1")
        .get(PAGE, {"code": codes[0], "second_factor": "1234"}, HTTP_X_FORWARDED_FOR="203.0.113.8")
        .status_code
        == 404
    )


def test_without_trusted_proxies_x_forwarded_for_is_ignored(world):
    from portal.core.ratelimit import client_ip

    request = Client().get  # noqa: F841
    from django.test import RequestFactory

    req = RequestFactory().get("/", REMOTE_ADDR="10.4.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert client_ip(req) == "10.4.0.1"
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT


def test_unknown_code_and_wrong_factor_do_the_same_queries(world):
    dossier = world.received()
    with CaptureQueriesContext(connection) as unknown:
        assert selectors.track_public("000.00.99.H18-20260103-0000001", "4321") is None
    with CaptureQueriesContext(connection) as wrong:
        assert selectors.track_public(dossier.code, "0000") is None
    assert len(unknown) == len(wrong) == 1
    assert selectors.track_public(dossier.code, "4321") is not None


def test_non_ascii_digits_and_nul_bytes_are_no_500(world):
    client = Client(raise_request_exception=False)
    for factor in ("٤٣٢١", "４３２１", "²³⁴¹"):
        dossier = (
            world.received()
        )  # a fresh code each time: two failures per code stay under the lock
        assert client.get(PAGE, {"code": dossier.code, "second_factor": factor}).status_code in (
            200,
            404,
        )
        assert (
            APIClient().get(API, {"code": dossier.code, "second_factor": factor}).status_code == 404
        )
    assert (
        client.get(PAGE, {"code": "abc\x00", "second_factor": "4321"}).status_code == 200
    )  # the form's message
    assert APIClient().get(API, {"code": "abc\x00", "second_factor": "4321"}).status_code == 404
    assert client.get(f"{PAGE}ab%00cd/").status_code == 404
    assert APIClient().get("/api/v1/tracking/qr/ab%00cd/").status_code == 404


def test_the_public_answer_has_no_internal_workflow(world):
    dossier = world.examining()
    body = APIClient().get(API, {"code": dossier.code, "second_factor": "4321"}).json()
    assert all("timeliness" not in step for step in body["steps"])
    assert all(set(event) == {"status", "status_name", "at"} for event in body["timeline"])
    statuses = [e["status"] for e in body["timeline"]]
    assert all(a != b for a, b in zip(statuses, statuses[1:], strict=False))  # status changes only
