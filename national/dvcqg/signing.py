"""The string a DVCQG push signs (shared by the verifier and the simulator; no Django here)."""

from __future__ import annotations

import hashlib


def signing_string(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """Method, path, timestamp, nonce and the body's SHA-256 (hex), one a line: a signature over
    it binds the request to its endpoint, its time and its exact bytes."""
    return "\n".join(
        [method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]
    ).encode()
