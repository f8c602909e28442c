"""Files in S3-compatible object storage (issue 19), against a real SeaweedFS.

What a user and an operator observe: an applicant's upload lands in the private bucket (not on
the web server's disk) with its SHA-256 recorded; the download after the access check is the same
bytes, streamed or as a short-lived pre-signed URL that names the file; the bucket refuses anyone
without a signature, a wrong key and an expired URL; ``manage.py media_to_s3`` moves an existing
MEDIA_ROOT and refuses to pass a damaged file.
"""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from dossiers.models import DossierFile
from tests.dossiers.conftest import PDF


def _objects(seaweed) -> set[str]:
    listing = seaweed.client().list_objects_v2(Bucket=seaweed.bucket)
    return {o["Key"] for o in listing.get("Contents", [])}


def test_an_upload_lands_in_the_private_bucket_and_streams_back(
    s3_settings, seaweed, world, client
):
    dossier = world.submitted()
    item = dossier.files.get()
    assert item.file.name in _objects(seaweed)
    assert not (s3_settings.MEDIA_ROOT / item.file.name).exists()
    assert item.sha256 == hashlib.sha256(PDF).hexdigest()
    stored = seaweed.client().get_object(Bucket=seaweed.bucket, Key=item.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == item.sha256

    client.force_login(world.citizen)
    response = client.get(reverse("dossiers:file_download", args=[dossier.pk, item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(world.other_citizen)
    assert (
        client.get(reverse("dossiers:file_download", args=[dossier.pk, item.pk])).status_code == 404
    )


def test_the_bucket_refuses_unsigned_and_wrongly_signed_reads(s3_settings, seaweed, world):
    item = world.submitted().files.get()
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{seaweed.endpoint}/{seaweed.bucket}/{item.file.name}", timeout=5)
    assert anonymous.value.code == 403
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        seaweed.client(secret="not-the-secret").get_object(
            Bucket=seaweed.bucket, Key=item.file.name
        )


def test_presigned_download_is_short_lived_and_names_the_file(s3_settings, seaweed, world, client):
    s3_settings.S3_DOWNLOAD = "presigned"
    dossier = world.submitted()
    item = dossier.files.get()
    client.force_login(world.citizen)
    response = client.get(reverse("dossiers:file_download", args=[dossier.pk, item.pk]))
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith(f"{seaweed.endpoint}/{seaweed.bucket}/") and "X-Amz-Expires=60" in url
    assert response["Cache-Control"] == "private, no-store"
    with urllib.request.urlopen(url, timeout=5) as got:
        assert got.read() == PDF
        assert "to-khai.pdf" in got.headers["Content-Disposition"]
        assert got.headers["Content-Type"] == "application/pdf"
    # another citizen gets no URL at all
    client.force_login(world.other_citizen)
    assert (
        client.get(reverse("dossiers:file_download", args=[dossier.pk, item.pk])).status_code == 404
    )
    # an expired URL is refused by the store itself
    short = default_storage.presigned_download_url(
        item.file.name, filename="x.pdf", content_type="application/pdf", expire=1
    )
    time.sleep(2.5)
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(short, timeout=5)
    assert expired.value.code == 403


def test_a_file_gone_from_the_bucket_is_a_clear_404(s3_settings, seaweed, world, client):
    dossier = world.submitted()
    item = dossier.files.get()
    seaweed.client().delete_object(Bucket=seaweed.bucket, Key=item.file.name)
    client.force_login(world.citizen)
    for mode in ("stream", "presigned"):
        s3_settings.S3_DOWNLOAD = mode
        response = client.get(reverse("dossiers:file_download", args=[dossier.pk, item.pk]))
        assert response.status_code == 404, mode


def test_media_to_s3_moves_every_file_and_checks_every_hash(settings, seaweed, tmp_path, world):
    """Files written on local disk first (the one-machine set), then moved by the command."""
    settings.MEDIA_ROOT = tmp_path / "media"
    first, second = world.submitted(), world.submitted()
    local = FileSystemStorage(location=str(settings.MEDIA_ROOT))
    names = [f.file.name for f in DossierFile.objects.filter(dossier__in=[first, second])]
    assert all(local.exists(n) for n in names)
    # a row recorded before hashes were kept: the command fills its hash in
    DossierFile.objects.filter(file=names[1]).update(sha256="")
    # a result file with no hash recorded, as older rows have
    first.result_file.save("ket-qua.pdf", ContentFile(PDF), save=True)

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
    out = StringIO()
    call_command("media_to_s3", source=str(settings.MEDIA_ROOT), stdout=out)
    assert "problems 0" in out.getvalue(), out.getvalue()
    in_bucket = _objects(seaweed)
    assert set(names) <= in_bucket and first.result_file.name in in_bucket
    for name in names:
        body = seaweed.client().get_object(Bucket=seaweed.bucket, Key=name)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == DossierFile.objects.get(file=name).sha256
    first.refresh_from_db()
    assert first.result_sha256 == hashlib.sha256(PDF).hexdigest()

    # twice: nothing copied again
    again = StringIO()
    call_command("media_to_s3", source=str(settings.MEDIA_ROOT), stdout=again)
    assert again.getvalue().startswith("copied 0,"), again.getvalue()

    # a damaged local file is named and the command fails
    (settings.MEDIA_ROOT / names[0]).write_bytes(b"%PDF-1.4 damaged")
    seaweed.client().delete_object(Bucket=seaweed.bucket, Key=names[0])
    err = StringIO()
    with pytest.raises(CommandError, match="not moved intact"):
        call_command("media_to_s3", source=str(settings.MEDIA_ROOT), stdout=StringIO(), stderr=err)
    assert "hash mismatch at the source" in err.getvalue() and names[0] in err.getvalue()
    assert names[0] not in _objects(seaweed)


def test_media_to_s3_refuses_to_run_on_the_local_filesystem(settings):
    with pytest.raises(CommandError, match="FILE_STORAGE=s3"):
        call_command("media_to_s3", stdout=StringIO())
