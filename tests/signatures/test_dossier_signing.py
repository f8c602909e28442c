"""The leader signs dossiers' draft results from the approval queue and approves them; the
clerical office adds its issuing signature; the applicant downloads the signed result.

Real SoftHSM2 tokens, the portal's TSA and OCSP on the live server, PostgreSQL, poppler's pdfsig.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers import services
from dossiers.constants import Action, DossierStatus, Stage
from dossiers.exceptions import DossierError, PermissionDenied
from dossiers.models import Dossier
from signatures.constants import AuditKind
from signatures.models import AuditEvent, SignedDocument
from signatures.verify import verify_pdf
from tests.factories.signatures import PIN


def _draft(world, pdf_bytes: bytes) -> Dossier:
    dossier = world.examining()
    services.dossier_attach_draft_result(
        dossier=dossier,
        actor=world.specialist,
        uploaded_file=SimpleUploadedFile("du-thao.pdf", pdf_bytes, content_type="application/pdf"),
    )
    return services.dossier_forward_for_approval(
        dossier=dossier, actor=world.specialist, leader=world.leader
    )


def _bytes(field_file) -> bytes:  # type: ignore[no-untyped-def]
    with field_file.open("rb") as fh:
        return fh.read()


def test_leader_signs_the_draft_and_approves_in_one_step(signing_world, one_page_pdf, pdfsig):
    world = signing_world
    dossier = _draft(world, one_page_pdf)

    approved = services.dossier_sign_and_approve(
        dossier=dossier, actor=world.leader, pin=PIN, comment="Đồng ý", level="B-LT"
    )

    assert (approved.status, approved.stage) == (DossierStatus.PROCESSED, Stage.RESULT)
    document = SignedDocument.objects.get(dossier=approved)
    signed = _bytes(approved.result_file)
    assert signed == _bytes(document.file) and signed.startswith(b"%PDF") and signed != one_page_pdf
    report = verify_pdf(signed)
    assert [(s.field_name, s.signer, s.verdict, s.timestamp_valid) for s in report.signatures] == [
        ("LanhDao", "Lò Văn Thắng", "valid", True)
    ]
    assert approved.events.filter(action=Action.APPROVE, comment="Đồng ý").count() == 1
    assert (
        AuditEvent.objects.filter(
            kind=AuditKind.SIGN, actor=world.leader, document_sha256=document.sha256
        ).count()
        == 1
    )
    text = pdfsig(signed)
    assert "Signature is Valid." in text and "Certificate is Trusted." in text, text
    assert "Lò Văn Thắng" in text


def _qr_streams(pdf_bytes: bytes, field_name: str) -> list[bytes]:
    """The decoded /QR XObjects drawn in the appearance of one signature field."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    found: list[bytes] = []

    def walk(xobject, depth: int) -> None:  # type: ignore[no-untyped-def]
        resources = xobject.get("/Resources")
        if depth > 5 or resources is None or "/XObject" not in resources:
            return
        for name, ref in resources["/XObject"].items():
            child = ref.get_object() if hasattr(ref, "get_object") else ref
            if name == "/QR":
                found.append(child.data)
            walk(child, depth + 1)

    for name, _value, ref in enumerate_sig_fields(reader):
        if name == field_name:
            walk(ref.get_object()["/AP"]["/N"].get_object(), 0)
    return found


def _expected_qr(url: str) -> bytes:
    import qrcode
    from pyhanko.pdf_utils.qr import PdfStreamQRImage

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(url)
    qr.make()
    return qr.make_image(image_factory=PdfStreamQRImage).render_command_stream()


def test_the_stamp_carries_the_qr_code_of_the_verification_page(
    signing_world, one_page_pdf, client
):
    from signatures.services import verification_url

    world = signing_world
    approved = services.dossier_sign_and_approve(
        dossier=_draft(world, one_page_pdf), actor=world.leader, pin=PIN
    )
    document = SignedDocument.objects.get(dossier=approved)
    url = verification_url(document)

    assert _qr_streams(_bytes(approved.result_file), "LanhDao") == [_expected_qr(url)]
    assert _expected_qr(url + "x") != _expected_qr(
        url
    )  # the comparison can tell two addresses apart
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200 and 'data-verdict="valid"' in page.content.decode()


