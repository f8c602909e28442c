"""The exchange's peers (other portals on the trục liên thông): the ExchangePeer rows kept in the
admin, then the ``EDXML_PEERS`` setting, and which peer serves an organ code. Read by the exchange
(:mod:`documents.exchange`) and by the services that check a recipient before sending.
"""

from __future__ import annotations

import fnmatch
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from django.conf import settings

from .models import ExchangePeer

logger = logging.getLogger("documents.exchange")


@dataclass
class Peer:
    name: str
    organ_code: str
    endpoint_url: str
    trust_roots: list[x509.Certificate] = field(default_factory=list)


def _load_pem(text: str) -> list[x509.Certificate]:
    text = (text or "").strip()
    if not text:
        return []
    try:
        return x509.load_pem_x509_certificates(text.encode())
    except ValueError:
        logger.warning("edxml.peer_bad_pem")
        return []


@lru_cache(maxsize=4)
def _setting_peers(raw: str) -> tuple[Peer, ...]:
    if not raw.strip():
        return ()
    peers = []
    for item in json.loads(raw):
        pem = item.get("trust_roots_pem", "")
        if item.get("trust_roots_file"):
            pem += Path(item["trust_roots_file"]).read_text()
        peers.append(
            Peer(
                item.get("name", item["organ_code"]),
                item["organ_code"],
                item["endpoint_url"],
                _load_pem(pem),
            )
        )
    return tuple(peers)


def peers() -> list[Peer]:
    """Enabled peers: ExchangePeer rows (admin) first, then the ``EDXML_PEERS`` setting."""
    rows = [
        Peer(p.name, p.organ_code, p.endpoint_url, _load_pem(p.trust_roots_pem))
        for p in ExchangePeer.objects.filter(enabled=True)
    ]
    return rows + list(_setting_peers(getattr(settings, "EDXML_PEERS", "") or ""))


def _specificity(pattern: str) -> tuple[int, int]:
    return (0 if "*" in pattern or "?" in pattern else 1, len(pattern.replace("*", "")))


def peer_for(organ_code: str) -> Peer | None:
    """The peer that serves ``organ_code``: an exact code beats a pattern, a longer pattern a shorter."""
    matches = [
        p
        for p in peers()
        if p.organ_code == organ_code or fnmatch.fnmatchcase(organ_code, p.organ_code)
    ]
    return max(matches, key=lambda p: _specificity(p.organ_code)) if matches else None
