"""Reading a status envelope (QCVN 102:2016 status message) into a :class:`StatusMessage`."""

from __future__ import annotations

from lxml import etree

from .model import (
    STATUS_CODES,
    Organ,
    StatusMessage,
)
from .reading import (
    find_path,
    malformed_error,
    read_date,
    read_datetime,
    read_organ,
    read_text,
    require_path,
)


def _check_status(status: etree._Element) -> None:
    require_path(
        status, "ResponseFor/DocumentId", "From/OrganId", "StatusCode", "Timestamp", where="Status"
    )


def _split_code(code: str) -> tuple[str, str]:
    number, sep, notation = code.partition("/")
    return (number, notation) if sep else ("", code)


def read_status(header: etree._Element, status: etree._Element) -> StatusMessage:
    _check_status(status)
    code = read_text(status, "StatusCode")
    if code not in STATUS_CODES:
        raise malformed_error(f"unknown StatusCode {code}", f"StatusCode {code} không hợp lệ")
    answered = read_text(status, "ResponseFor/OrganId")
    to_node = find_path(status, "To")
    to_organ = read_organ(to_node) if to_node is not None else Organ(organ_id=answered)
    if to_organ.organ_id != answered:
        raise malformed_error(
            f"Status/To/OrganId {to_organ.organ_id} differs from ResponseFor/OrganId {answered}",
            f"Status/To/OrganId {to_organ.organ_id} khác ResponseFor/OrganId {answered}",
        )
    number, notation = _split_code(read_text(status, "ResponseFor/Code"))
    promulgated = read_text(status, "ResponseFor/PromulgationDate")
    return StatusMessage(
        document_id=read_text(status, "ResponseFor/DocumentId"),
        from_organ=read_organ(find_path(status, "From")),  # type: ignore[arg-type]
        to_organ=to_organ,
        code=code,
        description=read_text(status, "Description"),
        timestamp=read_datetime(read_text(status, "Timestamp"), "Status/Timestamp"),
        staff_name=read_text(status, "StaffInfo/Staff"),
        department=read_text(status, "StaffInfo/Department"),
        code_number=number,
        code_notation=notation,
        promulgation_date=read_date(promulgated, "ResponseFor/PromulgationDate")
        if promulgated
        else None,
    )
