"""Does a signer's certificate chain lead to one of our trust roots? (cryptography's RFC 5280 path
validation, with the end-entity policy of a document signer rather than of a TLS client.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.x509 import verification as xv
from signxml.exceptions import InvalidCertificate


def _check_key_usage(policy: object, cert: x509.Certificate, usage: x509.KeyUsage | None) -> None:
    if usage is None or not (usage.digital_signature or usage.content_commitment):
        raise ValueError("the certificate's key usage does not allow signing")


_EE_POLICY = xv.ExtensionPolicy.permit_all().require_present(
    x509.KeyUsage, xv.Criticality.AGNOSTIC, _check_key_usage
)
_CA_POLICY = xv.ExtensionPolicy.webpki_defaults_ca()


class ChainCheck:
    """Plugged into signxml's verifier: ``verify(chain)`` returns the verified leaf certificate or
    raises :class:`InvalidCertificate` (mapped to ``untrusted_signer``)."""

    def __init__(
        self, trust_roots: Sequence[x509.Certificate], *, at: dt.datetime | None = None
    ) -> None:
        self.trust_roots = list(trust_roots)
        self.at = at
        self.leaf: x509.Certificate | None = None
        #: The verified path, leaf first, up to the trust root (its issuer is ``chain[1]``).
        self.chain: list[x509.Certificate] = []

    def _verify(
        self, leaf: x509.Certificate, intermediates: list[x509.Certificate]
    ) -> x509.Certificate:
        builder = (
            xv.PolicyBuilder()
            .store(xv.Store(self.trust_roots))
            .extension_policies(ee_policy=_EE_POLICY, ca_policy=_CA_POLICY)
        )
        builder = builder.time(self.at or dt.datetime.now(dt.UTC))
        verified = builder.build_client_verifier().verify(leaf, intermediates)
        self.chain = list(verified.chain)
        return leaf

    def verify(self, cert_chain: list[x509.Certificate]) -> x509.Certificate:
        if not cert_chain:
            raise InvalidCertificate("no certificate in the signature")
        if not self.trust_roots:
            raise InvalidCertificate("no trust roots configured")
        errors = []
        for ordered in (cert_chain, list(reversed(cert_chain))):
            try:
                self.leaf = self._verify(ordered[0], ordered[1:])
                return self.leaf
            except (xv.VerificationError, ValueError) as exc:
                errors.append(str(exc))
        raise InvalidCertificate(errors[0])


def verify_chain(
    chain: Sequence[x509.Certificate], trust_roots: Sequence[x509.Certificate]
) -> x509.Certificate:
    """Public helper (tests, admin checks): the leaf if ``chain`` (leaf first) is trusted."""
    return ChainCheck(trust_roots).verify(list(chain))


def organ_id_of(cert: x509.Certificate) -> str:
    """The organ code an organisation certificate names (subject UID), or "" if none: lets the
    exchange check that From/OrganId is the organ that signed."""
    values = cert.subject.get_attributes_for_oid(x509.NameOID.USER_ID)
    return str(values[0].value) if values else ""
