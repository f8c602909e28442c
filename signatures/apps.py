from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "signatures"
    verbose_name = _("Signatures")

    def seed_demo(self) -> str:
        """The demo's PKI and a SoftHSM2 token with a certificate for every official who signs
        (``manage.py seed_demo``); outside a transaction: the tokens are files, the seed idempotent."""
        from .demo import DEMO_PIN, seed_signing

        signers = seed_signing()
        return f"signing tokens for {len(signers)} officials ({', '.join(signers)}), the PIN of every token is {DEMO_PIN}"
