"""Settings of the inter-agency documents' edXML exchange (documents app): the peers, the size
limits, the signer's revocation check and the delivery retries.

Kept apart from :mod:`portal.settings` (issue 16: no module over 500 lines), which imports every
name from here; each variable is read through :func:`portal.config.config`.
"""

from __future__ import annotations

from portal.config import config

# --- Inter-agency documents (documents app, edXML exchange) ------------------------------------
EDXML_PEERS = config(
    "EDXML_PEERS",
    "",
    help_text='JSON list of exchange peers for bootstrapping, besides the ExchangePeer rows: [{"name": .., "organ_code": "*.H29", "endpoint_url": "https://../api/v1/edxml/inbound/", "trust_roots_file": "/path/roots.pem"}].',
)
EDXML_MAX_ATTACHMENT_BYTES = config(
    "EDXML_MAX_ATTACHMENT_BYTES",
    7 * 1024 * 1024,
    cast=int,
    help_text="Largest attachment (decoded bytes) sent or accepted over the exchange.",
)
EDXML_MAX_ENVELOPE_BYTES = config(
    "EDXML_MAX_ENVELOPE_BYTES",
    24 * 1024 * 1024,
    cast=int,
    help_text="Largest edXML envelope the inbound endpoint reads; a longer request is refused before it is read.",
)
EDXML_REVOCATION_CHECK = config(
    "EDXML_REVOCATION_CHECK",
    "prefer",
    help_text="Revocation of the signer of an incoming envelope: 'require' refuses it when the status cannot be learnt (CRL down), 'prefer' accepts it with a warning in the log, 'off' skips the check. A revoked signer is always refused (unless 'off').",
)
EDXML_CRL_TIMEOUT = config(
    "EDXML_CRL_TIMEOUT", 5, cast=int, help_text="Seconds to wait for a peer CA's CRL."
)
EDXML_CRL_MAX_AGE = config(
    "EDXML_CRL_MAX_AGE",
    3600,
    cast=int,
    help_text="Longest time (s) a fetched CRL is trusted before it is fetched again (sooner if its nextUpdate says so).",
)
EDXML_HTTP_TIMEOUT = config(
    "EDXML_HTTP_TIMEOUT", 30, cast=int, help_text="Seconds to wait for a peer's inbound endpoint."
)
EDXML_RETRY_BACKOFF = config(
    "EDXML_RETRY_BACKOFF",
    10,
    cast=int,
    help_text="First retry delay (s) of a failed delivery; doubles each attempt up to EDXML_RETRY_BACKOFF_MAX.",
)
EDXML_RETRY_BACKOFF_MAX = config(
    "EDXML_RETRY_BACKOFF_MAX",
    600,
    cast=int,
    help_text="Longest delay (s) between two delivery attempts.",
)
EDXML_MAX_RETRIES = config(
    "EDXML_MAX_RETRIES",
    12,
    cast=int,
    help_text="Delivery attempts before a recipient is marked failed (visible in the admin, resendable).",
)
