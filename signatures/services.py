"""Every write of the signatures app: the PKI, certificates, signing, signed documents.

Dossier results (issue 3) and inter-agency documents (issue 6) call :func:`sign_pdf` /
:func:`sign_batch` and :func:`signed_document_create`; nothing else needs to know about PKCS#11.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import keywrap, pki, token
from .constants import (
    AuditKind,
    AuthorityKind,
    CertificateStatus,
    KeyStorage,
    PadesLevel,
    RevocationReason,
)
from .models import AuditEvent, CertificateAuthority, SignedDocument, SigningCertificate
from .selectors import intermediate_certs, trust_roots

logger = logging.getLogger(__name__)


class SigningError(Exception):
    """Signing could not be done; the message is safe to show to the official."""


# --- PKI ----------------------------------------------------------------------------------------


def _ca_row(
    *,
    slug: str,
    kind: str,
    cert: x509.Certificate,
    key: pki.PrivateKey,
    parent: CertificateAuthority | None,
) -> CertificateAuthority:
    return CertificateAuthority.objects.create(
        slug=slug,
        kind=kind,
        parent=parent,
        name=cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value,
        cert_pem=pki.cert_to_pem(cert),
        encrypted_key=keywrap.wrap(pki.key_to_pem(key), context=f"ca:{slug}"),
        serial=pki.serial_hex(cert.serial_number),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


@transaction.atomic
def pki_store(*, material: pki.PKIMaterial, actor=None) -> dict[str, CertificateAuthority]:  # type: ignore[no-untyped-def]
    """Store a generated PKI (keys encrypted at rest) and audit it."""
    root = _ca_row(
        slug="root",
        kind=AuthorityKind.ROOT,
        cert=material.root_cert,
        key=material.root_key,
        parent=None,
    )
    issuing = _ca_row(
        slug="issuing",
        kind=AuthorityKind.ISSUING,
        cert=material.issuing_cert,
        key=material.issuing_key,
        parent=root,
    )
    tsa = _ca_row(
        slug="tsa",
        kind=AuthorityKind.TSA,
        cert=material.tsa_cert,
        key=material.tsa_key,
        parent=issuing,
    )
    AuditEvent.objects.create(
        kind=AuditKind.PKI_CREATED,
        actor=actor,
        detail={"base_url": material.base_url, "root_serial": root.serial},
    )
    return {"root": root, "issuing": issuing, "tsa": tsa}


def pki_create(
    *, base_url: str | None = None, replace: bool = False, actor=None
) -> dict[str, CertificateAuthority]:  # type: ignore[no-untyped-def]
    """Create the province's root CA, issuing CA and TSA (``manage.py init_pki``)."""
    if CertificateAuthority.objects.exists():
        if not replace:
            raise ValidationError(_("The PKI already exists."))
        if SigningCertificate.objects.filter(issuer__isnull=False).exists():
            raise ValidationError(_("Certificates were issued by this PKI; it cannot be replaced."))
        CertificateAuthority.objects.filter(kind=AuthorityKind.TSA).delete()
        CertificateAuthority.objects.filter(kind=AuthorityKind.ISSUING).delete()
        CertificateAuthority.objects.all().delete()
    return pki_store(material=pki.generate(base_url=base_url or settings.SITE_URL), actor=actor)


def load_authority(slug: str) -> tuple[CertificateAuthority, x509.Certificate, pki.PrivateKey]:
    """One of the portal's CAs: its row, its certificate and its unwrapped private key."""
    ca = CertificateAuthority.objects.get(slug=slug)
    return (
        ca,
        ca.certificate,
        pki.key_from_pem(keywrap.unwrap(ca.encrypted_key, context=f"ca:{slug}")),
    )


def issuing_base_url(ca_cert: x509.Certificate) -> str:
    """The portal address baked into the PKI (the issuing CA's CRL pointer), so that every
    certificate of one PKI points at the same endpoints even if ``SITE_URL`` changes later."""
    try:
        dps = ca_cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        url = dps[0].full_name[0].value
        return url.split("/chu-ky-so/")[0]
    except (x509.ExtensionNotFound, IndexError):
        return settings.SITE_URL


