"""The portal's S3 storage (django-storages' S3 backend), private bucket (issue 19).

Downloads leave the store only after the portal's own access check (``attachment_response``):
either streamed through the portal, or as a redirect to a pre-signed URL valid ``S3_URL_EXPIRE``
seconds that names the download file and type itself (``response-content-disposition`` /
``response-content-type``, AWS S3 API "GetObject" request parameters), signed for the endpoint
browsers reach, which may differ from the one the workers use inside the network.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class PortalS3Storage(S3Storage):
    @cached_property
    def _public_client(self) -> Any:
        public = getattr(settings, "S3_PUBLIC_ENDPOINT_URL", "") or self.endpoint_url
        if public == self.endpoint_url:
            return self.connection.meta.client
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3",
            endpoint_url=public,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region_name,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def presigned_download_url(
        self, name: str, *, filename: str, content_type: str, expire: int | None = None
    ) -> str:
        """A short-lived GET URL for ``name`` that downloads as ``filename`` (RFC 6266, UTF-8)."""
        from urllib.parse import quote

        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        return self._public_client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket_name,
                "Key": self._normalize_name(clean_name(name)),
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            ExpiresIn=expire or self.querystring_expire,
        )
