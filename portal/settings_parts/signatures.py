"""Settings of the digital signatures (signatures app): the officials' tokens, the key-encryption
secret, the time-stamp authority, the trusted roots and the stamp's font.

Kept apart from :mod:`portal.settings` (issue 16: no module over 500 lines), which imports every
name from here; each variable is read through :func:`portal.config.config`.
"""

from __future__ import annotations

from portal.config import config

# --- Digital signatures (signatures app) ------------------------------------------------------
PKCS11_MODULE = config(
    "PKCS11_MODULE",
    "/usr/lib/softhsm/libsofthsm2.so",
    help_text="PKCS#11 library of the officials' signing tokens (SoftHSM2 in the demo).",
)
SIGNATURE_KEK = config(
    "SIGNATURE_KEK",
    "",
    help_text="Key-encryption secret for CA keys and imported PKCS#12 files. Empty: derived from SECRET_KEY (demo only).",
)
SIGNATURE_TSA_URL = config(
    "SIGNATURE_TSA_URL",
    "",
    help_text="RFC 3161 time-stamp authority. Empty: the portal's own TSA at SITE_URL/chu-ky-so/tsa/.",
)
SIGNATURE_TRUST_ROOTS = config(
    "SIGNATURE_TRUST_ROOTS",
    "",
    help_text="PEM file of trusted root CAs (e.g. the Government Cipher Committee's). The portal's own root is always trusted.",
)
SIGNATURE_FONT = config(
    "SIGNATURE_FONT",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    help_text="TTF font with Vietnamese glyphs for visible signature stamps.",
)