def test_a_wrong_pin_changes_nothing(signing_world, one_page_pdf):
    world = signing_world
    dossier = _draft(world, one_page_pdf)
    before = _bytes(Dossier.objects.get(pk=dossier.pk).result_file)

    with pytest.raises(DossierError) as error:
        services.dossier_sign_and_approve(dossier=dossier, actor=world.leader, pin="000000")

    assert "PIN" in error.value.message and error.value.code == "signing_failed"
    dossier.refresh_from_db()
    assert (dossier.status, dossier.stage) == (DossierStatus.IN_PROGRESS, Stage.APPROVAL)
    assert _bytes(dossier.result_file) == before
    assert not SignedDocument.objects.filter(dossier=dossier).exists()
    assert not dossier.events.filter(action=Action.APPROVE).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.SIGN_FAILED, actor=world.leader).count() == 1
    assert not AuditEvent.objects.filter(kind=AuditKind.SIGN).exists()


def test_a_dossier_without_a_draft_result_is_reported_and_the_others_signed(
    signing_world, one_page_pdf
):
    world = signing_world
    first = _draft(world, one_page_pdf)
    bare = services.dossier_forward_for_approval(
        dossier=world.examining(), actor=world.specialist, leader=world.leader
    )
    last = _draft(world, one_page_pdf)
    seen = []

    outcomes = services.dossiers_sign_and_approve_batch(
        dossiers=[first, bare, last],
        actor=world.leader,
        pin=PIN,
        progress=lambda done, total, outcome: seen.append(
            (done, total, outcome.dossier.pk, outcome.ok)
        ),
    )

    assert seen == [(1, 3, first.pk, True), (2, 3, bare.pk, False), (3, 3, last.pk, True)]
    assert "chưa có dự thảo kết quả" in outcomes[1].error
    statuses = dict(
        Dossier.objects.filter(pk__in=[first.pk, bare.pk, last.pk]).values_list("pk", "status")
    )
    assert statuses == {
        first.pk: DossierStatus.PROCESSED,
        bare.pk: DossierStatus.IN_PROGRESS,
        last.pk: DossierStatus.PROCESSED,
    }
    assert SignedDocument.objects.filter(dossier__in=[first, last]).count() == 2
    assert not SignedDocument.objects.filter(dossier=bare).exists()


def test_a_leader_of_another_agency_may_not_sign(signing_world, one_page_pdf):
    world = signing_world
    dossier = _draft(world, one_page_pdf)
    with pytest.raises(PermissionDenied):
        services.dossier_sign_and_approve(dossier=dossier, actor=world.other_leader, pin=PIN)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_PROGRESS
    assert not AuditEvent.objects.filter(kind__in=[AuditKind.SIGN, AuditKind.SIGN_FAILED]).exists()


def test_a_draft_that_is_not_a_pdf_is_refused(signing_world):
    world = signing_world
    dossier = world.examining()
    with pytest.raises(DossierError):
        services.dossier_attach_draft_result(
            dossier=dossier,
            actor=world.specialist,
            uploaded_file=SimpleUploadedFile(
                "x.pdf", b"GIF89a....", content_type="application/pdf"
            ),
        )
    with pytest.raises(PermissionDenied):
        services.dossier_attach_draft_result(
            dossier=dossier,
            actor=world.clerk,
            uploaded_file=SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf"),
        )