def crl_bytes(*, ca_slug: str) -> bytes:
    """The current DER CRL of one of our CAs (signed on demand; CRL number = Unix time)."""
    ca, cert, key = load_authority(ca_slug)
    if ca.kind == AuthorityKind.ISSUING:
        revoked = [
            pki.Revoked(int(c.serial, 16), c.revoked_at, c.revocation_reason or "unspecified")
            for c in [
                *ca.issued.filter(status=CertificateStatus.REVOKED),
                *ca.issued_to_agencies.filter(status=CertificateStatus.REVOKED),
            ]
        ]
    else:
        revoked = []
    return pki.build_crl(
        ca_cert=cert, ca_key=key, revoked=revoked, number=int(timezone.now().timestamp())
    )


def local_status(issuer_cert: x509.Certificate, serial: int) -> pki.CertStatus:
    """What the portal's own CA ``issuer_cert`` knows of ``serial`` (good, revoked, unknown): the
    OCSP responder's answer, and the revocation check of a certificate this portal issued."""
    serial_hex = pki.serial_hex(serial)
    issuer = CertificateAuthority.objects.filter(cert_pem=pki.cert_to_pem(issuer_cert)).first()
    if issuer is None:
        return pki.CertStatus("unknown")
    cert = (
        issuer.issued.filter(serial=serial_hex).first()
        or issuer.issued_to_agencies.filter(serial=serial_hex).first()
    )
    if cert is not None:
        if cert.status == CertificateStatus.REVOKED:
            return pki.CertStatus(
                "revoked", cert.revoked_at, cert.revocation_reason or "unspecified"
            )
        return pki.CertStatus("good")
    if issuer.children.filter(serial=serial_hex).exists():
        return pki.CertStatus("good")
    return pki.CertStatus("unknown")


def ocsp_response(*, request_der: bytes) -> bytes:
    """RFC 6960 answer from whichever of our CAs the request is about."""
    authorities = []
    for ca in CertificateAuthority.objects.exclude(kind=AuthorityKind.TSA):
        _ca, cert, key = load_authority(ca.slug)
        authorities.append((cert, key))
    return pki.build_ocsp_response(request_der, authorities=authorities, lookup=local_status)


_TSA_CACHE: dict[tuple[int, str], pki.PortalTimeStampAuthority] = {}


def timestamp_response(*, query_der: bytes) -> bytes:
    """RFC 3161 time-stamp reply from the portal's TSA (key unwrapped once per process)."""
    row = CertificateAuthority.objects.only("pk", "serial").get(slug="tsa")
    responder = _TSA_CACHE.get((row.pk, row.serial))
    if responder is None:
        tsa, cert, key = load_authority("tsa")
        chain = [tsa.parent.certificate] if tsa.parent_id else []
        responder = pki.make_tsa(tsa_cert=cert, tsa_key=key, chain=chain)  # type: ignore[arg-type]
        _TSA_CACHE.clear()
        _TSA_CACHE[(row.pk, row.serial)] = responder
    return responder.respond(query_der)


# --- certificates -------------------------------------------------------------------------------


def _cert_row_fields(cert: x509.Certificate) -> dict:
    def attr(oid: x509.ObjectIdentifier) -> str:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    return {
        "cert_pem": pki.cert_to_pem(cert),
        "serial": pki.serial_hex(cert.serial_number),
        "fingerprint_sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
        "subject_name": attr(x509.NameOID.COMMON_NAME),
        "title": attr(x509.NameOID.TITLE),
        "organisation": attr(x509.NameOID.ORGANIZATION_NAME),
    }


