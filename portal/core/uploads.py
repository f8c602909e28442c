"""Checks on a file an applicant or a clerk attaches to a dossier, before it is stored.

The type is detected from the CONTENT (magic bytes, via ``filetype``), never trusted from the
name or the browser's Content-Type; then the file must actually open (a PDF parses with
pyHanko's reader and ends with ``%%EOF``, an image passes Pillow's ``verify()``), so a damaged
or disguised file is refused with a clear message instead of reaching the specialist.
Security practice for uploads: size limit, extension and magic-byte check, safe stored name,
Content-Disposition set by us on download.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

#: MIME type → the extensions a file of that type may carry, and the extension we store it with.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg", "jpe"),
    "image/png": ("png",),
}
#: How far from the end ``%%EOF`` may sit (trailing whitespace or a few bytes of junk).
EOF_WINDOW = 1024


@dataclass(frozen=True)
class CheckedUpload:
    """What we learned about a valid upload."""

    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str
    stored_name: str


def _read_all(uploaded: Any) -> bytes:
    uploaded.seek(0)
    if hasattr(uploaded, "chunks"):
        data = b"".join(uploaded.chunks())
    else:
        data = uploaded.read()
    uploaded.seek(0)
    return data


def _clean_name(name: str) -> str:
    name = (name or "").replace("\x00", "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[-255:] or "tep"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _pdf_opens(data: bytes) -> bool:
    """A PDF is damaged when its header or ``%%EOF`` marker is missing or pyHanko cannot read
    its cross-reference table and first page."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-EOF_WINDOW:]:
        return False
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(io.BytesIO(data), strict=False)
        root = reader.root
        pages = root["/Pages"]
        return int(pages["/Count"]) >= 1
    except Exception:  # noqa: BLE001 - any parser error means "damaged"
        return False


def _image_opens(data: bytes) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
        with Image.open(
            io.BytesIO(data)
        ) as img:  # verify() leaves the image unusable; load a fresh one
            img.load()
    except Exception:  # noqa: BLE001 - truncated, corrupt or not an image at all
        return False
    return True


#: Action types that run or launch something (ISO 32000-1 §12.6.4): an /OpenAction that only
#: goes to a page (a destination array or /GoTo) is harmless and common.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"}


def _pdf_active_content(data: bytes) -> bool:
    """A PDF that carries scripts, launch actions, open actions or embedded files (issue 13:
    a PDF with JavaScript was accepted). Read from the raw bytes and, for names hidden in
    compressed object streams, from the document catalogue as pyHanko parses it."""
    import re

    if re.search(rb"/(JavaScript|JS|Launch|RichMedia|EmbeddedFiles?|SubmitForm)\b", data):
        return True
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        root = PdfFileReader(io.BytesIO(data), strict=False).root
        for key in ("/OpenAction", "/AA"):
            action: Any = root.get(key)
            action = action.get_object() if hasattr(action, "get_object") else action
            if hasattr(action, "get") and (action.get("/S") in _ACTIVE_ACTIONS or key == "/AA"):
                return True
        names: Any = root.get("/Names")
        return bool(names) and ("/JavaScript" in names or "/EmbeddedFiles" in names)
    except Exception:  # noqa: BLE001 - unreadable structures are caught by _pdf_opens
        return False


def _image_has_trailing_data(data: bytes, content_type: str) -> bool:
    """Bytes after the image's end marker (a JPEG's EOI, a PNG's IEND chunk): a polyglot, e.g.
    HTML appended to a photo (issue 13). Trailing NUL padding some scanners write is allowed."""
    body = data.rstrip(b"\x00")
    if content_type == "image/jpeg":
        return not body.endswith(b"\xff\xd9")
    if content_type == "image/png":
        return not body.endswith(b"IEND\xaeB`\x82")
    return False


