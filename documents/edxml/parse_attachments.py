"""Reading the attachments of a document envelope: the base64 content, the zipped single file
and the checks on names, sizes and digests."""

from __future__ import annotations

import binascii

from lxml import etree

from .model import (
    Attachment,
    EnvelopeRejected,
)
from .reading import QNAME, WHITESPACE, find_path, malformed_error, read_text


def decode_content(value: str, name: str, limit: int) -> bytes:
    raw = value.encode("ascii", "replace")
    estimate = len(raw) * 3 // 4
    if estimate > limit + 3 and len(raw.translate(None, WHITESPACE)) * 3 // 4 > limit + 3:
        raise EnvelopeRejected(
            "too_large",
            f"attachment {name!r} is about {estimate} bytes, the limit is {limit}",
            detail_vi=f"tệp đính kèm {name!r} khoảng {estimate} byte, giới hạn {limit} byte",
        )
    try:
        data = binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        try:
            data = binascii.a2b_base64(raw.translate(None, WHITESPACE), strict_mode=True)
        except binascii.Error as exc:
            raise malformed_error(
                f"attachment {name!r} is not valid base64 ({exc})",
                f"tệp đính kèm {name!r} không đúng mã base64 ({exc})",
            ) from exc
    if len(data) > limit:
        raise EnvelopeRejected(
            "too_large",
            f"attachment {name!r} has {len(data)} bytes, the limit is {limit}",
            detail_vi=f"tệp đính kèm {name!r} có {len(data)} byte, giới hạn {limit} byte",
        )
    return data


def _content_id(value: str) -> str:
    value = value.strip().strip("<>")
    return value[4:] if value.lower().startswith("cid:") else value


def unzip_single(data: bytes, name: str, content_type: str, limit: int) -> bytes:
    """Document-axis gateways send each file ZIP-compressed (one entry) under the file's own name
    and type: unpack it, within the size limit (a ZIP bomb is refused by its declared size)."""
    if (
        not data.startswith(b"PK\x03\x04")
        or name.lower().endswith(".zip")
        or "zip" in content_type.lower()
    ):
        return data
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [i for i in archive.infolist() if not i.is_dir()]
            if len(entries) != 1:
                return data
            if entries[0].file_size > limit:
                raise EnvelopeRejected(
                    "too_large",
                    f"attachment {name!r} unpacks to {entries[0].file_size} bytes, the limit is {limit}",
                    detail_vi=f"tệp đính kèm {name!r} giải nén ra {entries[0].file_size} byte, giới hạn {limit} byte",
                )
            with archive.open(entries[0]) as handle:
                unpacked = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return data
    if len(unpacked) > limit:
        raise EnvelopeRejected(
            "too_large",
            f"attachment {name!r} unpacks beyond {limit} bytes",
            detail_vi=f"tệp đính kèm {name!r} giải nén vượt {limit} byte",
        )
    return unpacked


def read_attachments(
    root: etree._Element, limit: int, encoded: etree._Element | None = None
) -> list[Attachment]:
    """The attachments listed in the manifest (``edXMLManifest/Reference{ContentId, ContentType,
    AttachmentName}`` or the older ``Manifest/Reference@href``), found in ``AttachmentEncoded``
    (``ContentTransferEncoded``) or in the body (``Value``); every listed one must be there and
    nothing unlisted."""
    body = find_path(root, "edXMLBody")
    listed: dict[str, dict[str, str]] = {}
    order: list[str] = []
    if body is not None:
        references = list(body.iterfind(f"{QNAME % 'Manifest'}/{QNAME % 'Reference'}")) + list(
            body.iterfind(f"{QNAME % 'edXMLManifest'}/{QNAME % 'Reference'}")
        )
        for node in references:
            content_id = _content_id(node.get("href", "") or read_text(node, "ContentId"))
            if content_id in listed:
                raise malformed_error(
                    f"duplicate Manifest/Reference {content_id}",
                    f"Manifest/Reference {content_id} bị lặp",
                )
            listed[content_id] = {
                "name": read_text(node, "AttachmentName"),
                "type": read_text(node, "ContentType"),
                "description": read_text(node, "Description"),
            }
            order.append(content_id)
    nodes = list(body.iterchildren(QNAME % "Attachment")) if body is not None else []
    if encoded is not None:
        nodes += list(encoded.iterchildren(QNAME % "Attachment"))
    found: dict[str, Attachment] = {}
    for node in nodes:
        content_id = _content_id(read_text(node, "ContentId"))
        meta = listed.get(content_id)
        name = read_text(node, "AttachmentName") or (meta or {}).get("name", "")
        if meta is None:
            raise malformed_error(
                f"attachment {content_id} ({name}) is not listed in the Manifest",
                f"tệp đính kèm {content_id} ({name}) không có trong Manifest",
            )
        if content_id in found:
            raise malformed_error(
                f"Duplicate attachment ContentId {content_id}",
                f"ContentId {content_id} của tệp đính kèm bị lặp",
            )
        value = find_path(node, "Value")
        if value is None:
            value = find_path(node, "ContentTransferEncoded")
        content_type = read_text(node, "ContentType") or meta["type"]
        data = decode_content(value.text or "" if value is not None else "", name, limit)
        found[content_id] = Attachment(
            name=name,
            content_type=content_type,
            description=read_text(node, "Description") or meta["description"],
            data=unzip_single(data, name, content_type, limit),
        )
    missing = [cid for cid in order if cid not in found]
    if missing:
        raise malformed_error(
            f"the Manifest lists attachments that are missing: {', '.join(missing)}",
            f"Manifest liệt kê tệp đính kèm bị thiếu: {', '.join(missing)}",
        )
    return [found[cid] for cid in order]