def certificate_issue_on_token(
    *, user, pin: str, actor=None, token_label: str | None = None, days: int = 730
) -> SigningCertificate:  # type: ignore[no-untyped-def]
    """Create a token for the official, generate an ECDSA P-256 key pair ON it, issue the
    certificate from the issuing CA and store it both on the token and in the database.

    The private key is generated non-extractable: it never leaves the token.
    """
    import pkcs11
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

    if len(pin) < 4:
        raise ValidationError(_("The PIN must have at least 4 characters."))
    if not (user.full_name or "").strip():
        raise ValidationError(_("The official has no full name."))
    if not CertificateAuthority.objects.filter(slug="issuing").exists():
        raise ValidationError(
            _("The signing PKI does not exist yet: create it first (manage.py init_pki).")
        )
    ca, ca_cert, ca_key = load_authority("issuing")
    label = token_label or f"cks-{user.pk}-{secrets.token_hex(4)}"
    token.init_softhsm_token(label=label, pin=pin, so_pin=secrets.token_hex(16))
    key_id = secrets.token_bytes(8)
    with token.session(label, pin, rw=True) as sess:
        params = sess.create_domain_parameters(
            pkcs11.KeyType.EC,
            {pkcs11.Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True,
        )
        public, _private = params.generate_keypair(
            store=True,
            label=label,
            id=key_id,
            private_template={
                pkcs11.Attribute.SENSITIVE: True,
                pkcs11.Attribute.EXTRACTABLE: False,
            },
        )
        public_key = serialization.load_der_public_key(encode_ec_public_key(public))
        agency = getattr(user, "agency", None)
        cert = pki.build_signing_cert(
            public_key=public_key,
            full_name=user.full_name,
            title=getattr(user, "position", "") or "",
            organisation=agency.name if agency else "",
            email=user.email or "",
            ca_cert=ca_cert,
            ca_key=ca_key,
            ca_slug=ca.slug,
            endpoints=pki.Endpoints(issuing_base_url(ca_cert)),
            days=days,
        )
        der = cert.public_bytes(serialization.Encoding.DER)
        sess.create_object(
            {
                pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE,
                pkcs11.Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                pkcs11.Attribute.TOKEN: True,
                pkcs11.Attribute.LABEL: label,
                pkcs11.Attribute.ID: key_id,
                pkcs11.Attribute.SUBJECT: cert.subject.public_bytes(),
                pkcs11.Attribute.ISSUER: cert.issuer.public_bytes(),
                pkcs11.Attribute.SERIAL_NUMBER: asn1_x509.Certificate.load(der)
                .serial_number.to_bytes(20, "big")
                .lstrip(b"\0")
                or b"\0",
                pkcs11.Attribute.VALUE: der,
            }
        )
    with transaction.atomic():
        row = SigningCertificate.objects.create(
            user=user,
            issuer=ca,
            key_storage=KeyStorage.PKCS11,
            token_label=label,
            key_id=key_id.hex(),
            chain_pem=ca.cert_pem + ca.parent.cert_pem if ca.parent_id else ca.cert_pem,
            **_cert_row_fields(cert),
        )
        AuditEvent.objects.create(
            kind=AuditKind.CERT_ISSUED,
            actor=actor,
            certificate=row,
            detail={"serial": row.serial, "token": label},
        )
    logger.info("signatures.cert_issued", extra={"serial": row.serial, "user": user.pk})
    return row


def certificate_import_pkcs12(
    *, user, pkcs12_bytes: bytes, password: str, actor=None
) -> SigningCertificate:  # type: ignore[no-untyped-def]
    """Import an official's PKCS#12 file. It stays protected by the official's password and is
    additionally encrypted at rest with the portal's key-encryption key."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(pkcs12_bytes, password.encode())
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            _("The file is not a PKCS#12 file or the password is wrong.")
        ) from exc
    if key is None or cert is None:
        raise ValidationError(_("The PKCS#12 file holds no key and certificate."))
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not usage.content_commitment:
            raise ValidationError(_("The certificate lacks the non-repudiation key usage."))
    except x509.ExtensionNotFound as exc:
        raise ValidationError(_("The certificate lacks the non-repudiation key usage.")) from exc
    fields = _cert_row_fields(cert)
    if SigningCertificate.objects.filter(serial=fields["serial"]).exists():
        raise ValidationError(_("This certificate has already been imported."))
    issuer = None
    for ca in CertificateAuthority.objects.filter(kind=AuthorityKind.ISSUING):
        if ca.certificate.subject == cert.issuer:
            issuer = ca
    with transaction.atomic():
        row = SigningCertificate.objects.create(
            user=user,
            issuer=issuer,
            key_storage=KeyStorage.PKCS12,
            chain_pem="".join(pki.cert_to_pem(c) for c in (extra or [])),
            encrypted_pkcs12=keywrap.wrap(pkcs12_bytes, context=f"p12:{fields['serial']}"),
            **fields,
        )
        AuditEvent.objects.create(
            kind=AuditKind.CERT_IMPORTED,
            actor=actor,
            certificate=row,
            detail={"serial": row.serial},
        )
    return row


def certificate_revoke(
    *, certificate: SigningCertificate, actor=None, reason: str = RevocationReason.UNSPECIFIED
) -> SigningCertificate:  # type: ignore[no-untyped-def]
    """Revoke: from now on OCSP answers "revoked" and the CRL lists it."""
    if reason not in RevocationReason.values:
        raise ValidationError(_("Unknown revocation reason."))
    return mark_revoked(
        SigningCertificate,
        certificate.pk,
        reason=reason,
        audit=lambda cert: {
            "actor": actor,
            "certificate": cert,
            "detail": {"serial": cert.serial, "reason": reason},
        },
    )


def mark_revoked(model, pk: int, *, reason: str, audit):  # type: ignore[no-untyped-def]
    """Revoke one certificate row (an official's or an agency's) under its row lock, with its
    audit event in the same transaction; a certificate already revoked is left as it was.
    ``audit(cert)`` gives the AuditEvent's fields besides its kind."""
    with transaction.atomic():
        cert = model.objects.select_for_update().get(pk=pk)
        if cert.status == CertificateStatus.REVOKED:
            return cert
        cert.status = CertificateStatus.REVOKED
        cert.revoked_at = timezone.now().replace(microsecond=0)
        cert.revocation_reason = reason
        cert.save(update_fields=["status", "revoked_at", "revocation_reason"])
        AuditEvent.objects.create(kind=AuditKind.CERT_REVOKED, **audit(cert))
    return cert


# --- signing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StampSpec:
    """The visible signature (Decree 30/2020/NĐ-CP, Appendix I §II: signer, position, agency, time;
    the agency's seal in red for the clerical office's issuing signature).

    ``box`` is (x1, y1, x2, y2) in PDF points on ``page`` (0-based; -1 = last page). ``extra_lines``
    carry e.g. the document number and date for the clerical office's signature.
    """

    page: int = -1
    box: tuple[int, int, int, int] = (320, 40, 565, 130)
    signature_image: bytes | None = None
    seal_image: bytes | None = None
    extra_lines: tuple[str, ...] = ()
    verify_url: str = ""
    visible: bool = True


@dataclass(frozen=True)
class FieldSpec:
    name: str
    page: int = -1
    box: tuple[int, int, int, int] = (320, 40, 565, 130)


def _reader_page(reader, page: int) -> int:  # type: ignore[no-untyped-def]
    count = int(reader.root["/Pages"]["/Count"])
    return count + page if page < 0 else page


def prepare_signature_fields(*, pdf_bytes: bytes, fields: Sequence[FieldSpec]) -> bytes:
    """Create every signature field before the first signature, so later signers only fill an
    existing field (adding a field after a signature is a change the earlier signature flags)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    writer = _writer(pdf_bytes)
    assert isinstance(writer, IncrementalPdfFileWriter)
    for spec in fields:
        append_signature_field(
            writer,
            SigFieldSpec(
                sig_field_name=spec.name, on_page=_reader_page(writer.prev, spec.page), box=spec.box
            ),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _writer(pdf_bytes: bytes):  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfReadError

    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise SigningError(_("The document is not a readable PDF.")) from exc


def _stamp_font_path() -> str:
    """The stamp font cut down once to the glyphs Vietnamese needs (Latin, Latin Extended
    Additional, combining marks, punctuation): pyHanko subsets the font at every signature, and
    a 500 KB Noto Sans made that the slowest step of signing."""
    from fontTools import subset

    source = Path(settings.SIGNATURE_FONT)
    target = Path(settings.VAR_DIR) / "fonts" / f"{source.stem}-vi.ttf"
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        target.parent.mkdir(parents=True, exist_ok=True)
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        unicodes = [
            *range(0x20, 0x7F),
            *range(0xA0, 0x250),
            *range(0x300, 0x370),
            *range(0x1EA0, 0x1F00),
            *range(0x2010, 0x2050),
            0x20AB,
        ]
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(tmp))
        os.replace(tmp, target)
    return str(target)


def _font():  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return GlyphAccumulatorFactory(_stamp_font_path(), font_size=7)


def _background(spec: StampSpec):  # type: ignore[no-untyped-def]
    """Seal (behind, left third) and handwritten signature composed into one image."""
    if not spec.signature_image and not spec.seal_image:
        return None
    from PIL import Image
    from pyhanko.pdf_utils.images import PdfImage

    canvas = Image.new("RGBA", (600, 240), (255, 255, 255, 0))
    if spec.seal_image:
        seal = Image.open(io.BytesIO(spec.seal_image)).convert("RGBA")
        seal.thumbnail((240, 240))
        canvas.alpha_composite(seal, (0, 0))
    if spec.signature_image:
        sig = Image.open(io.BytesIO(spec.signature_image)).convert("RGBA")
        sig.thumbnail((400, 200))
        canvas.alpha_composite(sig, (120, 20))
    return PdfImage(canvas)


def _stamp_style(spec: StampSpec, *, cert: SigningCertificate):  # type: ignore[no-untyped-def]
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import QRStampStyle, TextStampStyle

    lines = [
        "Ký bởi: %(signer_name)s",
        "Chức vụ: %(position)s" if cert.title else "",
        "Cơ quan: %(agency)s" if cert.organisation else "",
        "Thời gian ký: %(signed_at)s",
        *[line.replace("%", "%%") for line in spec.extra_lines],
    ]
    kwargs = {
        "stamp_text": "\n".join(line for line in lines if line),
        "text_box_style": TextBoxStyle(font=_font()),
        "border_width": 1,
        "border_color": (0.75, 0.1, 0.1),
    }
    background = _background(spec)
    if background is not None:
        kwargs.update(background=background, background_opacity=0.9)
    if spec.verify_url:
        return QRStampStyle(**kwargs)
    return TextStampStyle(**kwargs)


_TIMESTAMPERS: dict[tuple[str, str], object] = {}


def _timestamper():  # type: ignore[no-untyped-def]
    """One time-stamp client per TSA (address and certificate) and process: pyHanko caches its
    size-estimation response, with the TSA's certificates, on the instance, so reusing it saves one
    TSA round trip per signature. Keyed on the portal TSA's serial too: a PKI created again at the
    same address must not have the old TSA's certificates embedded (its chain would not validate)."""
    from .tsa_client import HttpTimeStamper

    url, serial = settings.SIGNATURE_TSA_URL, ""
    if not url:
        tsa = (
            CertificateAuthority.objects.filter(kind=AuthorityKind.TSA)
            .select_related("parent")
            .first()
        )
        base = (
            issuing_base_url(tsa.parent.certificate) if tsa and tsa.parent_id else settings.SITE_URL
        )
        url, serial = pki.Endpoints(base).tsa, (tsa.serial if tsa else "")
    key = (url, serial)
    if key not in _TIMESTAMPERS:
        if len(_TIMESTAMPERS) > 16:
            _TIMESTAMPERS.clear()
        _TIMESTAMPERS[key] = HttpTimeStamper(url, timeout=10)
    return _TIMESTAMPERS[key]


#: The portal's time-stamp client, for the other signing modules (history checkpoints' seals).
timestamper = _timestamper


def _validation_context():  # type: ignore[no-untyped-def]
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=trust_roots(), other_certs=intermediate_certs(), allow_fetching=True
    )


