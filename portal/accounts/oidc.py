"""National e-ID login: an OpenID Connect relying party for VNeID through the national portal's
sign-on (Hệ thống xác thực tập trung của Cổng DVCQG; see ``docs/vneid-oidc.md`` for the sources).

The flow is the authorization code flow (OpenID Connect Core 1.0 §3.1) with PKCE S256 (RFC 7636),
``state`` and ``nonce``; ``acr_values=LoA2`` asks for assurance level 2 where a level-4 procedure
needs it. Everything that makes a login is checked on the server, from what the provider says over
the back channel, never from what the browser posts (the anti-pattern of DESIGN §4):

* ``state`` names a one-time transaction kept in the session (a replayed or unknown state is refused);
* the code is exchanged at the token endpoint with the client secret and the PKCE verifier
  (authlib's :class:`~authlib.integrations.requests_client.OAuth2Session`);
* the id_token is verified with joserfc against the provider's JWKS, with an allow-list of
  algorithms (``VNEID_ALGORITHMS``, RS256: ``none`` and HS256 never pass), and its ``iss``, ``aud``
  (and ``azp``), ``exp``, ``iat`` and ``nonce`` are checked;
* userinfo is fetched server-side with the access token, and its ``sub`` must be the id_token's;
* the assurance level (``loAs`` "LoA2", or ``IAL``) must reach what the login asked for.

Only then is the account found or created (:func:`portal.accounts.services.eid_link_account`) and
the session started. Any failure raises :class:`EidLoginError`; the view shows its message and no
session is created.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

log = logging.getLogger("portal.eid")

SESSION_PENDING = "vneid_pending"
SESSION_LOGIN = "vneid_login"
#: A login transaction older than this is refused (the user took too long at the provider).
PENDING_MAX_AGE = 600
PENDING_MAX = 5


class EidLoginError(Exception):
    """A refused e-ID login: ``code`` for the log, ``message`` for the citizen."""

    def __init__(self, code: str, message: Any = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message or _(
            "The national e-ID login could not be completed. Please try again."
        )


@dataclass(frozen=True)
class ProviderConfig:
    issuer: str
    client_id: str
    client_secret: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str
    algorithms: tuple[str, ...]


def is_enabled() -> bool:
    return bool(settings.VNEID_ISSUER and settings.VNEID_CLIENT_ID and settings.VNEID_CLIENT_SECRET)


def _get_json(url: str) -> dict:
    resp = requests.get(url, timeout=settings.VNEID_TIMEOUT)
    resp.raise_for_status()
    return resp.json()


def provider() -> ProviderConfig:
    """The provider's endpoints: explicit settings first, else its discovery document (cached)."""
    if not is_enabled():
        raise EidLoginError(
            "disabled", _("Login with the national e-ID is not configured on this portal.")
        )
    issuer = settings.VNEID_ISSUER.rstrip("/")
    key = f"vneid:discovery:{issuer}"
    meta = cache.get(key)
    needed = (
        "VNEID_AUTHORIZATION_ENDPOINT",
        "VNEID_TOKEN_ENDPOINT",
        "VNEID_USERINFO_ENDPOINT",
        "VNEID_JWKS_URI",
    )
    if meta is None and not all(getattr(settings, n) for n in needed):
        try:
            meta = _get_json(f"{issuer}/.well-known/openid-configuration")
        except (requests.RequestException, ValueError) as exc:
            log.warning("eid.discovery_failed", extra={"issuer": issuer, "error": str(exc)})
            raise EidLoginError(
                "discovery",
                _("The national e-ID service cannot be reached. Please try again later."),
            ) from exc
        if meta.get("issuer", "").rstrip("/") != issuer:
            raise EidLoginError("discovery_issuer")
        cache.set(key, meta, 3600)
    meta = meta or {}
    return ProviderConfig(
        issuer=issuer,
        client_id=settings.VNEID_CLIENT_ID,
        client_secret=settings.VNEID_CLIENT_SECRET,
        authorization_endpoint=settings.VNEID_AUTHORIZATION_ENDPOINT
        or meta.get("authorization_endpoint", ""),
        token_endpoint=settings.VNEID_TOKEN_ENDPOINT or meta.get("token_endpoint", ""),
        userinfo_endpoint=settings.VNEID_USERINFO_ENDPOINT or meta.get("userinfo_endpoint", ""),
        jwks_uri=settings.VNEID_JWKS_URI or meta.get("jwks_uri", ""),
        end_session_endpoint=settings.VNEID_END_SESSION_ENDPOINT
        or meta.get("end_session_endpoint", ""),
        algorithms=tuple(settings.VNEID_ALGORITHMS),
    )


