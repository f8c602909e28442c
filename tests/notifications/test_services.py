"""Notifications in the recipient's language and channels, claimed once, swept after a crash."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.notifications import notify_applicant, notify_staff
from portal.notifications import services
from portal.notifications.models import Notification, SmsMessage
from portal.notifications.selectors import notifications_for_dossier
from portal.notifications.sms import HttpBrandnameSmsBackend, SmsError
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.dossiers import DossierFactory

pytestmark = pytest.mark.django_db


def test_applicant_without_account_gets_a_vietnamese_mail(mailoutbox):
    dossier = DossierFactory(
        received=True,
        applicant=None,
        applicant_name="Lò Văn Pâng",
        applicant_email="pang@example.vn",
    )
    notify_applicant(dossier_id=dossier.pk, event="received", key="k1")

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["pang@example.vn"]
    assert mail.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert "Kính gửi Lò Văn Pâng," in mail.body
    assert f"Ngày hẹn trả kết quả: {timezone.localtime(dossier.due_at):%d/%m/%Y %H:%M}" in mail.body


def test_english_speaking_citizen_gets_english_and_an_sms_when_asked(mailoutbox):
    # a verified address (an unverified one gets no mail: tests/notifications/test_unverified_addresses.py)
    user = ApplicantFactory(
        language="en", notify_sms=True, phone="0912345678", email="an@example.vn"
    )
    dossier = DossierFactory(received=True, applicant=user, applicant_email="", applicant_phone="")
    notify_applicant(dossier_id=dossier.pk, event="supplement_requested", key="k2")

    assert mailoutbox[0].to == ["an@example.vn"]
    assert mailoutbox[0].subject == f"Dossier {dossier.code}: documents to add"
    sms = SmsMessage.objects.get()
    assert sms.phone == "84912345678"
    assert sms.message.startswith(f"Dossier {dossier.code}: documents to add")
    assert {n.channel for n in notifications_for_dossier(dossier.pk)} == {"email", "sms"}


def test_sms_goes_without_diacritics():
    user = UserFactory(notify_email=False, notify_sms=True, phone="0987654321")
    dossier = DossierFactory(received=True, applicant=user)
    notify_applicant(dossier_id=dossier.pk, event="result_ready", key="k3")
    assert SmsMessage.objects.get().message.startswith(f"Ho so {dossier.code}: da co ket qua")


def test_same_key_never_sends_twice_and_staff_get_their_own(mailoutbox):
    staff = StaffFactory(email="cb@example.vn")
    dossier = DossierFactory(received=True, applicant=None, applicant_email="a@example.vn")
    for _ in range(3):
        notify_applicant(dossier_id=dossier.pk, event="received", key="same")
    notify_staff(user_id=staff.pk, dossier_id=dossier.pk, event="assigned", key="same")

    assert [m.to for m in mailoutbox] == [["a@example.vn"], ["cb@example.vn"]]
    assert "được giao cho đồng chí" in mailoutbox[1].subject


def test_unknown_dossier_or_event_never_raises(mailoutbox):
    assert notify_applicant(dossier_id=987654, event="received") == []
    dossier = DossierFactory(received=True, applicant=None, applicant_email="a@example.vn")
    notify_applicant(dossier_id=dossier.pk, event="something_new", key="k4")
    assert mailoutbox[0].subject == f"Cập nhật hồ sơ {dossier.code}"


def test_a_claimed_row_is_not_sent_again_until_the_sweep(mailoutbox):
    row = Notification.objects.create(
        address="x@example.vn",
        channel="email",
        event="received",
        subject="S",
        body="B",
        event_key="c1",
    )
    Notification.objects.filter(pk=row.pk).update(state="sending", claimed_at=timezone.now())
    assert services.deliver(notification_id=row.pk) is False
    assert services.requeue_stuck() == 0  # claimed just now: maybe still sending
    Notification.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - timedelta(hours=1),
        created_at=timezone.now() - timedelta(hours=1),
    )
    assert services.requeue_stuck() == 1
    assert services.deliver(notification_id=row.pk) is False
    assert len(mailoutbox) == 1


def test_a_failing_gateway_keeps_the_error_and_fails_after_the_last_attempt(settings):
    settings.SMS_BACKEND = "portal.notifications.sms.HttpBrandnameSmsBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/unreachable"
    row = Notification.objects.create(
        address="0912345678", channel="sms", event="received", subject="S", body="B", event_key="f1"
    )
    for _ in range(services.MAX_ATTEMPTS):
        assert services.deliver(notification_id=row.pk) is False
    row.refresh_from_db()
    assert row.state == "failed" and "gateway unreachable" in row.error
    assert services.retry(ids=[row.pk]) == 1


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    answer = {"CodeResult": "100", "SMSID": "abc"}

    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append(body)
        data = json.dumps(Gateway.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received = []
    settings.SMS_GATEWAY_URL = (
        f"http://127.0.0.1:{server.server_port}/api/SendMultipleMessage_V4_post_json/"
    )
    settings.SMS_API_KEY = "key-123"
    settings.SMS_BRANDNAME = "DIENBIEN"
    yield Gateway
    server.shutdown()


def test_http_brandname_gateway_posts_json(gateway):
    HttpBrandnameSmsBackend().send(phone="0912 345 678", message="Ho so da tiep nhan")
    assert gateway.received == [
        {
            "ApiKey": "key-123",
            "Phone": "84912345678",
            "Content": "Ho so da tiep nhan",
            "Brandname": "DIENBIEN",
            "SmsType": "2",
        }
    ]
    gateway.answer = {"CodeResult": "104", "ErrorMessage": "Brandname not registered"}
    with pytest.raises(SmsError, match="104"):
        HttpBrandnameSmsBackend().send(phone="0912345678", message="x")
    gateway.answer = {"CodeResult": "100"}


def test_admin_lists_and_filters_notifications(admin_client):
    Notification.objects.create(
        address="x@example.vn",
        channel="email",
        event="received",
        subject="Chủ đề",
        body="B",
        event_key="a1",
        state="failed",
    )
    page = admin_client.get(
        reverse("admin:notifications_notification_changelist") + "?state__exact=failed"
    )
    assert page.status_code == 200 and "x@example.vn" in page.content.decode()
    admin_client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "retry_failed", "_selected_action": [Notification.objects.get().pk]},
    )
    assert Notification.objects.get().state == "queued"
