"""National e-ID login (VNeID through the national portal's sign-on) against our simulator, a real
OpenID Connect provider (django-oauth-toolkit) in its own process: the happy path, account
linking by citizen ID / tax code, and every refusal the issue lists, each with no session created.

OpenID Connect Core 1.0 §3.1.3.7 (id_token validation), RFC 7636 (PKCE), RFC 8725 §3.1-3.2
(algorithm allow-list: no ``none``, no HS256 with a public key).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from portal.accounts.constants import AccountKind
from portal.accounts.models import EidIdentity, User, VerifiedFact
from tests.eid_support import CALLBACK_PATH, configure, provider_login, start_simulator
from tests.factories.accounts import ApplicantFactory, StaffFactory

HUNG = "011090001234"  # LoA2 citizen
MAI = "011095005678"  # LoA1 citizen
BUSINESS = "011088009999"  # representative of tax code 5600123450

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sim():
    s = start_simulator()
    yield s
    s.stop()


@pytest.fixture
def eid(settings, sim):
    configure(settings, sim)
    sim.arm()  # no fault left over from another test
    return sim


def _start(client: Client, *, muc: int | None = None, next_url: str = "/ho-so/cua-toi/") -> str:
    url = f"/tai-khoan/vneid/dang-nhap/?next={next_url}" + (f"&muc={muc}" if muc else "")
    resp = client.get(url)
    assert resp.status_code == 302
    return resp["Location"]


def _callback(client: Client, location: str):
    parts = urlsplit(location)
    assert parts.path == CALLBACK_PATH
    return client.get(f"{parts.path}?{parts.query}")


def _assert_refused(client: Client, resp, users_before: int, caplog=None, reason: str = "") -> None:
    assert resp.status_code == 403, resp.content[:300]
    if caplog is not None:
        reasons = [r.reason for r in caplog.records if r.getMessage() == "eid.refused"]
        assert reasons and reasons[-1].startswith(reason), reasons
    assert b'id="eid-refused"' in resp.content
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users_before
    assert not EidIdentity.objects.exists()
    assert client.get("/ho-so/cua-toi/").status_code == 302  # still anonymous: sent to log in


def test_login_creates_citizen_with_verified_facts(eid):
    client = Client()
    authorize = _start(client)
    q = parse_qs(urlsplit(authorize).query)
    assert q["code_challenge_method"] == ["S256"] and q["code_challenge"][0]
    assert q["state"][0] and q["nonce"][0] and q["acr_values"] == ["LoA1"]
    resp = _callback(client, provider_login(authorize, HUNG))
    assert resp.status_code == 302 and resp["Location"] == "/ho-so/cua-toi/"
    user = User.objects.get(citizen_id=HUNG)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert user.kind == AccountKind.CITIZEN and user.full_name == "Lò Văn Hùng"
    assert not user.has_usable_password()
    link = user.eid_identities.get()
    assert link.issuer == eid.issuer and link.assurance_level == 2
    facts = {f.name: f for f in VerifiedFact.objects.filter(user=user)}
    assert facts["NgayThangNamSinh"].value == "15/03/1990"
    assert facts["SoDinhDanh"].source == eid.issuer and facts["SoDinhDanh"].verified_at is not None
    assert facts["loAs"].value == "LoA2" and facts["TechID"].value
    assert client.session["vneid_login"]["loa"] == 2


def test_existing_citizen_is_linked_by_citizen_id(eid):
    existing = ApplicantFactory(citizen_id=HUNG, full_name="Lo Van Hung")
    client = Client()
    authorize = _start(client)
    assert _callback(client, provider_login(authorize, HUNG)).status_code == 302
    assert int(client.session["_auth_user_id"]) == existing.pk
    existing.refresh_from_db()
    assert existing.full_name == "Lò Văn Hùng"  # the verified name replaces the typed one
    assert User.objects.filter(citizen_id=HUNG).count() == 1


def test_business_is_linked_by_tax_code(eid):
    client = Client()
    authorize = _start(client)
    assert _callback(client, provider_login(authorize, BUSINESS)).status_code == 302
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert user.kind == AccountKind.BUSINESS and user.tax_code == "5600123450"
    assert user.organisation_name == "Công ty TNHH Mường Thanh Xanh"


def test_staff_account_is_never_linked(eid):
    StaffFactory(citizen_id=HUNG, kind=AccountKind.STAFF)
    client = Client()
    before = User.objects.count()
    authorize = _start(client)
    resp = _callback(client, provider_login(authorize, HUNG))
    # The staff account is not a citizen account: a new citizen account is made, the staff one untouched.
    assert resp.status_code == 302
    assert User.objects.count() == before + 1
    assert User.objects.get(pk=client.session["_auth_user_id"]).kind == AccountKind.CITIZEN


@pytest.mark.parametrize(
    "fault",
    [
        "tampered",
        "alg_none",
        "hs256_pubkey",
        "wrong_key",
        "wrong_iss",
        "wrong_aud",
        "expired",
        "wrong_nonce",
        "userinfo_sub",
    ],
)
def test_bad_tokens_are_refused_without_a_session(eid, fault, caplog):
    client = Client()
    before = User.objects.count()
    authorize = _start(client)
    eid.arm(fault)
    reason = {
        "userinfo_sub": "userinfo_sub",
        "expired": "id_token:ExpiredTokenError",
        "wrong_iss": "id_token:InvalidClaimError",
        "wrong_aud": "id_token:InvalidClaimError",
        "wrong_nonce": "id_token:InvalidClaimError",
        "tampered": "id_token:BadSignatureError",
        "wrong_key": "id_token:BadSignatureError",
    }.get(fault, "id_token:")
    _assert_refused(
        client, _callback(client, provider_login(authorize, HUNG)), before, caplog, reason
    )


def test_replayed_state_is_refused(eid, caplog):
    client = Client()
    authorize = _start(client)
    location = provider_login(authorize, HUNG)
    assert _callback(client, location).status_code == 302
    client.post("/tai-khoan/dang-xuat/")
    User.objects.all().delete()
    for again in (client, Client()):
        _assert_refused(again, _callback(again, location), 0, caplog, "state")


def test_replayed_code_is_refused(eid, caplog):
    """The same code twice, even with the right verifier and a fresh state: the provider refuses."""
    victim = Client()
    authorize = _start(victim)
    location = provider_login(authorize, HUNG)
    state1 = parse_qs(urlsplit(location).query)["state"][0]
    verifier1 = victim.session["vneid_pending"][state1]["verifier"]
    assert _callback(victim, location).status_code == 302
    User.objects.all().delete()
    attacker = Client()
    state2 = parse_qs(urlsplit(_start(attacker)).query)["state"][0]
    session = attacker.session
    session["vneid_pending"][state2]["verifier"] = verifier1
    session.save()
    code1 = parse_qs(urlsplit(location).query)["code"][0]
    _assert_refused(
        attacker, attacker.get(f"{CALLBACK_PATH}?code={code1}&state={state2}"), 0, caplog, "token:"
    )


@pytest.mark.parametrize(
    "verifier", ["", "a-wrong-verifier-0123456789012345678901234567890123456789"]
)
def test_missing_or_wrong_pkce_verifier_is_refused(eid, verifier, caplog):
    client = Client()
    before = User.objects.count()
    authorize = _start(client)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    session = client.session
    session["vneid_pending"][state]["verifier"] = verifier
    session.save()
    _assert_refused(
        client, _callback(client, provider_login(authorize, HUNG)), before, caplog, "token:"
    )


def test_loa1_account_is_refused_for_a_level4_procedure(eid, caplog):
    client = Client()
    before = User.objects.count()
    authorize = _start(client, muc=2)
    assert parse_qs(urlsplit(authorize).query)["acr_values"] == ["LoA2"]
    resp = _callback(client, provider_login(authorize, MAI))
    _assert_refused(client, resp, before, caplog, "loa")
    assert "level-2" in resp.content.decode() or "mức độ 2" in resp.content.decode()


def test_loa_downgraded_by_the_provider_is_refused_for_level4(eid, caplog):
    client = Client()
    before = User.objects.count()
    authorize = _start(client, muc=2)
    eid.arm("loa1")
    _assert_refused(
        client, _callback(client, provider_login(authorize, HUNG)), before, caplog, "loa"
    )


def test_loa1_account_may_log_in_for_ordinary_use(eid):
    client = Client()
    authorize = _start(client)
    assert _callback(client, provider_login(authorize, MAI)).status_code == 302
    assert client.session["vneid_login"]["loa"] == 1


def test_claims_posted_by_the_browser_are_refused(eid):
    client = Client()
    before = User.objects.count()
    claims = {"SoDinhDanh": HUNG, "HoVaTen": "Lò Văn Hùng", "loAs": "LoA2", "IAL": "2", "sub": "x"}
    resp = client.post(CALLBACK_PATH, claims)
    assert resp.status_code == 405
    assert "_auth_user_id" not in client.session
    authorize = _start(client)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    # Claims or a forged id_token in the query, with a live state but no code from the provider.
    _assert_refused(
        client,
        client.get(CALLBACK_PATH, {**claims, "state": state, "id_token": "e30.e30."}),
        before,
    )


def test_open_redirect_in_next_is_ignored(eid):
    client = Client()
    authorize = _start(client, next_url="https://evil.example/steal")
    resp = _callback(client, provider_login(authorize, HUNG))
    assert resp.status_code == 302 and resp["Location"] == "/ho-so/cua-toi/"


def test_logout_ends_the_provider_session_too(eid):
    client = Client()
    authorize = _start(client)
    assert _callback(client, provider_login(authorize, HUNG)).status_code == 302
    resp = client.post("/tai-khoan/dang-xuat/")
    assert resp.status_code == 302
    end = urlsplit(resp["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{eid.issuer}/logout/"
    q = parse_qs(end.query)
    assert q["id_token_hint"][0].count(".") == 2 and q["post_logout_redirect_uri"] == [
        "http://testserver/"
    ]
    assert "_auth_user_id" not in client.session


def test_login_off_without_configuration(settings):
    settings.VNEID_ISSUER = ""
    resp = Client().get("/tai-khoan/vneid/dang-nhap/")
    assert resp.status_code == 403
    assert b"not configured" in resp.content or "chưa được cấu hình".encode() in resp.content


def test_the_simulators_login_page_speaks_vietnamese_from_its_catalogue(eid):
    """Issue 18: the simulator's login page was hard-coded Vietnamese. Its strings now go through
    gettext (English msgids, national/vneid_simulator/locale/vi): Vietnamese by default, as
    VNeID's own page; English when the browser asks for it; a wrong password says so."""
    import requests

    login = f"{eid.base_url}/accounts/login/"
    vi = requests.get(login, timeout=10)
    assert vi.status_code == 200
    for text in ("Số định danh cá nhân", "Mật khẩu", "Đăng nhập", "không phải VNeID thật"):
        assert text in vi.text, text
    assert 'lang="vi"' in vi.text and "Personal identification number" not in vi.text

    en = requests.get(login, headers={"Accept-Language": "en"}, timeout=10)
    assert "Personal identification number" in en.text and 'lang="en"' in en.text
    assert "Số định danh cá nhân" not in en.text

    s = requests.Session()
    s.get(login, timeout=10)
    wrong = s.post(
        login,
        data={
            "username": HUNG,
            "password": "not-the-password",
            "csrfmiddlewaretoken": s.cookies["vneid_sim_csrf"],
        },
        timeout=10,
    )
    assert "Số định danh hoặc mật khẩu không đúng." in wrong.text