def _keyset(cfg: ProviderConfig, *, refresh: bool = False) -> KeySet:
    key = f"vneid:jwks:{cfg.jwks_uri}"
    data: Any = None if refresh else cache.get(key)
    if data is None:
        try:
            data = _get_json(cfg.jwks_uri)
        except (requests.RequestException, ValueError) as exc:
            raise EidLoginError("jwks") from exc
        cache.set(key, data, 3600)
    return KeySet.import_key_set(data)


# --- step 1: to the provider --------------------------------------------------------------------


def begin(request: Any, *, redirect_uri: str, next_url: str, min_loa: int = 1) -> str:
    """Start a login: remember a one-time transaction in the session, return the provider's URL."""
    cfg = provider()
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    pending = {
        s: t
        for s, t in request.session.get(SESSION_PENDING, {}).items()
        if time.time() - t["at"] < PENDING_MAX_AGE
    }
    while len(pending) >= PENDING_MAX:
        pending.pop(min(pending, key=lambda s: pending[s]["at"]))
    pending[state] = {
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "min_loa": int(min_loa),
        "redirect_uri": redirect_uri,
        "at": time.time(),
    }
    request.session[SESSION_PENDING] = pending
    params = {
        "response_type": "code",
        "client_id": cfg.client_id,
        "redirect_uri": redirect_uri,
        "scope": settings.VNEID_SCOPES,
        "state": state,
        "nonce": nonce,
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        "acr_values": f"LoA{max(1, int(min_loa))}",
    }
    return f"{cfg.authorization_endpoint}?{urlencode(params)}"


# --- step 2: back from the provider -------------------------------------------------------------


@dataclass
class EidResult:
    issuer: str
    subject: str
    claims: dict[str, Any]
    assurance_level: int
    id_token: str
    next_url: str


_LOA = re.compile(r"^\s*LoA\s*(\d)\s*$", re.I)


def assurance_level(claims: dict[str, Any]) -> int:
    """VNeID's level from ``loAs`` ("LoA2") and ``IAL`` (2); the lower one when both are given."""
    levels = []
    m = _LOA.match(str(claims.get("loAs", "")))
    if m:
        levels.append(int(m.group(1)))
    try:
        if claims.get("IAL") not in (None, ""):
            levels.append(int(claims["IAL"]))
    except (TypeError, ValueError):
        pass
    return min(levels) if levels else 0


def _header(compact: str) -> dict[str, Any]:
    try:
        head = compact.split(".", 1)[0]
        return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, IndexError) as exc:
        raise EidLoginError("id_token:header") from exc


