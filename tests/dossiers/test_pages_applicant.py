"""The applicant's pages: online submission with files (draft, reuse, submit), "My dossiers",
supplement answers, downloads, rating; and public tracking without personal data."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from dossiers import services
from dossiers.constants import DossierStatus
from dossiers.models import Dossier, DossierFile

from .conftest import PDF, pdf


def _png(name: str = "cccd.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _docs(world):
    version = world.procedure.versions.order_by("-version").first()
    return [d["id"] for d in version.snapshot["documents"]]


def _payload(world, **extra):
    data = {
        "agency": world.agency.pk,
        "applicant_name": "Lò Thị Hoa",
        "applicant_citizen_id": "011200004321",
        "applicant_phone": "0912345678",
        "applicant_address": "Mường Thanh",
    }
    data.update(extra)
    return data


def test_submit_online_with_a_file_then_confirmation(client, world, working_morning):
    client.force_login(world.citizen)
    url = reverse("dossiers:submit", kwargs={"code": world.procedure.code})
    page = client.get(url)
    assert page.status_code == 200
    assert "Tờ khai (bản chính)" in page.content.decode()
    first, second = _docs(world)
    response = client.post(
        url, _payload(world, **{f"doc_{first}": pdf(), f"doc_{second}": _png(), "submit": "1"})
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "dossiers:submitted", args=[dossier.pk]
    )
    assert dossier.status == DossierStatus.NEW and dossier.applicant_name == "Lò Thị Hoa"
    assert sorted(dossier.files.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]
    confirmation = client.get(response.url).content.decode()
    assert "Hồ sơ của bạn đã được nộp" in confirmation


def test_save_draft_and_come_back(client, world, working_morning):
    client.force_login(world.citizen)
    url = reverse("dossiers:submit", kwargs={"code": world.procedure.code})
    response = client.post(url, _payload(world, save="1"))
    draft = Dossier.objects.get()
    assert draft.status == DossierStatus.DRAFT
    assert response.url.endswith(f"?ho_so={draft.pk}")
    # submitting without the required document is an error of its field, listed in the summary
    first, _ = _docs(world)
    again = client.post(url, _payload(world, draft=draft.pk, submit="1"))
    assert again.status_code == 200
    assert f'<a href="#id_doc_{first}" class="alert-link">Đính kèm' in again.content.decode()
    draft.refresh_from_db()
    assert draft.status == DossierStatus.DRAFT
    done = client.post(url, _payload(world, draft=draft.pk, submit="1", **{f"doc_{first}": pdf()}))
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DossierStatus.NEW
    assert client.get(reverse("dossiers:my")).content.decode().count(world.procedure.name) == 1


def test_a_bad_file_is_refused_with_its_message_and_nothing_is_written(
    client, world, working_morning
):
    client.force_login(world.citizen)
    first, _ = _docs(world)
    fake = SimpleUploadedFile("to-khai.pdf", b"MZ" + b"\x00" * 100, content_type="application/pdf")
    response = client.post(
        reverse("dossiers:submit", kwargs={"code": world.procedure.code}),
        _payload(world, submit="1", **{f"doc_{first}": fake}),
    )
    assert response.status_code == 200
    assert "không phải tệp PDF, JPEG hoặc PNG" in response.content.decode()
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()


def test_reuse_a_file_from_an_earlier_dossier(client, world, working_morning):
    earlier = world.submitted()
    source = earlier.files.get()
    client.force_login(world.citizen)
    first, _ = _docs(world)
    url = reverse("dossiers:submit", kwargs={"code": world.procedure.code})
    assert source.original_name in client.get(url).content.decode()
    response = client.post(url, _payload(world, submit="1", **{f"reuse_{first}": str(source.pk)}))
    assert response.status_code == 302
    new = Dossier.objects.exclude(pk=earlier.pk).get()
    assert new.files.get().reused_from == source
    # another citizen's file cannot be picked
    client.force_login(world.other_citizen)
    bad = client.post(url, _payload(world, submit="1", **{f"reuse_{first}": str(source.pk)}))
    assert bad.status_code == 200 and Dossier.objects.count() == 2


def test_answer_a_supplement_request_with_a_file(client, world, working_morning):
    dossier = world.submitted()
    services.dossier_request_supplement(
        dossier=dossier,
        actor=world.clerk,
        items=[{"document": "Giấy tờ tùy thân", "reason": "Bản sao mờ"}],
        reason="Thiếu giấy tờ",
    )
    client.force_login(world.citizen)
    my = client.get(reverse("dossiers:my")).content.decode()
    assert "Thiếu giấy tờ" in my
    detail = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Bản sao mờ" in detail
    client.post(
        reverse("dossiers:upload", args=[dossier.pk]),
        {"supplement_item": "0", "file": _png("cccd-ro.png")},
    )
    assert dossier.files.filter(is_supplement=True).count() == 1
    response = client.post(
        reverse("dossiers:act", args=[dossier.pk, "answer_supplement"]),
        {"answer_supplement-comment": "Đã bổ sung"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.NEW


def test_download_has_content_disposition_and_is_scoped(client, world, working_morning):
    dossier = world.submitted()
    item = dossier.files.get()
    url = reverse("dossiers:file_download", args=[dossier.pk, item.pk])
    client.force_login(world.citizen)
    response = client.get(url)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "to-khai.pdf" in response["Content-Disposition"]
    )
    assert b"".join(response.streaming_content) == PDF
    client.force_login(world.other_citizen)
    assert client.get(url).status_code == 404


def test_rate_after_the_return(client, world, working_morning):
    dossier = world.returned()
    client.force_login(world.citizen)
    assert (
        "Đánh giá mức độ hài lòng"
        in client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    )
    client.post(
        reverse("dossiers:act", args=[dossier.pk, "rate"]),
        {"rate-rating": "satisfied", "rate-comment": "Nhanh"},
    )
    dossier.refresh_from_db()
    assert dossier.rating == "satisfied"


def test_public_tracking_shows_status_but_no_personal_data(client, world, working_morning):
    dossier = world.received()
    url = reverse("dossiers:track")
    page = client.get(url, {"code": dossier.code, "second_factor": "4321"})
    html = page.content.decode()
    assert page.status_code == 200 and "Được tiếp nhận" in html and dossier.code in html
    for secret in (dossier.applicant_name, dossier.applicant_citizen_id, dossier.applicant_phone):
        assert secret not in html
    wrong = client.get(url, {"code": dossier.code, "second_factor": "0000"})
    assert (
        wrong.status_code == 404
        and dossier.code not in wrong.content.decode().split("track-none")[-1]
    )
    by_qr = client.get(reverse("dossiers:track_token", args=[dossier.tracking_token]))
    assert by_qr.status_code == 200 and "Được tiếp nhận" in by_qr.content.decode()
    assert client.get(reverse("dossiers:track_token", args=["khong-co"])).status_code == 404


@pytest.mark.parametrize("code", ["\x00", "A" * 500, "'; DROP TABLE x; --"])
def test_tracking_bad_input_is_not_a_500(client, db, code):
    assert client.get(
        reverse("dossiers:track"), {"code": code, "second_factor": "12a4"}
    ).status_code in (200, 404)