def test_clerical_office_issues_with_a_second_signature_and_the_applicant_downloads_it(
    signing_world, one_page_pdf, pdfsig, client
):
    world = signing_world
    approved = services.dossier_sign_and_approve(
        dossier=_draft(world, one_page_pdf), actor=world.leader, pin=PIN, level="B-LT"
    )

    document = services.dossier_issue_result(
        dossier=approved, actor=world.clerical, pin=PIN, number="123/QĐ-STP"
    )

    assert document.issue_number == "123/QĐ-STP" and document.issued_at is not None
    # issuing is a row of the workflow table: it is in the history (and so in form 06), publicly
    issued = approved.events.get(action=Action.ISSUE_RESULT)
    assert (
        issued.actor == world.clerical
        and issued.data["number"] == "123/QĐ-STP"
        and issued.visibility == "public"
    )
    from dossiers.printing import handovers

    assert [h.action for h in handovers(approved)][-1] == "Văn thư phát hành kết quả"  # form 06
    returned = services.dossier_return_result(
        dossier=approved, actor=world.clerk, delivery="online"
    )
    client.force_login(world.citizen)
    response = client.get(reverse("dossiers:result_download", args=[returned.pk]))
    assert response.status_code == 200
    downloaded = b"".join(response.streaming_content)
    assert downloaded == _bytes(document.file)
    report = verify_pdf(downloaded)
    assert [(s.field_name, s.signer, s.verdict) for s in report.signatures] == [
        ("LanhDao", "Lò Văn Thắng", "valid"),
        ("VanThu", "Quàng Thị Hoa", "valid"),
    ]
    text = pdfsig(downloaded)
    assert text.count("Signature is Valid.") == 2, text
    assert text.index("Lò Văn Thắng") < text.index("Quàng Thị Hoa")
    # the verification page the QR code points at shows both signatures in plain words
    page = client.get(reverse("signatures:verify-token", args=[document.token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        html.count('data-verdict="valid"') >= 3
        and "Quàng Thị Hoa" in html
        and "Lò Văn Thắng" in html
    )
    # the detail page offers the verification link to the applicant
    detail = client.get(reverse("dossiers:detail", args=[returned.pk])).content.decode()
    assert (
        reverse("signatures:verify-token", args=[document.token]) in detail
        and "123/QĐ-STP" in detail
    )


def test_only_the_receiving_agencys_clerical_office_issues_and_only_once(
    signing_world, one_page_pdf
):
    world = signing_world
    approved = services.dossier_sign_and_approve(
        dossier=_draft(world, one_page_pdf), actor=world.leader, pin=PIN
    )
    with pytest.raises(PermissionDenied):
        services.dossier_issue_result(dossier=approved, actor=world.leader, pin=PIN, number="1/QĐ")
    with pytest.raises(DossierError):
        services.dossier_issue_result(
            dossier=approved, actor=world.clerical, pin="999999", number="1/QĐ"
        )
    assert not SignedDocument.objects.get(dossier=approved).issue_number
    services.dossier_issue_result(dossier=approved, actor=world.clerical, pin=PIN, number="1/QĐ")
    with pytest.raises(DossierError):
        services.dossier_issue_result(
            dossier=approved, actor=world.clerical, pin=PIN, number="2/QĐ"
        )


# --- pages ----------------------------------------------------------------------------------------


def test_specialist_attaches_the_draft_from_the_dossier_page(signing_world, one_page_pdf, client):
    world = signing_world
    dossier = world.examining()
    client.force_login(world.specialist)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'id="draft-form"' in page and 'id="sign-approve-form"' not in page
    response = client.post(
        reverse("dossiers:draft_result", args=[dossier.pk]),
        {
            "draft-file": SimpleUploadedFile(
                "du-thao.pdf", one_page_pdf, content_type="application/pdf"
            )
        },
    )
    assert response.status_code == 302
    assert _bytes(Dossier.objects.get(pk=dossier.pk).result_file) == one_page_pdf


def test_leader_signs_a_batch_from_the_approval_queue_page(signing_world, one_page_pdf, client):
    world = signing_world
    first, second = _draft(world, one_page_pdf), _draft(world, one_page_pdf)
    client.force_login(world.leader)
    queue = client.get(reverse("dossiers:approval_queue")).content.decode()
    assert 'id="sign-approve-batch"' in queue and f'name="dossier" value="{first.pk}"' in queue

    wrong = client.post(
        reverse("dossiers:sign_approve_batch"),
        {"dossier": [first.pk, second.pk], "sign-pin": "111111", "sign-level": "B-T"},
        follow=True,
    )
    assert "PIN" in wrong.content.decode()
    assert set(
        Dossier.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {DossierStatus.IN_PROGRESS}

    response = client.post(
        reverse("dossiers:sign_approve_batch"),
        {
            "dossier": [first.pk, second.pk],
            "sign-pin": PIN,
            "sign-level": "B-T",
            "sign-comment": "Đồng ý",
        },
    )
    assert response.status_code == 200 and response.streaming
    chunks = [c.decode() for c in response.streaming_content]
    html = "".join(chunks)
    # the page is streamed: the head with an empty bar first, then one row and one progress update per dossier
    head = " ".join(chunks[0].split())  # attributes as a browser reads them (djLint wraps tags)
    assert 'data-done="0" data-total="2"' in head and 'class="list-group-item' not in chunks[0]
    tick = '<template class="sign-tick" data-done="{}" data-total="2" data-signed="{}" data-finished="{}">'
    assert tick.format(1, 1, 0) in chunks[1] and tick.format(2, 2, 0) in chunks[2]
    assert tick.format(2, 2, 1) in chunks[-1] and "</html>" in chunks[-1]
    assert "<script>" not in html  # the progress script is a static file (CSP: no inline script)
    assert html.count('class="btn btn-sm btn-outline-success verify-link"') == 2
    assert set(
        Dossier.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {DossierStatus.PROCESSED}


def test_another_leaders_dossier_cannot_be_slipped_into_a_batch(
    signing_world, one_page_pdf, client
):
    world = signing_world
    dossier = _draft(world, one_page_pdf)
    client.force_login(world.other_leader)
    response = client.post(
        reverse("dossiers:sign_approve_batch"),
        {"dossier": [dossier.pk], "sign-pin": PIN, "sign-level": "B-T"},
    )
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.IN_PROGRESS


# --- API ------------------------------------------------------------------------------------------


def test_api_signs_and_approves_with_the_pin_of_the_request(signing_world, one_page_pdf, client):
    world = signing_world
    with_draft, bare = (
        _draft(world, one_page_pdf),
        services.dossier_forward_for_approval(
            dossier=world.examining(), actor=world.specialist, leader=world.leader
        ),
    )
    client.force_login(world.leader)
    url = reverse("dossiers-api-sign-approve")

    wrong = client.post(
        url, {"dossiers": [with_draft.pk], "pin": "000000"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "PIN" in wrong.json()["detail"]

    response = client.post(
        url,
        {"dossiers": [with_draft.pk, bare.pk], "pin": PIN, "level": "B-T"},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200, body
    assert (body["signed"], body["total"]) == (1, 2)
    assert body["results"][0]["ok"] and body["results"][0]["verification_url"].endswith(
        f"/xac-thuc/{body['results'][0]['signed_document']}/"
    )
    assert not body["results"][1]["ok"] and "chưa có dự thảo kết quả" in body["results"][1]["error"]
    page = client.get(urlsplit(body["results"][0]["verification_url"]).path)
    assert 'data-verdict="valid"' in page.content.decode()


def test_clerical_office_issues_from_its_list_and_the_dossier_page(
    signing_world, one_page_pdf, client
):
    world = signing_world
    approved = services.dossier_sign_and_approve(
        dossier=_draft(world, one_page_pdf), actor=world.leader, pin=PIN
    )
    client.force_login(world.clerical)
    queue = client.get(reverse("dossiers:issue_queue")).content.decode()
    assert f'data-pk="{approved.pk}"' in queue
    page = client.get(reverse("dossiers:detail", args=[approved.pk])).content.decode()
    assert 'id="issue-form"' in page
    response = client.post(
        reverse("dossiers:issue_result", args=[approved.pk]),
        {"issue-number": "45/QĐ-STP", "issue-pin": PIN},
    )
    assert response.status_code == 302
    document = SignedDocument.objects.get(dossier=approved)
    assert document.issue_number == "45/QĐ-STP"
    assert [s.field_name for s in verify_pdf(_bytes(document.file)).signatures] == [
        "LanhDao",
        "VanThu",
    ]
    assert (
        f'data-pk="{approved.pk}"'
        not in client.get(reverse("dossiers:issue_queue")).content.decode()
    )
    client.force_login(world.specialist)
    assert client.get(reverse("dossiers:issue_queue")).status_code == 403


def test_leader_signs_one_dossier_from_its_page(signing_world, one_page_pdf, client):
    world = signing_world
    dossier = _draft(world, one_page_pdf)
    client.force_login(world.leader)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert 'id="sign-approve-form"' in page and 'id="draft-result"' in page

    wrong = client.post(
        reverse("dossiers:sign_approve", args=[dossier.pk]),
        {"sign-pin": "1", "sign-level": "B-T"},
        follow=True,
    )
    assert (
        "PIN" in wrong.content.decode()
        and Dossier.objects.get(pk=dossier.pk).status == DossierStatus.IN_PROGRESS
    )

    response = client.post(
        reverse("dossiers:sign_approve", args=[dossier.pk]),
        {"sign-pin": PIN, "sign-level": "B-LTA"},
        follow=True,
    )
    html = response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PROCESSED
    assert 'id="signed-result"' in html
    document = SignedDocument.objects.get(dossier=dossier)
    assert verify_pdf(_bytes(document.file)).verdict == "valid"


def test_a_signed_result_counts_on_the_dashboards_after_the_next_refresh(
    signing_world, one_page_pdf
):
    """Issue 16: storing the signed result marks the dossier dirty; the refresh sets its fact's
    ``signed`` flag and the month's ``signed_results`` counter, which the dashboards read."""
    from django.utils import timezone

    from dashboards import selectors, summary
    from dashboards.models import DirtyDossier, DossierFact

    world = signing_world
    approved = services.dossier_sign_and_approve(
        dossier=_draft(world, one_page_pdf), actor=world.leader, pin=PIN
    )
    assert DirtyDossier.objects.filter(dossier_id=approved.pk).exists()
    summary.refresh()
    assert DossierFact.objects.get(dossier_id=approved.pk).signed
    month = selectors.period_filters("month", timezone.localdate(approved.finished_at))
    assert selectors.dashboard_figures(month).signed_results == 1
    assert selectors.direct_figures(month).signed_results == 1
