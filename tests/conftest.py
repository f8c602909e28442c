"""Shared fixtures. Tests run against the real PostgreSQL and Redis (see scripts/test.sh)."""

import pytest

from tests.factories.accounts import PASSWORD


@pytest.fixture
def password() -> str:
    return PASSWORD
