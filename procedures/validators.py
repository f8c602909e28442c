"""Checks on form templates uploaded to the catalogue (extension, magic bytes, size)."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

#: extension → the bytes such a file starts with (OOXML/ODF are zip files; .doc/.xls are OLE2).
TEMPLATE_MAGIC = {
    ".pdf": b"%PDF",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".odt": b"PK\x03\x04",
    ".ods": b"PK\x03\x04",
    ".doc": b"\xd0\xcf\x11\xe0",
    ".xls": b"\xd0\xcf\x11\xe0",
}
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


@deconstructible
class FormTemplateValidator:
    """A form template must be a PDF, Word, Excel or OpenDocument file whose content matches its
    extension, at most 5 MB (uploads are checked by content, not by the name the browser sends)."""

    def __call__(self, file) -> None:
        suffix = PurePosixPath(file.name or "").suffix.lower()
        magic = TEMPLATE_MAGIC.get(suffix)
        if magic is None:
            raise ValidationError(
                _("A form template must be a PDF, DOC(X), XLS(X), ODT or ODS file."),
                code="extension",
            )
        if file.size is not None and file.size > TEMPLATE_MAX_BYTES:
            raise ValidationError(_("A form template may be at most 5 MB."), code="size")
        position = file.tell() if hasattr(file, "tell") else None
        file.seek(0)
        head = file.read(len(magic))
        if position is not None:
            file.seek(position)
        if head != magic:
            raise ValidationError(
                _("The file's content does not match its extension."), code="magic"
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormTemplateValidator)


validate_form_template = FormTemplateValidator()
