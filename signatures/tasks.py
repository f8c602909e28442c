"""Signing from a Celery worker: one PKCS#11 library initialisation per worker process.

The PIN the official typed travels in the task message sealed with the portal's key-encryption
key (AES-GCM bound to the document id), never in clear on the broker; it is not logged or stored.
"""

from __future__ import annotations

import base64
import logging

from celery import shared_task
from celery.signals import worker_process_init
from django.contrib.auth import get_user_model

from . import keywrap, services, token
from .models import SignedDocument

logger = logging.getLogger(__name__)


@worker_process_init.connect
def _pkcs11_per_process(**kwargs: object) -> None:
    token.reset_after_fork()


@shared_task(acks_late=True, ignore_result=True)
def sign_document_task(
    *,
    document_id: int,
    unsigned_b64: str,
    signer_id: int,
    sealed_pin: str,
    reason: str,
    location: str,
    level: str = "B-T",
) -> None:
    """Sign and store a reserved :class:`SignedDocument` (idempotent: a stored file is left alone)."""
    document = SignedDocument.objects.get(pk=document_id)
    if document.file:
        return
    signer = get_user_model().objects.get(pk=signer_id)
    pin = keywrap.unwrap(base64.b64decode(sealed_pin), context=f"pin:{document_id}").decode()
    signed = services.sign_pdf(
        pdf_bytes=base64.b64decode(unsigned_b64),
        signer_user=signer,
        pin=pin,
        reason=reason,
        location=location,
        level=level,
        stamp=services.StampSpec(verify_url=services.verification_url(document)),
    )
    services.signed_document_store(document=document, pdf_bytes=signed)
    logger.info("signatures.task_signed", extra={"document": document_id})


__all__ = ["sign_document_task"]


def enqueue_signing(
    *,
    document: SignedDocument,
    unsigned: bytes,
    signer,
    pin: str,
    reason: str,
    location: str,
    level: str = "B-T",
) -> None:  # type: ignore[no-untyped-def]
    """Queue :func:`sign_document_task` after the current transaction commits."""
    from django.db import transaction

    sealed = base64.b64encode(keywrap.wrap(pin.encode(), context=f"pin:{document.pk}")).decode()
    kwargs = {
        "document_id": document.pk,
        "unsigned_b64": base64.b64encode(unsigned).decode(),
        "signer_id": signer.pk,
        "sealed_pin": sealed,
        "reason": reason,
        "location": location,
        "level": level,
    }
    transaction.on_commit(lambda: sign_document_task.apply_async(kwargs=kwargs))
