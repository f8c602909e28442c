"""Move an existing MEDIA_ROOT into the object store and check every file's SHA-256 (issue 19).

    FILE_STORAGE=s3 S3_... python manage.py media_to_s3 [--source DIR] [--dry-run]

Every file field of every model is walked. For each stored name the file is read from the local
folder (``--source``, default ``MEDIA_ROOT``), its SHA-256 computed and compared with the one the
row recorded (``sha256`` beside ``file``, ``result_sha256`` beside ``result_file``, ``envelope_sha256``
beside ``envelope``; filled in where
empty), written to the default storage under the same name, read back and hashed again. Running
it twice copies nothing the second time (an object already there with the right hash is kept).
Any missing file or hash mismatch is listed and the command exits with an error, so a migration
that lost or damaged a file cannot pass unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError
from django.db import models

from portal.core.filehash import sha256_of, stored_sha256


def hash_field_for(model: type[models.Model], file_field: models.FileField) -> str | None:
    """The model field that keeps ``file_field``'s SHA-256, by the portal's naming rule."""
    name = (
        "sha256" if file_field.name == "file" else f"{file_field.name.removesuffix('_file')}_sha256"
    )
    try:
        model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist: this file has no recorded hash
        return None
    return name


def file_fields() -> list[tuple[type[models.Model], models.FileField]]:
    found = []
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, models.FileField) and not getattr(f, "many_to_many", False):
                found.append((model, f))
    return found


@dataclass
class Outcome:
    copied: int = 0
    present: int = 0
    filled: int = 0
    problems: list[str] = field(default_factory=list)


def migrate_media(
    *, source: Path, target: Any = None, dry_run: bool = False, log: Any = None
) -> Outcome:
    """Copy every stored file from ``source`` into ``target`` (the default storage), checking hashes."""
    target = target or storages["default"]
    local = FileSystemStorage(location=str(source))
    out = Outcome()
    for model, f in file_fields():
        hash_name = hash_field_for(model, f)
        columns = ["pk", f.name] + ([hash_name] if hash_name else [])
        rows = (
            model._default_manager.exclude(**{f.name: ""})
            .exclude(**{f"{f.name}__isnull": True})
            .values_list(*columns)
        )
        for row in rows.iterator(chunk_size=500):
            pk, name = row[0], row[1]
            recorded = row[2] if hash_name else ""
            label = f"{model._meta.label}#{pk}.{f.name} {name}"
            if not local.exists(name):
                if target.exists(name) and recorded and stored_sha256(target, name) == recorded:
                    out.present += 1  # moved before, and the local copy is already gone
                    continue
                out.problems.append(f"missing at the source: {label}")
                continue
            with local.open(name, "rb") as handle:
                digest = sha256_of(File(handle))
            if recorded and recorded != digest:
                out.problems.append(
                    f"hash mismatch at the source (recorded {recorded[:12]}…, file {digest[:12]}…): {label}"
                )
                continue
            if not recorded and hash_name and not dry_run:
                model._default_manager.filter(pk=pk).update(**{hash_name: digest})
                out.filled += 1
            if target.exists(name) and stored_sha256(target, name) == digest:
                out.present += 1
                continue
            if dry_run:
                out.copied += 1
                continue
            with local.open(name, "rb") as handle:
                saved = target._save(name, File(handle, name=name))
            if saved != name:
                out.problems.append(f"stored under another name ({saved}): {label}")
                continue
            if stored_sha256(target, name) != digest:
                out.problems.append(f"hash mismatch after the copy: {label}")
                continue
            out.copied += 1
            if log:
                log(f"copied {name}")
    return out


class Command(BaseCommand):
    help = "Copy MEDIA_ROOT into the object store (FILE_STORAGE=s3) and check every file's SHA-256."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--source",
            default=str(settings.MEDIA_ROOT),
            help="Local folder holding the files (default MEDIA_ROOT).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, write nothing."
        )

    def handle(
        self, *args: Any, source: str, dry_run: bool, verbosity: int = 1, **options: Any
    ) -> None:
        if isinstance(storages["default"], FileSystemStorage):
            raise CommandError(
                "The default storage is the local filesystem: set FILE_STORAGE=s3 and the S3_* settings first."
            )
        out = migrate_media(
            source=Path(source), dry_run=dry_run, log=self.stdout.write if verbosity > 1 else None
        )
        verb = "would copy" if dry_run else "copied"
        self.stdout.write(
            f"{verb} {out.copied}, already in the store {out.present}, hashes filled in {out.filled}, problems {len(out.problems)}"
        )
        for problem in out.problems:
            self.stderr.write(problem)
        if out.problems:
            raise CommandError(f"{len(out.problems)} file(s) were not moved intact")
