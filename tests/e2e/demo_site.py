"""The demo as it ships, for the browser tests ``tests/e2e/test_demo_*.py`` (fixtures imported by
tests/e2e/conftest.py): ``scripts/run-demo.sh`` started for real (SQLite, kombu's filesystem broker,
gunicorn, a real Celery worker and Celery beat, the demo data with its signing tokens), walked in
headless Chromium role by role.

The rest of the browser tests run against pytest-django's live server on PostgreSQL; these run
against exactly what a newcomer gets from the README's first command (issue 14: "nothing tests the
portal as it ships"). The demo gets a free loopback port and its own ``PORTAL_VAR_DIR``; it is
stopped with SIGINT (its own Ctrl-C path) when the module's tests are done.

Every response the browser sees is recorded; :func:`no_server_errors` fails a test on any 5xx, and
the demo's gunicorn access log is checked too at the end (requests the browser did not make itself,
e.g. the portal calling its own time-stamp authority while signing).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.conftest import DEFAULT_TIMEOUT_MS

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300  # s: migrations, seed_demo (with SoftHSM tokens), three processes, a ping


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Demo:
    url: str
    var_dir: Path
    process: subprocess.Popen
    banner: str
    password: str
    pin: str
    vneid_password: str
    server_errors: list[str] = field(default_factory=list)
    accessibility: dict[str, list[str]] = field(default_factory=dict)

    def check_accessibility(self, pg, name: str) -> None:
        """Run axe-core (WCAG 2.1 A/AA rules) on the page as it is now; serious and critical
        violations are recorded under ``name`` and fail the test at its end."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(
            pg,
            options={
                "runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
                "resultTypes": ["violations"],
            },
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(n['target'][0] for n in v['nodes'][:3])}"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        if bad:
            self.accessibility[f"{name} {pg.url}"] = bad

    def access_log_5xx(self) -> list[str]:
        log = self.var_dir / "logs" / "web-access.log"
        if not log.exists():
            return []
        return [
            line
            for line in log.read_text(errors="replace").splitlines()
            if re.search(r'" 5\d\d ', line)
        ]


@pytest.fixture(scope="package")
def demo(tmp_path_factory) -> Iterator[Demo]:
    """The demo started by the README's first command, on a free port, in a fresh folder."""
    port = _free_port()
    var_dir = tmp_path_factory.mktemp("demo-var")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SOFTHSM2_CONF"}
    }
    env.update(
        PORT=str(port),
        PORTAL_VAR_DIR=str(var_dir),
        PYTHONUNBUFFERED="1",
        VNEID_PORT=str(_free_port()),
    )
    for name in ("VNEID_ISSUER", "DVCQG_URL", "PAYMENT_PLATFORM_INIT_URL", "DOCUMENT_AXIS_URL"):
        env.pop(name, None)  # the demo starts its own simulators
    out = var_dir / "run-demo.out"
    with open(out, "wb") as sink:
        proc = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "run-demo.sh")],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    banner = ""
    while time.monotonic() < deadline:
        banner = out.read_text(errors="replace")
        if "Ctrl-C" in banner and "Demo logins" in banner:
            break
        if proc.poll() is not None:
            pytest.fail(f"scripts/run-demo.sh exited with {proc.returncode}:\n{banner[-4000:]}")
        time.sleep(0.5)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"The demo did not start in {START_TIMEOUT} s:\n{banner[-4000:]}")
    password = re.search(r"password for all: (\S+?)\)", banner)
    pin = re.search(r"PIN of every token is (\d+)", banner)
    vneid = re.search(r"011090001234 \(level 2\).*?password (\S+?)\.?$", banner, re.S | re.M)
    assert password and pin and vneid, (
        f"The demo banner must name the passwords and the signing PIN:\n{banner}"
    )
    demo = Demo(
        f"http://127.0.0.1:{port}",
        var_dir,
        proc,
        banner,
        password.group(1),
        pin.group(1),
        vneid.group(1),
    )
    try:
        yield demo
    finally:
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture
def as_demo_user(browser, demo) -> Iterator[Callable]:
    """``as_demo_user(username | None)``: a page in its own context on the demo, logged in through the
    login form with the password the banner printed. Every 5xx the page receives is recorded."""
    contexts = []

    def _open(username: str | None):
        context = browser.new_context(
            base_url=demo.url,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS * 3)  # SQLite and two gunicorn workers
        contexts.append(context)
        pg = context.new_page()
        pg.on(
            "response",
            lambda r: r.status >= 500 and demo.server_errors.append(f"{r.status} {r.url}"),
        )
        if username:
            pg.goto("/tai-khoan/dang-nhap/")
            pg.fill("#id_username", username)
            pg.fill("#id_password", demo.password)
            with pg.expect_navigation():
                pg.click("#login-form [type=submit]")
            assert not pg.url.rstrip("/").endswith("/tai-khoan/dang-nhap"), (
                f"Login as {username} failed on the demo"
            )
        return pg

    def _open_vneid(identity: str):
        """A page logged in through the demo's VNeID simulator with one of the identities the
        banner prints, as a citizen would: the portal's button, the national sign-on's form."""
        context = browser.new_context(
            base_url=demo.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS * 3)
        contexts.append(context)
        pg = context.new_page()
        pg.on(
            "response",
            lambda r: r.status >= 500 and demo.server_errors.append(f"{r.status} {r.url}"),
        )
        pg.goto("/tai-khoan/dang-nhap/")
        with pg.expect_navigation():
            pg.click("#vneid-login")
        assert not pg.url.startswith(demo.url), "the VNeID button must lead to the national sign-on"
        pg.fill("#id_username", identity)
        pg.fill("#id_password", demo.vneid_password)
        with pg.expect_navigation(url=f"{demo.url}/**"):
            pg.click("button[type=submit]")
        return pg

    _open.vneid = _open_vneid  # type: ignore[attr-defined]
    yield _open
    for c in contexts:
        c.close()
    assert demo.server_errors == [], f"5xx seen by the browser: {demo.server_errors}"
    assert demo.accessibility == {}, "axe-core: serious or critical violations:\n" + "\n".join(
        f"{page}: {v}" for page, vs in demo.accessibility.items() for v in vs
    )
    assert demo.access_log_5xx() == [], f"5xx in the demo's access log: {demo.access_log_5xx()}"
