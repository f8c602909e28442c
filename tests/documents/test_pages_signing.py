"""The leader signs a draft's main text from the document page with the PIN of a real SoftHSM2
token: a wrong PIN is a clear message and nothing changes; the right PIN gives a PAdES signature
(trusted time from the portal's own TSA on the loopback live server) that verifies."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from documents.constants import OutgoingState
from documents.models import OutgoingDocument
from portal.accounts.constants import Role
from signatures import pki
from signatures import services as signature_services
from tests.factories.signatures import PIN, OfficialFactory

from .pages_support import make_world

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def _softhsm(tmp_path_factory: pytest.TempPathFactory) -> None:
    if os.environ.get("SOFTHSM2_CONF"):
        return  # the signatures tests of this session made one already
    base = tmp_path_factory.mktemp("softhsm-docs")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)


@pytest.fixture
def signing_world(_softhsm, live_server, transactional_db):
    signature_services.pki_store(material=pki.generate(base_url=live_server.url))
    w = make_world()
    w.leader = OfficialFactory(
        agency=w.agency,
        full_name="Lường Văn Sơn",
        position="Phó Giám đốc",
        roles=[Role.LEADER],
        with_certificate=True,
    )
    return w


def test_leader_signs_the_main_text_with_the_pin(client, signing_world):
    w = signing_world
    document = w.draft(submitted=True)
    client.force_login(w.leader)
    url = reverse("documents:outgoing_act", args=[document.pk, "sign"])
    wrong = client.post(
        url, {"sign-pin": "000000", "sign-reason": "Ký ban hành"}, follow=True
    ).content.decode()
    assert "PIN" in wrong.split('class="alert alert-danger"')[1].split("</div>")[0]
    document.refresh_from_db()
    assert document.state == OutgoingState.SUBMITTED  # unchanged: still before the leader

    page = client.post(
        url, {"sign-pin": PIN, "sign-reason": "Ký ban hành"}, follow=True
    ).content.decode()
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert document.state == OutgoingState.SIGNED and document.signer == w.leader
    assert 'id="signed-badge"' in page and 'id="do-sign"' not in page
    main = document.attachments.get(is_main=True)
    signed = main.file.read()
    assert b"/ByteRange" in signed
    from signatures.verify import verify_pdf

    report = verify_pdf(signed)
    assert report.all_valid and len(report.signatures) == 1, report.as_dict()
