"""Browser-test harness: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

No browser is downloaded (``playwright install`` cannot reach the internet here): the system's
``/usr/bin/chromium`` is launched headless. If it is missing the e2e tests FAIL with a clear
message instead of being skipped; CI installs it (see ``.ci/run``).

Fixtures:

* ``browser`` – one headless Chromium for the tests of this package (closed when they are done).
* ``page`` – a fresh browser context and page per test, ``base_url`` = the live server, so
  ``page.goto("/thu-tuc/")`` works; default timeout 10 s.
* ``login`` – ``login(page, username, password)`` logs in through the real login form.
* ``demo_data`` – the demo province: agencies, an account for every role and, once the catalogue
  ships it, the demo procedures. Returns the demo password.

Every test here runs against ``live_server`` and therefore uses ``transactional_db``; the data is
flushed after each test.

While Playwright's sync API is open, the test thread has a *running* asyncio loop, so
``asyncio.run()`` (pyHanko's sync ``sign_pdf``, for one) fails in it. That is why the browser is
package-scoped, not session-scoped: it is closed before the rest of the suite runs. Inside an e2e
test, do such work in the live server (through the page) or in a separate thread.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls
# made from the test (fixtures, assertions on the database) with SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser test: mark it ``e2e`` (select with ``-m e2e``)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """When a browser test fails in its call, add what every thread of this process (the live
    server's request threads among them) is doing and which database sessions wait on a lock: a
    page that never navigates is then explained by the report, not guessed at afterwards."""
    report = yield
    if call.when == "call" and report.failed and item.get_closest_marker("e2e"):
        report.sections.append(("live server threads", _thread_stacks()))
        report.sections.append(("database sessions", _database_sessions()))
    return report


def _thread_stacks() -> str:
    import sys
    import threading
    import traceback

    names = {t.ident: t.name for t in threading.enumerate()}
    out = []
    for ident, frame in sys._current_frames().items():
        out.append(f"--- thread {names.get(ident, ident)}\n")
        out.extend(traceback.format_stack(frame)[-12:])
    return "".join(out)


def _database_sessions() -> str:
    try:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(
                "SELECT pid, state, wait_event_type, wait_event, now() - xact_start, "
                "pg_blocking_pids(pid), left(query, 300) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return "\n".join(repr(row) for row in cur.fetchall()) or "(no other session)"
    except Exception as exc:  # noqa: BLE001 - a diagnostic must not hide the failure it explains
        return f"(could not read pg_stat_activity: {exc!r})"


@contextlib.contextmanager
def launch_browser() -> Iterator:
    """A headless Debian Chromium (fails, never skips, when it is missing). While it is open the
    thread runs Playwright's asyncio loop, so close it before code that calls ``asyncio.run``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a broken install must be loud
        pytest.fail(
            "The Python package 'playwright' is not installed: run scripts/test.sh (pip install -e '.[test]')."
        )
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install Debian's browser: apt-get install -y chromium "
            "(or set PORTAL_CHROMIUM to its path). Browser tests never download a browser."
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One headless Chromium for the tests of tests/e2e (closed when they are done)."""
    with launch_browser() as b:
        yield b


@pytest.fixture
def page(browser, live_server) -> Iterator:
    """A new context (own cookies) and page per test, pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def login() -> Callable:
    """``login(page, username, password)``: log in through the portal's login form and wait for the redirect."""

    def _login(pg, username: str, password: str, *, next_url: str = "") -> None:
        url = "/tai-khoan/dang-nhap/" + (f"?next={next_url}" if next_url else "")
        pg.goto(url)
        pg.fill("#id_username", username)
        pg.fill("#id_password", password)
        with pg.expect_navigation():
            pg.click("#login-form [type=submit]")
        if pg.url.rstrip("/").endswith("/tai-khoan/dang-nhap"):
            raise AssertionError(f"Login as {username!r} failed: still on the login page.")

    return _login


@pytest.fixture
def demo_data(transactional_db) -> str:
    """Seed the demo province (agencies, all roles, procedures when available); return the password."""
    from portal.accounts.demo import DEMO_PASSWORD, seed_users
    from portal.agencies.demo import seed_agencies

    seed_agencies()
    seed_users()
    try:
        from procedures.demo import seed_procedures
    except ImportError:
        pass
    else:
        seed_procedures()
    return DEMO_PASSWORD


# The demo as scripts/run-demo.sh starts it, for tests/e2e/test_demo_*.py (one per test package:
# started at the first test that asks for it, stopped after the package's last test).
from tests.e2e.demo_site import as_demo_user, demo  # noqa: E402, F401
