"""How the applicant receives the result, registered at submission or at intake.

Form 01 of Circular 03/2025/TT-VPCP Phụ lục I, item 6 ("Đăng ký nhận kết quả tại"): the applicant
says at submission (online) or at intake (counter, post) whether the result is collected at the
one-stop counter, sent by public postal service (Decision 45/2016/QĐ-TTg on public postal
services in administrative procedures) to an address, or delivered online. The receipt, the
tracking book (form 07) and the return step all read it from the dossier.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .constants import ResultDelivery
from .exceptions import DossierError

#: Form 01 item 6 and form 07, in the forms' language (always Vietnamese).
DELIVERY_VI: dict[str, str] = {
    ResultDelivery.COUNTER: "Bộ phận Một cửa",
    ResultDelivery.POST: "Qua dịch vụ bưu chính công ích",
    ResultDelivery.ONLINE: "Trực tuyến (kết quả điện tử)",
}


def register(dossier: Any, applicant: dict | None) -> None:
    """Apply ``applicant["delivery"]`` / ``applicant["delivery_address"]`` to the dossier (no save).

    A postal delivery needs an address: the one given, else the applicant's own."""
    if not applicant or ("delivery" not in applicant and "delivery_address" not in applicant):
        return
    method = str(applicant.get("delivery") or dossier.registered_delivery or ResultDelivery.COUNTER)
    if method not in ResultDelivery.values:
        raise DossierError(
            _("Choose how to receive the result: at the counter, by post or online.")
        )
    address = " ".join(str(applicant.get("delivery_address") or "").split())
    if len(address) > 255:
        raise DossierError(_("The postal address is too long."))
    if method == ResultDelivery.POST:
        address = address or dossier.applicant_address
        if not address:
            raise DossierError(_("A result sent by post needs a postal address."))
    else:
        address = ""
    dossier.registered_delivery, dossier.delivery_address = method, address


def describe(dossier: Any) -> str:
    """Form 01 item 6 / form 07: the registered method, with the address for the post."""
    text = DELIVERY_VI.get(
        dossier.registered_delivery or ResultDelivery.COUNTER, DELIVERY_VI[ResultDelivery.COUNTER]
    )
    if dossier.registered_delivery == ResultDelivery.POST and dossier.delivery_address:
        text = f"{text}, địa chỉ: {dossier.delivery_address}"
    return text


def return_method(dossier: Any, requested: str | None) -> str:
    """The method the return step uses: the one asked for, else the one registered."""
    return requested or dossier.registered_delivery or ResultDelivery.COUNTER
