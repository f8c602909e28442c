"""A signing identity: a private key and its certificate chain (leaf first).

The edXML envelopes of the inter-agency exchange are signed with one (:mod:`documents.edxml`);
the agencies' organisation certificates produce them (:mod:`signatures.agency_keys`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa


@dataclass
class SigningIdentity:
    """The sending organ's key and certificate chain (leaf first) used to sign envelopes."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    chain: list[x509.Certificate]
