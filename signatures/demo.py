"""Signing for the demo province: the PKI and a token with a certificate for every official who signs.

Without them a newcomer cannot sign anything on the demo (issue 14): the leaders sign and approve
results and outgoing documents, the clerical offices (văn thư) add the agency's issuing signature.
Each gets a SoftHSM2 token under ``PORTAL_VAR_DIR`` with a key generated on it and a certificate
from the portal's issuing CA; the PIN is :data:`DEMO_PIN`, printed by ``seed_demo`` and the README.
Idempotent: a user who already holds a valid certificate keeps it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from portal.accounts.constants import Role

from . import services
from .models import CertificateAuthority
from .selectors import active_certificate_for

#: The PIN of every demo signing token (documented in the README and the demo banner).
DEMO_PIN = "246810"
SIGNING_ROLES = (Role.LEADER, Role.CLERICAL)


def seed_signing(*, pin: str = DEMO_PIN) -> list[str]:
    """Create the PKI if there is none and a token + certificate for each signing official.
    Returns the usernames that hold a usable certificate afterwards."""
    if not CertificateAuthority.objects.filter(slug="issuing").exists():
        services.pki_create()
    holders = []
    users = (
        get_user_model()
        .objects.filter(is_active=True, roles__role__in=SIGNING_ROLES)
        .distinct()
        .order_by("username")
    )
    for user in users:
        if active_certificate_for(user) is None:
            services.certificate_issue_on_token(user=user, pin=pin)
        holders.append(user.username)
    return holders
