"""Sections of :mod:`portal.settings` kept in modules of their own (issue 16)."""
