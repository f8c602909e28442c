"""django-oauth-toolkit's validator with VNeID's claims and the fault switch."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from oauth2_provider.oauth2_validators import OAuth2Validator

from . import faults
from .identities import by_number

_OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def identity_claims(user) -> dict:
    """The VNeID claims of the logged-in demo identity (username = SoDinhDanh)."""
    claims = dict(
        by_number(user.username)
        or {
            "SoDinhDanh": user.username,
            "HoVaTen": user.get_full_name(),
            "LoaiTaiKhoan": 1,
            "loAs": "LoA1",
            "IAL": 1,
        }
    )
    if faults.peek("loa1"):
        claims.update(loAs="LoA1", IAL=1)
    return claims


class VneidValidator(OAuth2Validator):
    oidc_claim_scope = (
        None  # every claim goes out with the openid scope, as the national sign-on does
    )

    def get_additional_claims(self, request):
        return identity_claims(request.user)

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        if faults.take("userinfo_sub"):
            claims["sub"] = "someone-else"
        faults.take("loa1")
        return claims

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        header_b64, payload_b64, _sig = signed.split(".")
        header = json.loads(_unb64(header_b64))
        claims = json.loads(_unb64(payload_b64))
        changed = False
        if faults.take("wrong_iss"):
            claims["iss"], changed = "https://xacthuc.gia-mao.example/oauth2/token", True
        if faults.take("wrong_aud"):
            claims["aud"], changed = "another-client", True
        if faults.take("expired"):
            claims["exp"], changed = int(time.time()) - 600, True
        if faults.take("wrong_nonce"):
            claims["nonce"], changed = "not-the-nonce-you-sent", True
        if faults.take("alg_none"):
            h = _b64(json.dumps({"typ": "JWT", "alg": "none"}).encode())
            return f"{h}.{_b64(json.dumps(claims).encode())}."
        if faults.take("hs256_pubkey"):
            pem = request.client.jwk_key.export_to_pem(private_key=False, password=None)
            h = _b64(json.dumps({"typ": "JWT", "alg": "HS256", "kid": header.get("kid")}).encode())
            p = _b64(json.dumps(claims).encode())
            mac = hmac.new(pem, f"{h}.{p}".encode(), hashlib.sha256).digest()
            return f"{h}.{p}.{_b64(mac)}"
        if faults.take("tampered"):
            claims["HoVaTen"] = "Kẻ Mạo Danh"
            return f"{header_b64}.{_b64(json.dumps(claims).encode())}.{_sig}"
        key = None
        if faults.take("wrong_key"):
            key = _OTHER_KEY
        elif changed:
            pem = request.client.jwk_key.export_to_pem(private_key=True, password=None)
            key = serialization.load_pem_private_key(pem, password=None)
        if key is None:
            return signed
        h = _b64(json.dumps(header).encode())
        p = _b64(json.dumps(claims).encode())
        sig = key.sign(f"{h}.{p}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{h}.{p}.{_b64(sig)}"
