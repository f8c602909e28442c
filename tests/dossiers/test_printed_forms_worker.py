"""A REAL Celery worker renders the forms: the receipt (01) after the counter receives a dossier,
downloaded through the page by the applicant; a worker killed mid-render leaves the task to be
redelivered and rendered once more (acks_late + reject_on_worker_lost)."""

from __future__ import annotations

import hashlib
import os
import signal
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from dossiers.models import PrintedForm
from tests.celery_support import celery_worker, purge_queue, wait_for

from .printed_support import name_world, pdf_text

pytestmark = [pytest.mark.celery, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clean_queue():
    purge_queue()
    yield
    purge_queue()


def test_receipt_rendered_by_the_worker_after_reception_and_downloaded_by_the_applicant(
    world, client, tmp_path, clean_queue
):
    name_world(world)
    dossier = world.submitted()
    with celery_worker(env={"EMAIL_FILE_PATH": str(tmp_path / "mail")}) as worker:
        client.force_login(world.clerk)
        response = client.post(
            reverse("dossiers:act", args=[dossier.pk, "receive"]),
            {"receive-comment": "Hồ sơ đầy đủ"},
        )
        assert response.status_code == 302, response.content[:500]
        form = PrintedForm.objects.get(dossier=dossier, kind="01")
        assert wait_for(
            lambda: PrintedForm.objects.get(pk=form.pk).state == "ready", timeout=60, proc=worker
        ), worker.log()
    form.refresh_from_db()
    dossier.refresh_from_db()
    # form 01: two copies, one page each ("Liên 1: Lưu", "Liên 2: Giao khách hàng")
    assert form.rendered_generation == 1 and form.pages == 2

    client.force_login(world.citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    link = reverse("dossiers:form_download", args=[dossier.pk, form.pk])
    assert (
        link in page and "Giấy tiếp nhận" in page
    )  # the form's name, in the reader's language (vi)
    download = client.get(link)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == form.sha256
    text = pdf_text(body, tmp_path)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        dossier.code,
        "Lò Thị Hương",
        "Quàng Văn Đức",
    ):
        assert expected in text, expected

    # another citizen cannot fetch it
    client.force_login(world.other_citizen)
    assert client.get(link).status_code == 404


def _pool_children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def test_a_pool_child_killed_while_rendering_gets_the_form_rendered_again(
    world, tmp_path, clean_queue
):
    """The render task is acknowledged late and rejected on a lost worker: SIGKILL the pool
    children as soon as one has taken the task (a 40-row book in a cold process takes seconds);
    the message goes back to the queue and a new child renders the book."""
    from dossiers import printing

    name_world(world)
    for _ in range(40):
        world.received()
    purge_queue()  # their notifications and receipts: not this test's business
    with celery_worker(env={"EMAIL_FILE_PATH": str(tmp_path / "mail")}) as worker:
        with transaction.atomic():
            book = printing.request_tracking_book(
                agency=world.agency,
                start=date(2026, 1, 1),
                end=date(2026, 12, 31),
                actor=world.clerk,
            )
        # "received" is logged by the main process before a child has taken the job; a child killed
        # before it accepts the job has it silently re-dispatched (no WorkerLostError). Wait for
        # WeasyPrint's first step: the render is under way in a child.
        assert wait_for(
            lambda: (
                "render_printed_form[" in worker.log() and "Fetching and parsing" in worker.log()
            ),
            timeout=30,
            step=0.05,
            proc=worker,
        ), worker.log()
        children = _pool_children(worker.proc.pid)
        assert children
        for child in children:
            os.kill(child, signal.SIGKILL)
        assert PrintedForm.objects.get(pk=book.pk).state == "pending"
        assert wait_for(
            lambda: PrintedForm.objects.get(pk=book.pk).state == "ready", timeout=120, proc=worker
        ), worker.log()
        full_log = worker.log_path.read_text(
            errors="replace"
        )  # log() is only the tail: the render's lines push it out
        assert "WorkerLostError" in full_log or "exited prematurely" in full_log, full_log[-4000:]
    book.refresh_from_db()
    assert book.rendered_generation == 1 and book.pages >= 1
