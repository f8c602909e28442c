"""The simulator's fault switch: faults armed for the next token(s), taken one by one.

One process serves the simulator (threads, not forks), so a lock and a list are the whole state.
"""

from __future__ import annotations

import threading

#: Faults the simulator knows. Each makes the *next* id_token (or userinfo answer) wrong in one way.
KINDS = {
    "alg_none",  # header alg=none, no signature
    "hs256_pubkey",  # HS256, the public key's PEM as the HMAC secret (the key-confusion attack)
    "wrong_key",  # RS256 signed with another RSA key under the same kid
    "tampered",  # a claim changed after signing
    "wrong_iss",  # another issuer
    "wrong_aud",  # another audience
    "expired",  # exp in the past
    "wrong_nonce",  # a nonce that is not the one the relying party sent
    "userinfo_sub",  # the userinfo answer names another subject than the id_token
    "loa1",  # the identity is reported at assurance level 1 (loAs LoA1, IAL 1)
}

_lock = threading.Lock()
_armed: list[str] = []


def arm(kinds: list[str]) -> None:
    unknown = set(kinds) - KINDS
    if unknown:
        raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
    with _lock:
        _armed.extend(kinds)


def take(kind: str) -> bool:
    """Consume one armed fault of this kind, if any."""
    with _lock:
        if kind in _armed:
            _armed.remove(kind)
            return True
    return False


def peek(kind: str) -> bool:
    with _lock:
        return kind in _armed


def reset() -> None:
    with _lock:
        _armed.clear()


def armed() -> list[str]:
    with _lock:
        return list(_armed)