def verify_id_token(cfg: ProviderConfig, id_token: str, *, nonce: str) -> dict[str, Any]:
    """Signature (JWKS, allowed algorithms only), then iss, aud/azp, exp, iat, nonce, sub."""
    try:
        keys = _keyset(cfg)
        kid = _header(id_token).get("kid")
        if kid and kid not in {k.kid for k in keys.keys}:
            keys = _keyset(cfg, refresh=True)  # the provider rotated its keys
        token = jwt.decode(id_token, keys, algorithms=list(cfg.algorithms))
        claims = dict(token.claims)
        jwt.JWTClaimsRegistry(
            leeway=settings.VNEID_CLOCK_SKEW,
            iss={"essential": True, "value": cfg.issuer},
            aud={"essential": True, "value": cfg.client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise EidLoginError(f"id_token:{type(exc).__name__}") from exc
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != cfg.client_id:
        raise EidLoginError("id_token:azp")
    return claims


def complete(request: Any, *, params: dict[str, str]) -> EidResult:
    """Finish a login from the provider's redirect (query parameters only): checks as above."""
    cfg = provider()
    if params.get("error"):
        raise EidLoginError(
            f"provider:{params.get('error')}",
            _("The national e-ID login was cancelled or refused."),
        )
    state, code = params.get("state", ""), params.get("code", "")
    pending = request.session.get(SESSION_PENDING, {})
    tx = pending.pop(state, None) if state else None
    request.session[SESSION_PENDING] = pending  # the transaction is spent whatever happens next
    if tx is None:
        raise EidLoginError(
            "state",
            _("This e-ID login link has already been used or has expired. Please log in again."),
        )
    if time.time() - tx["at"] > PENDING_MAX_AGE:
        raise EidLoginError(
            "state_expired",
            _("This e-ID login link has already been used or has expired. Please log in again."),
        )
    if not code:
        raise EidLoginError("no_code")
    session = OAuth2Session(
        cfg.client_id,
        cfg.client_secret,
        redirect_uri=tx["redirect_uri"],
        token_endpoint_auth_method="client_secret_basic",
    )
    try:
        fetch: dict[str, Any] = {"code": code, "timeout": settings.VNEID_TIMEOUT}
        if tx.get("verifier"):
            fetch["code_verifier"] = tx["verifier"]
        token = session.fetch_token(cfg.token_endpoint, grant_type="authorization_code", **fetch)
    except Exception as exc:  # authlib raises OAuthError, requests its own; both mean "refused"
        raise EidLoginError(f"token:{type(exc).__name__}") from exc
    id_token = token.get("id_token")
    if not id_token:
        raise EidLoginError("no_id_token")
    claims = verify_id_token(cfg, id_token, nonce=tx["nonce"])
    try:
        resp = requests.get(
            cfg.userinfo_endpoint,
            headers={"Authorization": f"Bearer {token['access_token']}"},
            timeout=settings.VNEID_TIMEOUT,
        )
        resp.raise_for_status()
        if not resp.headers.get("Content-Type", "").startswith("application/json"):
            raise ValueError("userinfo is not JSON")
        userinfo = resp.json()
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise EidLoginError("userinfo") from exc
    if not isinstance(userinfo, dict) or userinfo.get("sub") != claims["sub"]:
        raise EidLoginError("userinfo_sub")
    merged = {**claims, **userinfo}
    level = assurance_level(merged)
    if level < tx["min_loa"]:
        raise EidLoginError(
            "loa",
            _(
                "This procedure needs a level-2 e-ID account (VNeID level 2). Please upgrade your VNeID account and log in again."
            ),
        )
    if not str(merged.get("SoDinhDanh", "")).isdigit() or len(str(merged["SoDinhDanh"])) != 12:
        raise EidLoginError("no_citizen_id")
    return EidResult(
        issuer=cfg.issuer,
        subject=str(claims["sub"]),
        claims=merged,
        assurance_level=level,
        id_token=id_token,
        next_url=tx["next"],
    )


def remember_login(request: Any, result: EidResult) -> None:
    """After ``login()`` rotated the session: what the e-ID said, for level checks and logout."""
    request.session[SESSION_LOGIN] = {
        "issuer": result.issuer,
        "sub": result.subject,
        "loa": result.assurance_level,
        "id_token": result.id_token,
        "at": int(time.time()),
    }


def session_assurance(request: Any) -> int:
    """The assurance level of this session's e-ID login (0: not logged in with the e-ID)."""
    info = request.session.get(SESSION_LOGIN) if hasattr(request, "session") else None
    return int(info.get("loa", 0)) if info else 0


def logout_url(request: Any, *, post_logout_redirect_uri: str) -> str | None:
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the provider's end-session URL."""
    info = request.session.get(SESSION_LOGIN)
    if not info or not is_enabled():
        return None
    try:
        cfg = provider()
    except EidLoginError:
        return None
    if not cfg.end_session_endpoint:
        return None
    return f"{cfg.end_session_endpoint}?" + urlencode(
        {
            "id_token_hint": info["id_token"],
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "client_id": cfg.client_id,
        }
    )
