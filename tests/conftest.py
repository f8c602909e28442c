"""Shared fixtures. Tests run against the real PostgreSQL and Redis (see scripts/test.sh)."""

import pytest

from tests.factories.accounts import PASSWORD


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(autouse=True)
def _fresh_tracking_microcache():
    """Each web process keeps public tracking pages for a few seconds (dossiers.tracking_cache);
    a test must never see a page another test rendered."""
    from dossiers import tracking_cache

    tracking_cache._micro.clear()
    yield
    tracking_cache._micro.clear()


@pytest.fixture(autouse=True)
def _fresh_outbox_breaker():
    """The outbox pauses its quick after-commit publishes for a while after a broker failure in this
    process (portal.core.outbox.QUICK_RELAY_PAUSE); each test starts with the broker presumed up."""
    from portal.core import outbox

    outbox._last_publish_failure = float("-inf")
    yield
    outbox._last_publish_failure = float("-inf")


def pytest_configure(config):
    """Django's flush empties the test database with TRUNCATE between transactional tests; the
    history tables refuse TRUNCATE (dossiers migration 0006) except in a test_* database whose
    session sets dossiers.allow_truncate, as this one does."""
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith(("postgresql", "psycopg2")):
        return
    options = settings.DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c dossiers.allow_truncate=on").strip()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache (portal.core.ratelimit) and every test client comes
    from 127.0.0.1: each test starts with none counted."""
    yield
    from django.core.cache import cache

    try:
        client = cache._cache.get_client(write=True)
    except AttributeError:  # not the Redis cache
        return
    try:
        keys = [
            *client.scan_iter(match="*:rl:*", count=1000),
            *client.scan_iter(match="*:lock:track*", count=1000),
        ]
        if keys:
            client.delete(*keys)
    except Exception:  # a test that stopped Redis on purpose
        pass