def _chain(cert: SigningCertificate) -> list[asn1_x509.Certificate]:
    data = cert.chain_pem.encode()
    if not data.strip():
        return []
    return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]


def _asn1(cert_pem: str) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(pem.unarmor(cert_pem.encode())[2])


@dataclass
class _Signing:
    """What one signing call needs besides the signer object."""

    reason: str
    location: str
    field_name: str | None
    stamp: StampSpec
    level: str


def _sign_one(*, pdf_bytes: bytes, signer, cert: SigningCertificate, job: _Signing) -> bytes:  # type: ignore[no-untyped-def]
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigFieldSpec, enumerate_sig_fields

    if job.level not in PadesLevel.values:
        raise SigningError(_("Unknown PAdES level."))
    writer = _writer(pdf_bytes)
    existing = {name: filled for name, filled, _ref in enumerate_sig_fields(writer.prev)}
    field_name = job.field_name or f"ChuKy{len(existing) + 1}"
    if existing.get(field_name) is not None:
        raise SigningError(
            _("The signature field %(name)s is already signed.") % {"name": field_name}
        )
    new_field = None
    if field_name not in existing:
        new_field = SigFieldSpec(
            sig_field_name=field_name,
            on_page=_reader_page(writer.prev, job.stamp.page),
            box=job.stamp.box if job.stamp.visible else None,
        )
    long_term = job.level in (PadesLevel.B_LT, PadesLevel.B_LTA)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=job.reason,
        location=job.location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=long_term,
        use_pades_lta=job.level == PadesLevel.B_LTA,
        validation_context=_validation_context() if long_term else None,
    )
    signed_at = timezone.localtime()
    params = {
        "signer_name": cert.subject_name,
        "position": cert.title,
        "agency": cert.organisation,
        "signed_at": signed_at.strftime("%d/%m/%Y %H:%M:%S") + " (GMT+7)",
    }
    if job.stamp.verify_url:
        params["url"] = job.stamp.verify_url
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=_timestamper(),
        stamp_style=_stamp_style(job.stamp, cert=cert) if job.stamp.visible else None,
        new_field_spec=new_field,
    )
    out = io.BytesIO()
    pdf_signer.sign_pdf(
        writer, output=out, appearance_text_params=params if job.stamp.visible else None
    )
    return out.getvalue()


