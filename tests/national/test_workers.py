"""The national links with a real Celery worker (and beat): a payment whose callback never came is
looked up (QUERY) by the worker once the payer is back, and the platform's receipt fetched after it
(both through the outbox); the document axis's mailboxes are polled by beat, and a document sent
over the axis is registered at the recipient with its 01 back at the sender."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dossiers import services as dossier_services
from dossiers.constants import DossierStatus
from dossiers.models import Dossier
from dossiers.payments.services import payment_start
from national.payment_platform import services as pp
from national.payment_platform.models import PlatformTransaction
from national.simkit import start_simulator
from tests.celery_support import celery_worker, purge_queue, wait_for
from tests.national.payment_sim import CALLBACK_SECRET, PARTNER, SECRET, pay_on_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_looks_a_silent_payment_up_and_fetches_the_receipt(world, platform, settings):
    platform.faults([{"match": "pay", "kind": "no_callback"}])
    dossier = dossier_services.dossier_request_payment(
        dossier=world.examining(), actor=world.specialist, amount=Decimal("20000")
    )
    payment = payment_start(dossier=dossier, actor=world.citizen)
    pay_on_page(pp.payment_open_on_platform(payment=payment, ip="203.0.113.9"))
    txn = PlatformTransaction.objects.get(payment=payment)
    purge_queue()
    env = {
        "PAYMENT_PLATFORM_QUERY_URL": settings.PAYMENT_PLATFORM_QUERY_URL,
        "PAYMENT_PLATFORM_BILL_URL": settings.PAYMENT_PLATFORM_BILL_URL,
        "PAYMENT_PLATFORM_INIT_URL": settings.PAYMENT_PLATFORM_INIT_URL,
        "PAYMENT_PLATFORM_PARTNER_CODE": PARTNER,
        "PAYMENT_PLATFORM_SECRET": SECRET,
        "PAYMENT_PLATFORM_CALLBACK_SECRET": CALLBACK_SECRET,
    }
    with celery_worker(env=env) as worker:
        pp.request_status_lookup(
            transaction_id=txn.pk
        )  # what the return page does while no callback came
        assert wait_for(
            lambda: Dossier.objects.get(pk=dossier.pk).status != DossierStatus.FINANCIAL_OBLIGATION,
            timeout=40,
            proc=worker,
        ), worker.log()
        assert wait_for(
            lambda: bool(PlatformTransaction.objects.get(pk=txn.pk).receipt_file),
            timeout=40,
            proc=worker,
        ), worker.log()
    txn.refresh_from_db()
    assert dossier.code.encode() in txn.receipt_file.read()


def test_beat_polls_the_axis_and_the_document_is_registered_with_its_01_back(
    tmp_path, transactional_db
):
    from documents import services
    from documents.models import IncomingDocument
    from portal.accounts.constants import Role
    from signatures import agency_keys
    from signatures import services as signature_services
    from tests.documents.exchange_support import pki_material
    from tests.factories.accounts import StaffFactory
    from tests.factories.agencies import AgencyFactory
    from tests.factories.documents import OutgoingDocumentFactory

    agency_keys._cache.clear()
    signature_services.pki_store(material=pki_material())
    a = AgencyFactory(code="000.00.12.H18", name="Sở Tư pháp")
    b = AgencyFactory(code="000.00.05.H18", name="Sở Nội vụ")
    clerk_a = StaffFactory(agency=a, roles=[Role.CLERICAL])
    sim = start_simulator(
        "national.document_axis.simulator:DocumentAxisSimulator", state_dir=tmp_path / "axis"
    )
    try:
        sim.call(
            "POST", "/_sim/system", {"systemid": "sys", "secret": "s3cret", "organs": ["*.H18"]}
        )
        env = {
            "DOCUMENT_AXIS_URL": sim.url,
            "DOCUMENT_AXIS_SYSTEM_ID": "sys",
            "DOCUMENT_AXIS_SECRET": "s3cret",
            "DOCUMENT_AXIS_ROUTES": "*.H18",
            "DOCUMENT_AXIS_POLL_INTERVAL": "2",
        }
        from documents.services import RecipientSpec, _set_recipients

        purge_queue()
        document = OutgoingDocumentFactory(agency=a, created_by=clerk_a, issued=True)
        _set_recipients(document, [RecipientSpec(b.code)])
        services.outgoing_send(
            document=document, actor=clerk_a
        )  # outbox → the worker sends it over the axis
        with celery_worker(env=env, beat=True) as worker:
            assert wait_for(
                lambda: IncomingDocument.objects.filter(agency=b).exists(), timeout=40, proc=worker
            ), worker.log()
            assert [m["to"] for m in sim.state()["messages"].values()][
                0
            ] == b.code  # it went through B's mailbox
            recipient = document.recipients.get()
            assert wait_for(
                lambda: recipient.statuses.filter(code="01").exists(), timeout=40, proc=worker
            ), worker.log()
        assert IncomingDocument.objects.filter(agency=b).count() == 1
    finally:
        sim.stop()
