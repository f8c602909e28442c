"""What the outgoing and incoming services share: the actor's role check, the state check, the
cleaning of the editable fields and of a file name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Choices
from django.utils.translation import gettext as _

from portal.accounts.selectors import user_can_act_for
from portal.agencies.models import Agency

from ..constants import (
    DocumentType,
    Secrecy,
    Urgency,
)
from ..effects import (  # the rows' effects and what the tables use, under their old names too
    clean_text,
)
from ..exceptions import DocumentError, PermissionDenied
from ..models import (
    IncomingDocument,
)

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


EDITABLE_FIELDS = (
    "document_type",
    "subject",
    "content",
    "place",
    "signer_competence",
    "signer_position",
    "signer_name",
    "urgency",
    "secrecy",
    "due_date",
    "to_places",
    "in_reply_to",
)


@dataclass(frozen=True)
class RecipientSpec:
    """An addressee: the organ code of an agency of this portal or of an external organ."""

    organ_code: str
    organ_name: str = ""


# --- helpers ----------------------------------------------------------------------------------


def require_role(actor: Actor, agency: Agency, *roles: str) -> None:
    if not user_can_act_for(actor, agency, *roles, agency_wide=True):
        raise PermissionDenied()


def check_state(current: str, allowed: Iterable[str], label_vi: str, label_en: str) -> None:
    """For the edits that are not workflow rows (changing a draft, its files and recipients)."""
    if current not in allowed:
        raise DocumentError(
            _("This cannot be done to the document in its current state (%(state)s).")
            % {"state": current},
            code="transition_not_allowed",
        )


def clean_choice(value: Any, choices: type[Choices], what: str) -> int:
    try:
        number: int | None = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number not in choices.values:
        raise DocumentError(_("Invalid %(what)s.") % {"what": what})
    return number


def clean_fields(changes: dict[str, Any], agency: Agency) -> dict[str, Any]:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DocumentError(
            _("Fields that cannot be edited: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "subject":
            out[name] = clean_text(value, what=_("The subject"), required=True, limit=1000)
        elif name == "content":
            out[name] = clean_text(value, what=_("The content"), limit=100_000)
        elif name in ("place", "signer_competence", "signer_position"):
            out[name] = clean_text(value, what=_("The signing/promulgation field"), limit=120)
        elif name == "signer_name":
            out[name] = clean_text(value, what=_("The signer's name"), limit=150)
        elif name == "document_type":
            out[name] = clean_choice(value, DocumentType, _("document type"))
        elif name == "urgency":
            out[name] = clean_choice(value, Urgency, _("urgency"))
        elif name == "secrecy":
            out[name] = clean_choice(value, Secrecy, _("secrecy level"))
        elif name == "due_date":
            if value is not None and not isinstance(value, date):
                raise DocumentError(_("Invalid reply due date."))
            out[name] = value
        elif name == "to_places":
            places = [clean_text(p, what=_("A recipient line"), limit=255) for p in (value or [])]
            out[name] = [p for p in places if p]
        elif name == "in_reply_to":
            if value is not None and (
                not isinstance(value, IncomingDocument) or value.agency_id != agency.pk
            ):
                raise DocumentError(
                    _("The document answered must be one of the agency's incoming documents.")
                )
            out[name] = value
    return out


def resolve_recipient(spec: RecipientSpec | str) -> tuple[Agency | None, str, str]:
    from ..peers import peer_for

    if isinstance(spec, str):
        spec = RecipientSpec(organ_code=spec)
    code = (spec.organ_code or "").strip()
    if not code or len(code) > 40:
        raise DocumentError(_("Invalid recipient organ code."))
    agency = Agency.objects.filter(code=code, is_active=True).first()
    if agency is not None:
        return agency, code, spec.organ_name or agency.name
    if peer_for(code) is None:
        raise DocumentError(
            _("No exchange route to organ %(code)s (not among the exchange peers).")
            % {"code": code},
            code="no_route",
        )
    return None, code, spec.organ_name


def safe_file_name(name: str, default: str = "tep-dinh-kem") -> str:
    """A name safe to store and to show: no folders, no leading dots, at most 120 characters
    (the extension kept). The original name of a received file comes from another system."""
    base = (
        (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".").replace("\x00", "")
    )
    if not base:
        return default
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 119 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else base[:120]
    return base