class _SignerSource:
    """Opens the official's key once for one signing action (one PIN entry)."""

    def __init__(self, cert: SigningCertificate, pin: str):
        self.cert, self.pin = cert, pin
        self._session_cm = None

    def __enter__(self):  # type: ignore[no-untyped-def]
        from pyhanko.sign import signers

        chain = _chain(self.cert)
        if self.cert.key_storage == KeyStorage.PKCS11:
            from pyhanko.sign.pkcs11 import PKCS11Signer

            self._session_cm = token.session(self.cert.token_label, self.pin)
            sess = self._session_cm.__enter__()
            return PKCS11Signer(
                sess,
                key_id=bytes.fromhex(self.cert.key_id),
                signing_cert=_asn1(self.cert.cert_pem),
                ca_chain=chain,
                other_certs_to_pull=(),
                use_raw_mechanism=True,
            )
        data = keywrap.unwrap(self.cert.encrypted_pkcs12, context=f"p12:{self.cert.serial}")
        signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=chain, passphrase=self.pin.encode()
        )
        if signer is None:
            raise token.TokenError(_("The password of the certificate file is not correct."))
        return signer

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        if self._session_cm is not None:
            self._session_cm.__exit__(*exc)


def _usable_certificate(signer_user) -> SigningCertificate:  # type: ignore[no-untyped-def]
    from .selectors import active_certificate_for

    cert = active_certificate_for(signer_user)
    if cert is None:
        raise SigningError(
            _(
                "You have no valid signing certificate (missing, expired or revoked). Ask the administrator "
                "to issue one to you (manage.py issue_signing_certificate)."
            )
        )
    return cert


