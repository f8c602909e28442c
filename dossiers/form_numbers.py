"""The numbers and notations (số, ký hiệu) of the one-stop forms, as their headings print them.

Decree 30/2020 Phụ lục I, mục 3: a document an agency issues carries its number in the agency's
yearly sequence and a notation (the document type's abbreviation and the agency's). The forms take
their numbers in :mod:`dossiers.printing`; the headings (:mod:`dossiers.form_contexts`) and the
dossier page's list of forms print them with :func:`reference`.
"""

from __future__ import annotations

from typing import Any

from .models import PrintedForm

Kind = PrintedForm.Kind

#: The document-type part of each form's notation (ký hiệu), joined with the issuing agency's
#: abbreviation by :func:`portal.pdf.layout.notation` ("12/TB-STP"). Form 05 is a Thông báo ("TB",
#: Decree 30/2020 Phụ lục III); form 04 is a letter (công văn: the agency's abbreviation, then the
#: drafting unit's); 01–03 are not among Phụ lục III's types: the portal's own abbreviations
#: (docs/regulations.md). 06 and 07 are internal records: no number (``INTERNAL``).
NOTATIONS = {
    Kind.RECEIPT: "TNHS",
    Kind.SUPPLEMENT: "YCBS",
    Kind.REFUSAL: "TCTN",
    Kind.APOLOGY: "",
    Kind.STOP: "TB",
    Kind.CONTROL: "",
    Kind.BOOK: "",
}
INTERNAL = (Kind.CONTROL, Kind.BOOK)


def reference(form: PrintedForm, issuer: Any) -> str:
    """The form's number and notation as its heading prints them, "12/TNHS-STP" (Decree 30/2020
    Phụ lục I, mục 3: số, ký hiệu), or "" for an internal record (06, 07) or a form not yet
    numbered. What the dossier page's list of forms shows, so a clerk finds the paper by it."""
    from portal.pdf import layout

    kind = Kind(form.kind)
    if kind in INTERNAL or not form.number:
        return ""
    return f"{form.number:02d}/{layout.notation(NOTATIONS[kind], issuer)}"
