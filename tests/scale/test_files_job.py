"""The scale-out job's file part (issue 19): 1,000 files uploaded, signed and downloaded through
the object store (a real SeaweedFS), 0 lost.

Each file is a distinct one-page PDF attached by the applicant (``dossier_add_file``: checked,
hashed, stored in the bucket); the official signs all of them after one PIN entry
(``sign_batch``, PAdES B-T: the key on SoftHSM2, the portal's own TSA) and each signed PDF is stored as a
``SignedDocument``; then every original is downloaded through the dossier page's link and every
signed PDF through its verification link, and each download's SHA-256 is compared with the
recorded one and with the object in the bucket. ``SCALE_FILES`` lowers the count on a busy machine.
"""

from __future__ import annotations

import hashlib
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers import services as dossier_services
from dossiers.models import DossierFile
from signatures import services as signing
from signatures.models import SignedDocument

pytestmark = pytest.mark.scale
N = int(os.environ.get("SCALE_FILES", "1000"))
PER_DOSSIER = 100


def numbered_pdf(i: int) -> bytes:
    """A valid one-page PDF that says its number (so every file's hash differs)."""
    text = f"BT /F1 14 Tf 40 100 Td (Giay to so {i}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_upload_sign_and_download_1000_files(s3_settings, seaweed, signing_world, pin, client):
    w = signing_world
    doc_id = None
    originals: dict[int, str] = {}
    t0 = time.monotonic()
    dossier = None
    for i in range(N):
        if i % PER_DOSSIER == 0:
            dossier = dossier_services.dossier_save_draft(
                actor=w.citizen,
                procedure=w.procedure,
                agency=w.agency,
                form_data={"note": f"lô {i}"},
            )
            doc_id = dossier.procedure_version.snapshot["documents"][0]["id"]
        data = numbered_pdf(i)
        item = dossier_services.dossier_add_file(
            dossier=dossier,
            actor=w.citizen,
            document_id=doc_id,
            uploaded_file=SimpleUploadedFile(
                f"giay-to-{i}.pdf", data, content_type="application/pdf"
            ),
        )
        originals[item.pk] = hashlib.sha256(data).hexdigest()
    upload_s = time.monotonic() - t0

    t0 = time.monotonic()
    files = list(DossierFile.objects.filter(pk__in=originals).order_by("pk"))
    items = [
        signing.BatchItem(
            pdf_bytes=f.file.open("rb").read(),
            reason="Xác nhận bản sao",
            location="Điện Biên",
            stamp=signing.StampSpec(visible=False),
            key=str(f.pk),
        )
        for f in files
    ]
    results = signing.sign_batch(items=items, signer_user=w.leader, pin=pin, level="B-T")
    assert [r.error for r in results if r.error] == []
    tokens = {}
    for f, r in zip(files, results, strict=True):
        document = SignedDocument.objects.create(title=f"Bản ký số {f.pk}", dossier=f.dossier)
        signing.signed_document_store(
            document=document, pdf_bytes=r.signed, filename=f"{document.token}.pdf"
        )
        tokens[document.token] = document.sha256
    sign_s = time.monotonic() - t0

    t0 = time.monotonic()
    bucket = seaweed.client()
    client.force_login(w.citizen)
    lost = []
    for f in files:
        response = client.get(reverse("dossiers:file_download", args=[f.dossier_id, f.pk]))
        body = b"".join(response.streaming_content) if response.status_code == 200 else b""
        if hashlib.sha256(body).hexdigest() != originals[f.pk] or f.sha256 != originals[f.pk]:
            lost.append(("original", f.pk))
    client.logout()
    for token, digest in tokens.items():
        response = client.get(reverse("signatures:download", args=[token]))
        body = b"".join(response.streaming_content) if response.status_code == 200 else b""
        if hashlib.sha256(body).hexdigest() != digest:
            lost.append(("signed", token))
    download_s = time.monotonic() - t0

    keys = set()
    for page in bucket.get_paginator("list_objects_v2").paginate(Bucket=seaweed.bucket):
        keys.update(o["Key"] for o in page.get("Contents", []))
    stored = {f.file.name for f in files} | set(
        SignedDocument.objects.filter(token__in=tokens).values_list("file", flat=True)
    )
    print(
        f"\n{N} files: upload {upload_s:.1f} s, sign+store {sign_s:.1f} s, download x2 {download_s:.1f} s"
    )
    assert lost == []
    assert len(stored) == 2 * N and stored <= keys
    assert SignedDocument.objects.filter(token__in=tokens).exclude(sha256="").count() == N