def _audit_sign(*, cert: SigningCertificate, user, signed: bytes, job: _Signing) -> None:  # type: ignore[no-untyped-def]
    AuditEvent.objects.create(
        kind=AuditKind.SIGN,
        actor=user,
        certificate=cert,
        document_sha256=hashlib.sha256(signed).hexdigest(),
        detail={"level": job.level, "field": job.field_name or "", "reason": job.reason},
    )


def _audit_failure(*, cert: SigningCertificate | None, user, error: Exception) -> None:  # type: ignore[no-untyped-def]
    AuditEvent.objects.create(
        kind=AuditKind.SIGN_FAILED, actor=user, certificate=cert, detail={"error": str(error)[:500]}
    )


def sign_pdf(
    *,
    pdf_bytes: bytes,
    signer_user,
    pin: str,
    reason: str,
    location: str,
    field_name: str | None = None,
    stamp: StampSpec | None = None,
    level: str = PadesLevel.B_T,
) -> bytes:  # type: ignore[no-untyped-def]
    """Sign a PDF with the official's key: PAdES with a trusted time-stamp (B-T), embedded
    validation data (B-LT) and a document time-stamp (B-LTA). Returns the signed PDF.

    Raises :class:`SigningError` (or :class:`signatures.token.TokenError`) with a message for the user.
    """
    return sign_batch(
        items=[
            BatchItem(
                pdf_bytes=pdf_bytes,
                reason=reason,
                location=location,
                field_name=field_name,
                stamp=stamp or StampSpec(),
            )
        ],
        signer_user=signer_user,
        pin=pin,
        level=level,
        stop_on_error=True,
    )[0].signed


