"""SHA-256 of stored files, kept beside each file field (issue 19).

The hash-chained dossier history and the signature audit log name files by their SHA-256, so a
file moved between storages (local disk → object store, ``manage.py media_to_s3``) or read back
later can be checked against what was recorded when it was written.
"""

from __future__ import annotations

import hashlib
from typing import Any

CHUNK = 1024 * 1024


def sha256_of(content: Any) -> str:
    """SHA-256 of bytes or of a Django ``File``/``FieldFile`` (read in chunks, position restored)."""
    if isinstance(content, bytes | bytearray | memoryview):
        return hashlib.sha256(content).hexdigest()
    digest = hashlib.sha256()
    position = (
        content.tell()
        if hasattr(content, "tell") and not getattr(content, "closed", False)
        else None
    )
    if hasattr(content, "chunks"):
        if hasattr(content, "seek") and position is not None:
            content.seek(0)
        for chunk in content.chunks(CHUNK):
            digest.update(chunk)
    else:
        for chunk in iter(lambda: content.read(CHUNK), b""):
            digest.update(chunk)
    if position is not None and hasattr(content, "seek"):
        content.seek(position)
    return digest.hexdigest()


def stored_sha256(storage: Any, name: str) -> str:
    """SHA-256 of the object ``name`` as ``storage`` holds it now (read back, streamed)."""
    with storage.open(name, "rb") as handle:
        digest = hashlib.sha256()
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
