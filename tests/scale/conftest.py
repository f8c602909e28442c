"""Fixtures of the scale-out tests: the real SeaweedFS S3 server, and the dossier world."""

from __future__ import annotations

import pytest

from tests.dossiers.conftest import world  # noqa: F401 - fixture reused here (no time travel: S3 signatures carry the clock)
from tests.scale.servers import SeaweedFS
from tests.signatures.conftest import _softhsm, pin, pki_material, pki_rows, signing_world  # noqa: F401 - the signing PKI


@pytest.fixture(scope="session")
def seaweed():
    """One SeaweedFS (master, volume, filer, S3) for the session, on ports checked free."""
    with SeaweedFS() as store:
        yield store


@pytest.fixture
def s3_settings(settings, seaweed, tmp_path):
    """The portal switched to the object store by settings only (what FILE_STORAGE=s3 builds)."""
    from portal import scaleout

    settings.STORAGES = {
        **settings.STORAGES,
        "default": scaleout.s3_storage(
            bucket=seaweed.bucket,
            endpoint=seaweed.endpoint,
            region="us-east-1",
            access_key=seaweed.ACCESS_KEY,
            secret_key=seaweed.secret_key,
            expire=60,
            demo=True,
        ),
    }
    settings.MEDIA_ROOT = tmp_path / "media-not-used"
    settings.S3_DOWNLOAD = "stream"
    return settings
