"""Encryption of private keys at rest (AES-256-GCM under a key-encryption key).

The KEK comes from ``SIGNATURE_KEK`` (production: a secret of its own) or, in the demo, is derived
from ``SECRET_KEY`` with HKDF. A CA key or an imported PKCS#12 file is never stored in plain text.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"portal.signatures.kek.v1"


def _kek() -> bytes:
    secret = (getattr(settings, "SIGNATURE_KEK", "") or settings.SECRET_KEY).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret)


def wrap(plaintext: bytes, *, context: str) -> bytes:
    """Encrypt ``plaintext``; ``context`` (e.g. "ca:root") is bound as associated data."""
    nonce = os.urandom(12)
    return nonce + AESGCM(_kek()).encrypt(nonce, plaintext, context.encode())


def unwrap(blob: bytes, *, context: str) -> bytes:
    blob = bytes(blob)
    return AESGCM(_kek()).decrypt(blob[:12], blob[12:], context.encode())
