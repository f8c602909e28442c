"""The signatures app's error for the official: raised by signing, shown as it is."""

from __future__ import annotations


class SigningError(Exception):
    """Signing could not be done; the message is safe to show to the official."""