def validate_upload(uploaded: Any, *, max_bytes: int | None = None) -> CheckedUpload:
    """Check one uploaded file; raise :class:`ValidationError` with a message per case (empty,
    too large, not PDF/JPEG/PNG by content, name does not match the content, damaged).

    Returns the detected type, size, SHA-256 and a safe stored name (a UUID; the user's name is
    kept only as ``original_name``).
    """
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    original_name = _clean_name(getattr(uploaded, "name", "") or "")
    size = getattr(uploaded, "size", None)
    if size is None or size == 0:
        data = _read_all(uploaded)
        size = len(data)
        if size == 0:
            raise ValidationError(
                _("The file “%(name)s” is empty.") % {"name": original_name}, code="empty"
            )
    if size > limit:
        raise ValidationError(
            _("The file “%(name)s” is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "name": original_name,
                "size": f"{size / 1048576:.1f}",
                "limit": f"{limit / 1048576:g}",
            },
            code="too_large",
        )
    data = _read_all(uploaded)
    if not data:
        raise ValidationError(
            _("The file “%(name)s” is empty.") % {"name": original_name}, code="empty"
        )
    kind = filetype.guess(data[:8192])
    content_type = kind.mime if kind else None
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a PDF, JPEG or PNG file. Only these types are accepted.")
            % {"name": original_name},
            code="bad_type",
        )
    ext = _extension(original_name)
    if ext not in ALLOWED_TYPES[content_type]:
        raise ValidationError(
            _(
                "The name of “%(name)s” does not match its content (the content is %(kind)s). Rename the file or choose the right one."
            )
            % {"name": original_name, "kind": ALLOWED_TYPES[content_type][0].upper()},
            code="mismatch",
        )
    opens = _pdf_opens(data) if content_type == "application/pdf" else _image_opens(data)
    if not opens:
        raise ValidationError(
            _("The file “%(name)s” is damaged and cannot be opened. Scan or export it again.")
            % {"name": original_name},
            code="damaged",
        )
    if content_type == "application/pdf" and _pdf_active_content(data):
        raise ValidationError(
            _(
                "The file “%(name)s” contains active content (scripts or embedded files). Print it to a new PDF or scan it, then attach it again."
            )
            % {"name": original_name},
            code="active_content",
        )
    if content_type != "application/pdf" and _image_has_trailing_data(data, content_type):
        raise ValidationError(
            _(
                "The file “%(name)s” has other data after the end of the image. Save or scan the image again."
            )
            % {"name": original_name},
            code="trailing_data",
        )
    stored_ext = ALLOWED_TYPES[content_type][0]
    return CheckedUpload(
        content_type=content_type,
        extension=stored_ext,
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=original_name,
        stored_name=f"{uuid.uuid4().hex}.{stored_ext}",
    )


def attachment_response(
    field_file: Any, name: str, content_type: str = "application/octet-stream"
) -> HttpResponseBase:
    """A stored file as a download: a clean file name, ``nosniff``, and a 404 with a clear
    message (not a 500) when the file has gone from the storage.

    Called only after the view's access check. With object storage and ``S3_DOWNLOAD=presigned``
    (issue 19) the answer is a redirect to a pre-signed URL valid ``S3_URL_EXPIRE`` seconds that
    carries the same file name and type; otherwise the bytes stream through the portal.
    """
    if not field_file:
        raise Http404(_("The file is missing."))
    storage = field_file.storage
    if getattr(settings, "S3_DOWNLOAD", "stream") == "presigned" and hasattr(
        storage, "presigned_download_url"
    ):
        if not storage.exists(field_file.name):
            raise Http404(_("The file is missing."))
        url = storage.presigned_download_url(
            field_file.name, filename=safe_download_name(name), content_type=content_type
        )
        redirect = HttpResponseRedirect(url)
        redirect["Cache-Control"] = "private, no-store"
        redirect["Referrer-Policy"] = "no-referrer"
        return redirect
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=safe_download_name(name), content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def safe_download_name(name: str, fallback: str = "tep") -> str:
    """A file name fit for a Content-Disposition header (no path, quotes or control chars)."""
    name = _clean_name(name)
    return "".join(ch for ch in name if ch.isprintable() and ch not in '"\\/;') or fallback