@dataclass
class BatchItem:
    pdf_bytes: bytes
    reason: str
    location: str
    field_name: str | None = None
    stamp: StampSpec = field(default_factory=StampSpec)
    key: str = ""


@dataclass
class BatchResult:
    key: str
    signed: bytes | None = None
    error: str = ""


def sign_batch(
    *,
    items: Sequence[BatchItem],
    signer_user,
    pin: str,
    level: str = PadesLevel.B_T,
    progress: Callable[[int, int, BatchResult], None] | None = None,
    stop_on_error: bool = False,
) -> list[BatchResult]:  # type: ignore[no-untyped-def]
    """Sign several PDFs after one PIN entry (the leader's approval queue), reporting progress
    after each document. One failed document does not stop the others unless ``stop_on_error``."""
    from .eventloop import outside_event_loop

    return outside_event_loop(
        _sign_batch,
        items=items,
        signer_user=signer_user,
        pin=pin,
        level=level,
        progress=progress,
        stop_on_error=stop_on_error,
    )


def _sign_batch(
    *,
    items: Sequence[BatchItem],
    signer_user,
    pin: str,
    level: str,
    progress: Callable[[int, int, BatchResult], None] | None,
    stop_on_error: bool,
) -> list[BatchResult]:  # type: ignore[no-untyped-def]
    cert = _usable_certificate(signer_user)
    results: list[BatchResult] = []
    try:
        with _SignerSource(cert, pin) as signer:
            for index, item in enumerate(items, start=1):
                job = _Signing(item.reason, item.location, item.field_name, item.stamp, level)
                try:
                    signed = _sign_one(pdf_bytes=item.pdf_bytes, signer=signer, cert=cert, job=job)
                except Exception as exc:  # noqa: BLE001 - one bad document must not hide the others
                    if stop_on_error:
                        raise
                    logger.warning(
                        "signatures.sign_failed",
                        extra={"serial": cert.serial, "error": str(exc)[:200]},
                    )
                    _audit_failure(cert=cert, user=signer_user, error=exc)
                    result = BatchResult(
                        item.key,
                        None,
                        str(exc)
                        if isinstance(exc, SigningError)
                        else _("The document could not be signed."),
                    )
                else:
                    _audit_sign(cert=cert, user=signer_user, signed=signed, job=job)
                    result = BatchResult(item.key, signed)
                results.append(result)
                if progress is not None:
                    progress(index, len(items), result)
    except (token.TokenError, SigningError) as exc:
        _audit_failure(cert=cert, user=signer_user, error=exc)
        raise SigningError(str(exc)) from exc
    except Exception as exc:
        _audit_failure(cert=cert, user=signer_user, error=exc)
        logger.exception("signatures.sign_error", extra={"serial": cert.serial})
        raise SigningError(_("The document could not be signed.")) from exc
    return results


class SigningSession:
    """One PIN entry, several signatures, each audited in the caller's transaction.

    Use :func:`signing_session`: the caller (e.g. the dossier approval) signs inside its own
    ``transaction.atomic`` so that the signature's audit event commits, or rolls back, together
    with the state change the signature stands for.
    """

    def __init__(self, *, signer, cert: SigningCertificate, user, level: str):  # type: ignore[no-untyped-def]
        self._signer, self.cert, self._user, self.level = signer, cert, user, level

    def sign(self, item: BatchItem) -> bytes:
        """Sign one document; raises :class:`SigningError` with a message for the user."""
        job = _Signing(item.reason, item.location, item.field_name, item.stamp, self.level)
        try:
            signed = _sign_one(
                pdf_bytes=item.pdf_bytes, signer=self._signer, cert=self.cert, job=job
            )
        except SigningError:
            raise
        except Exception as exc:
            logger.warning(
                "signatures.sign_failed",
                extra={"serial": self.cert.serial, "error": str(exc)[:200]},
            )
            raise SigningError(_("The document could not be signed.")) from exc
        _audit_sign(cert=self.cert, user=self._user, signed=signed, job=job)
        return signed


