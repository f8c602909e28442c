"""The signing PKI for the tests: built once per session (keys are slow), stored per test.

The CA, OCSP and TSA endpoints are the portal's own views on pytest-django's loopback live server,
so the certificates carry its address and pyHanko fetches time-stamps and revocation data over HTTP.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from portal.accounts.constants import Role
from signatures import pki, services
from tests.factories.agencies import AgencyFactory
from tests.factories.signatures import PIN, OfficialFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _softhsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private SoftHSM2 token directory for this test session."""
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    return conf


@pytest.fixture(scope="session")
def pki_material(live_server) -> pki.PKIMaterial:  # type: ignore[no-untyped-def]
    return pki.generate(base_url=live_server.url)


@pytest.fixture
def pki_rows(pki_material, transactional_db):  # type: ignore[no-untyped-def]
    return services.pki_store(material=pki_material)


@pytest.fixture
def agency(transactional_db):  # type: ignore[no-untyped-def]
    return AgencyFactory(name="Sở Tư pháp tỉnh Điện Biên")


@pytest.fixture
def official(pki_rows, agency):  # type: ignore[no-untyped-def]
    return OfficialFactory(
        agency=agency,
        full_name="Lò Văn Thắng",
        position="Giám đốc",
        roles=[Role.LEADER],
        with_certificate=True,
    )


@pytest.fixture
def pin() -> str:
    return PIN


@pytest.fixture(scope="session")
def one_page_pdf() -> bytes:
    """A one-page result rendered by WeasyPrint, as the portal renders them."""
    from weasyprint import HTML

    html = """<html><head><meta charset="utf-8"><style>@page{size:A4;margin:2cm}
    body{font-family:'Noto Serif';font-size:13pt}</style></head><body>
    <p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>
    <h2 style="text-align:center">GIẤY CHỨNG NHẬN</h2>
    <p>Sở Tư pháp tỉnh Điện Biên chứng nhận ông Nguyễn Văn Dũng đã hoàn thành thủ tục hành chính.</p>
    </body></html>"""
    return HTML(string=html).write_pdf()


@pytest.fixture(scope="session")
def nssdb(tmp_path_factory: pytest.TempPathFactory, pki_material: pki.PKIMaterial) -> Path:
    """An NSS database trusting only the province's root, for poppler's pdfsig."""
    directory = tmp_path_factory.mktemp("nssdb")
    subprocess.run(
        ["certutil", "-N", "--empty-password", "-d", f"sql:{directory}"],
        check=True,
        capture_output=True,
    )
    root = directory / "root.pem"
    root.write_bytes(pki_material.root_cert.public_bytes(serialization.Encoding.PEM))
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{directory}",
            "-n",
            "dien-bien-root",
            "-t",
            "CT,C,C",
            "-i",
            str(root),
        ],
        check=True,
        capture_output=True,
    )
    return directory


@pytest.fixture
def pdfsig(nssdb: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run pdfsig on bytes and return its text (its exit code is 0 even on a digest mismatch)."""

    def run(pdf_bytes: bytes, *options: str) -> str:
        path = tmp_path / "doc.pdf"
        path.write_bytes(pdf_bytes)
        result = subprocess.run(
            ["pdfsig", "-nssdir", f"sql:{nssdb}", *options, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout + result.stderr

    return run


@pytest.fixture
def signing_world(pki_rows, transactional_db):  # type: ignore[no-untyped-def]
    """The dossier world of ``tests/dossiers`` whose leader and clerical office hold real keys on
    SoftHSM2 tokens (and the province's PKI served by the live server)."""
    from portal.agencies.constants import AgencyLevel
    from tests.dossiers.conftest import World
    from tests.factories.accounts import StaffFactory
    from tests.factories.dossiers import CitizenFactory, ProcedureFactory

    agency = AgencyFactory(name="Sở Tư pháp tỉnh Điện Biên", receiving_code="G09.20")
    division = AgencyFactory(
        name="Phòng Hành chính tư pháp", parent=agency, level=AgencyLevel.DIVISION
    )
    other = AgencyFactory(name="Sở Xây dựng")
    world = World(
        agency=agency,
        division=division,
        other_agency=other,
        clerk=StaffFactory(agency=agency, roles=[Role.CLERK]),
        specialist=StaffFactory(agency=agency, department=division, roles=[Role.SPECIALIST]),
        leader=OfficialFactory(
            agency=agency,
            department=division,
            roles=[Role.LEADER],
            full_name="Lò Văn Thắng",
            position="Giám đốc",
            with_certificate=True,
        ),
        other_clerk=StaffFactory(agency=other, roles=[Role.CLERK]),
        other_leader=OfficialFactory(
            agency=other, roles=[Role.LEADER, Role.SPECIALIST], with_certificate=True
        ),
        citizen=CitizenFactory(citizen_id="011200004321", phone="0912345678"),
        other_citizen=CitizenFactory(),
        procedure=ProcedureFactory(agency=agency),
    )
    world.clerical = OfficialFactory(
        agency=agency,
        roles=[Role.CLERICAL],
        full_name="Quàng Thị Hoa",
        position="Văn thư",  # type: ignore[attr-defined]
        with_certificate=True,
    )
    return world
