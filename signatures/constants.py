"""Choices of the signatures app (chữ ký số)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuthorityKind(models.TextChoices):
    """The province's own PKI identities (demo and tests; in production these are external)."""

    ROOT = "root", _("Root CA")
    ISSUING = "issuing", _("Issuing CA")
    TSA = "tsa", _("Time-stamp authority")


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class RevocationReason(models.TextChoices):
    """RFC 5280 §5.3.1 reason codes an administrator may choose."""

    UNSPECIFIED = "unspecified", _("Unspecified")
    KEY_COMPROMISE = "key_compromise", _("Key compromise")
    AFFILIATION_CHANGED = "affiliation_changed", _("Affiliation changed")
    SUPERSEDED = "superseded", _("Superseded")
    CESSATION_OF_OPERATION = "cessation_of_operation", _("Cessation of operation")


class KeyStorage(models.TextChoices):
    PKCS11 = "pkcs11", _("PKCS#11 token")
    PKCS12 = "pkcs12", _("Imported PKCS#12 file (encrypted)")


class AuditKind(models.TextChoices):
    SIGN = "sign", _("Document signed")
    SIGN_FAILED = "sign_failed", _("Signing failed")
    VERIFY_FAILED = "verify_failed", _("Verification failed")
    CERT_ISSUED = "cert_issued", _("Certificate issued")
    CERT_REVOKED = "cert_revoked", _("Certificate revoked")
    CERT_IMPORTED = "cert_imported", _("Certificate imported")
    PKI_CREATED = "pki_created", _("PKI created")


class Verdict(models.TextChoices):
    """Plain-words outcome of one signature's verification."""

    VALID = "valid", _("Valid")
    CHANGED = "changed", _("Changed after signing")
    UNTRUSTED = "untrusted", _("Untrusted signer")
    REVOKED = "revoked", _("Certificate revoked")
    EXPIRED = "expired", _("Certificate expired")


class PadesLevel(models.TextChoices):
    B_T = "B-T", "PAdES B-T"
    B_LT = "B-LT", "PAdES B-LT"
    B_LTA = "B-LTA", "PAdES B-LTA"
