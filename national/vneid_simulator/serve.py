"""Run the VNeID simulator as its own process on loopback.

``python -m national.vneid_simulator.serve --redirect-uri http://127.0.0.1:8000/tai-khoan/vneid/callback/``
binds a free port (or ``--port``), migrates its SQLite database, registers the portal as a
confidential client (RS256, PKCE required, no consent screen) with the demo identities, prints
``READY <port>`` and serves until killed. :func:`start` does the same from a test.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

DEFAULT_CLIENT_ID = "portal-dienbien"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # the tests read the portal's log, not ours
        pass


def _setup(args: argparse.Namespace, port: int) -> None:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="vneid-sim-"))
    workdir.mkdir(parents=True, exist_ok=True)
    key = workdir / "signing-key.pem"
    if not key.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        pk = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key.write_bytes(
            pk.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    os.environ["VNEID_SIM_KEY"] = str(key)
    os.environ["VNEID_SIM_DB"] = str(workdir / "vneid.sqlite3")
    os.environ["VNEID_SIM_ISSUER"] = f"http://127.0.0.1:{port}/o"
    os.environ["DJANGO_SETTINGS_MODULE"] = "national.vneid_simulator.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import Application

    from .identities import DEMO_PASSWORD, IDENTITIES

    User = get_user_model()
    for ident in IDENTITIES:
        user, _ = User.objects.get_or_create(
            username=ident["SoDinhDanh"], defaults={"first_name": ident["HoVaTen"]}
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    Application.objects.filter(client_id=args.client_id).delete()
    Application.objects.create(
        name="Cổng dịch vụ công tỉnh",
        client_id=args.client_id,
        client_secret=args.client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(args.redirect_uri),
        post_logout_redirect_uris=" ".join(args.post_logout_redirect_uri or []),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--redirect-uri", action="append", required=True)
    parser.add_argument("--post-logout-redirect-uri", action="append")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument(
        "--client-secret", default=os.environ.get("VNEID_SIM_CLIENT_SECRET", "demo-vneid-secret")
    )
    parser.add_argument("--workdir", default="")
    args = parser.parse_args(argv)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    sock.close()  # wsgiref binds it again at once; the port is ours (SO_REUSEADDR, nobody else raced in 1 ms)
    _setup(args, port)
    from django.core.wsgi import get_wsgi_application

    httpd = make_server(
        "127.0.0.1",
        port,
        get_wsgi_application(),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    print(f"READY {port}", flush=True)
    httpd.serve_forever()


@dataclass
class RunningSimulator:
    process: subprocess.Popen
    port: int
    client_id: str
    client_secret: str
    control_token: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    def arm(self, *kinds: str) -> None:
        """Make the next token(s) faulty (see :mod:`.faults`)."""
        req = urllib.request.Request(
            f"{self.base_url}/_sim/faults",
            data=json.dumps({"reset": True, "faults": list(kinds)}).encode(),
            headers={"X-Sim-Control": self.control_token, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            resp.read()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(
    *,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str] | None = None,
    client_secret: str = "test-vneid-secret",
    workdir: str = "",
    timeout: float = 60,
) -> RunningSimulator:
    """Start the simulator in a child process and wait until it answers."""
    import secrets

    control = secrets.token_urlsafe(16)
    cmd = [sys.executable, "-m", "national.vneid_simulator.serve", "--client-secret", client_secret]
    for uri in redirect_uris:
        cmd += ["--redirect-uri", uri]
    for uri in post_logout_redirect_uris or []:
        cmd += ["--post-logout-redirect-uri", uri]
    if workdir:
        cmd += ["--workdir", workdir]
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["VNEID_SIM_CONTROL_TOKEN"] = control
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + timeout
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        raise RuntimeError(f"VNeID simulator did not start: {line!r} {proc.stderr.read()[-2000:]}")
    port = int(line.split()[1])
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sim/health", timeout=2):
                break
        except OSError:
            time.sleep(0.1)
    return RunningSimulator(proc, port, DEFAULT_CLIENT_ID, client_secret, control)


if __name__ == "__main__":
    main()