def signing_session(*, signer_user, pin: str, level: str = PadesLevel.B_T):  # type: ignore[no-untyped-def]
    """Context manager: open the official's key with the PIN just typed (a wrong PIN raises
    :class:`SigningError` here, before anything is signed) and yield a :class:`SigningSession`.

    Call it where ``asyncio.run`` works (not inside a running event loop); the sync pages, the
    API and Celery tasks do. A failure to open the key is audited (outside any transaction the
    caller may roll back: the caller should call :func:`audit_signing_failure` after a rollback).
    """
    from contextlib import contextmanager

    @contextmanager
    def _cm():  # type: ignore[no-untyped-def]
        cert = _usable_certificate(signer_user)
        if level not in PadesLevel.values:
            raise SigningError(_("Unknown PAdES level."))
        try:
            source = _SignerSource(cert, pin)
            signer = source.__enter__()
        except (token.TokenError, SigningError) as exc:
            audit_signing_failure(certificate=cert, actor=signer_user, error=exc)
            raise SigningError(str(exc)) from exc
        try:
            yield SigningSession(signer=signer, cert=cert, user=signer_user, level=level)
        finally:
            source.__exit__(None, None, None)

    return _cm()


def audit_signing_failure(
    *, certificate: SigningCertificate | None, actor, error: Exception
) -> None:  # type: ignore[no-untyped-def]
    """Record a failed signing (wrong PIN, unreadable document) as an audit event."""
    _audit_failure(cert=certificate, user=actor, error=error)


# --- signed documents (verification by QR code) -------------------------------------------------


def signed_document_create(*, title: str, dossier=None) -> SignedDocument:  # type: ignore[no-untyped-def]
    """Reserve the verification address before rendering, so the QR code can go on the page.
    ``dossier``: the dossier whose result this is (its applicant downloads it)."""
    return SignedDocument.objects.create(title=title[:255], dossier=dossier)


def signed_document_store(
    *, document: SignedDocument, pdf_bytes: bytes, filename: str = ""
) -> SignedDocument:
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    document.file.save(filename or f"{document.token}.pdf", ContentFile(pdf_bytes), save=False)
    document.sha256 = digest
    document.save(update_fields=["file", "sha256"])
    return document


def verification_url(document: SignedDocument) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "signatures:verify-token", kwargs={"token": document.token}
    )


def audit_verification_failure(*, sha256: str, detail: dict, actor=None) -> None:  # type: ignore[no-untyped-def]
    AuditEvent.objects.create(
        kind=AuditKind.VERIFY_FAILED, actor=actor, document_sha256=sha256, detail=detail
    )


__all__ = [
    "BatchItem",
    "BatchResult",
    "FieldSpec",
    "SigningError",
    "StampSpec",
    "certificate_import_pkcs12",
    "certificate_issue_on_token",
    "certificate_revoke",
    "crl_bytes",
    "ocsp_response",
    "pki_create",
    "pki_store",
    "prepare_signature_fields",
    "sign_batch",
    "sign_pdf",
    "signing_session",
    "SigningSession",
    "audit_signing_failure",
    "signed_document_create",
    "signed_document_store",
    "timestamp_response",
    "verification_url",
]


@dataclass
class PublishedResult:
    name: str
    document: SignedDocument | None
    error: str = ""


def sign_and_publish(
    *,
    files: Sequence[tuple[str, bytes]],
    signer_user,
    pin: str,
    reason: str,
    location: str,
    level: str = PadesLevel.B_T,
    progress: Callable[[int, int, BatchResult], None] | None = None,
) -> list[PublishedResult]:  # type: ignore[no-untyped-def]
    """Sign several PDFs after one PIN entry and publish each with its own verification address
    (the QR code in the stamp points at it). A document that fails is reported, not published."""
    documents = [signed_document_create(title=name) for name, _data in files]
    items = [
        BatchItem(
            pdf_bytes=data,
            reason=reason,
            location=location,
            key=doc.token,
            stamp=StampSpec(verify_url=verification_url(doc)),
        )
        for doc, (_name, data) in zip(documents, files, strict=True)
    ]
    try:
        results = sign_batch(
            items=items, signer_user=signer_user, pin=pin, level=level, progress=progress
        )
    except SigningError:
        SignedDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()
        raise
    published = []
    for doc, (name, _data), result in zip(documents, files, results, strict=True):
        if result.signed is None:
            doc.delete()
            published.append(PublishedResult(name, None, result.error))
        else:
            published.append(
                PublishedResult(
                    name,
                    signed_document_store(
                        document=doc, pdf_bytes=result.signed, filename=f"{doc.token}.pdf"
                    ),
                )
            )
    return published
