"""A small kit for the national platforms' simulators: separate processes on loopback that fail on
purpose.

The national platforms (DVCQG, its payment platform, the document axis, VNeID) cannot be reached
from a build machine. Tests and the demo talk to simulators of our own instead, each written from
the platform's published description. A simulator is a WSGI-free, stdlib-only HTTP server
(``ThreadingHTTPServer``) that this module runs in its own process, so the portal under test talks
to it over a real socket, exactly as it would to the platform.

Every simulator gets, for free:

* ``GET /_sim/health`` – readiness probe;
* ``POST /_sim/faults`` – a fault plan: ``{"faults": [{"match": "DongBoHoSoMC", "kind":
  "http_500", "count": 2}], "random": {"rate": 0.2, "kinds": ["timeout", "http_500"], "seed": 7}}``.
  ``match`` is compared with the request's *operation* (the simulator names it: a service name, a
  path); kinds are ``timeout`` (sleep ``delay`` seconds, default 30, then answer), ``http_500``,
  ``http_503``, ``drop`` (close the socket without an answer) and any platform-specific kind the
  simulator handles itself (``error_code``, ``expire_session``, ``duplicate``…, see
  :meth:`Simulator.take_fault`);
* ``GET /_sim/state`` / ``POST /_sim/reset`` – the simulator's state as JSON, and a reset;
* state persisted to a JSON file after every change, so a simulator killed in the middle of a batch
  and started again with the same ``--state`` file carries on (a "restart" fault for the tests).
  Rewriting the whole file costs O(state) per change (a few MB once a simulator holds thousands of
  dossiers), so a frequent change is made durable with :meth:`Simulator.commit` instead: one
  numbered line appended to a journal beside the state file, replayed on start (entries the
  snapshot already holds are skipped by number), the snapshot rewritten every
  ``COMPACT_EVERY`` entries.

A simulator subclasses :class:`Simulator` and declares routes with :func:`route`; tests start it
with :func:`start_simulator` and stop it with ``.stop()``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BUILTIN_KINDS = {"timeout", "http_500", "http_503", "drop"}
#: Journal entries after which :meth:`Simulator.commit` rewrites the snapshot and empties the journal.
COMPACT_EVERY = 5000


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8") or "null")


@dataclass
class Response:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, dict | list):
            return json.dumps(
                self.body, ensure_ascii=False
            ).encode(), "application/json; charset=utf-8"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return self.body, "application/octet-stream"


class Dropped(Exception):
    """Raised by a handler to close the connection without answering."""


def route(method: str, pattern: str) -> Callable:
    """Declare a handler for ``method`` and a path regex (named groups become ``request.params``)."""

    def deco(fn: Callable) -> Callable:
        fn._sim_route = (method.upper(), re.compile(f"^{pattern}$"))  # type: ignore[attr-defined]
        return fn

    return deco


class Simulator:
    """Base class: state kept in ``self.state`` (JSON-serialisable), saved by :meth:`save`."""

    name = "simulator"

    def __init__(self, state_file: Path | None = None) -> None:
        self.lock = threading.RLock()
        self.state_file = state_file
        self.faults: list[dict] = []
        self.random_faults: dict | None = None
        self._rng = random.Random(0)
        self.state: dict = self.initial_state()
        self._journal: Any = None
        self._journaled = 0
        if state_file and state_file.exists():
            self.state = json.loads(state_file.read_text("utf-8"))
        self._replay_journal()
        self.routes = [
            (*fn._sim_route, fn)
            for fn in (getattr(self, n) for n in dir(self))
            if callable(fn) and hasattr(fn, "_sim_route")
        ]

    # -- state ---------------------------------------------------------------------------------
    def initial_state(self) -> dict:
        return {}

    def save(self) -> None:
        """Write the whole state (atomically), then empty the journal it now contains."""
        if self.state_file is None:
            return
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, ensure_ascii=False), "utf-8")
        os.replace(tmp, self.state_file)
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.journal_file.unlink(missing_ok=True)  # type: ignore[union-attr]
        self._journaled = 0

    @property
    def journal_file(self) -> Path | None:
        return self.state_file.with_suffix(".journal") if self.state_file else None

    def commit(self, entry: dict) -> None:
        """Make one change durable without rewriting the state: append ``entry`` (what
        :meth:`replay` needs to apply it again) to the journal. Call it with ``self.lock`` held,
        after applying the change and before answering; a kill -9 after the answer loses nothing
        (the line is in the OS's buffers), one during the write leaves a torn line never answered."""
        if self.state_file is None:
            return
        number = int(self.state.get("_journal_n", 0)) + 1
        self.state["_journal_n"] = number
        if self._journal is None:
            self._journal = self.journal_file.open("a", encoding="utf-8")  # type: ignore[union-attr]
        self._journal.write(json.dumps({"n": number, **entry}, ensure_ascii=False) + "\n")
        self._journal.flush()
        self._journaled += 1
        if self._journaled >= COMPACT_EVERY:
            self.save()

    def replay(self, entry: dict) -> None:
        """Apply a journal entry again (subclasses that call :meth:`commit` define it)."""
        raise NotImplementedError

    def _replay_journal(self) -> None:
        journal = self.journal_file
        if journal is None or not journal.exists():
            return
        done = int(self.state.get("_journal_n", 0))
        for line in journal.read_text("utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                break  # a torn last line: that change was never acknowledged
            if entry["n"] <= done:
                continue  # the snapshot already holds it (killed between snapshot and truncation)
            self.replay(entry)
            self.state["_journal_n"] = done = entry["n"]
        self.save()

    # -- faults --------------------------------------------------------------------------------
    def take_fault(self, operation: str) -> dict | None:
        """The fault to apply to this request, if any (planned ones first, then random ones)."""
        with self.lock:
            for fault in self.faults:
                if fault.get("match") in (None, "*", operation) and fault.get("count", 1) > 0:
                    fault["count"] = fault.get("count", 1) - 1
                    return dict(fault)
            plan = self.random_faults
            if (
                plan
                and (plan.get("match") in (None, "*", operation))
                and self._rng.random() < plan.get("rate", 0)
            ):
                return {
                    "kind": self._rng.choice(plan.get("kinds") or ["http_500"]),
                    "delay": plan.get("delay", 30),
                }
        return None

    def apply_builtin(self, fault: dict | None) -> Response | None:
        """Apply a built-in fault: ``None`` when the request should go on normally."""
        if not fault or fault["kind"] not in BUILTIN_KINDS:
            return None
        kind = fault["kind"]
        if kind == "timeout":
            time.sleep(float(fault.get("delay", 30)))
            return None
        if kind == "drop":
            raise Dropped()
        return Response(int(kind.split("_")[1]), {"error": kind})

    # -- built-in routes -----------------------------------------------------------------------
    @route("GET", "/_sim/health")
    def _health(self, request: Request) -> Response:
        return Response(200, {"ok": True, "name": self.name})

    @route("POST", "/_sim/faults")
    def _set_faults(self, request: Request) -> Response:
        plan = request.json() or {}
        with self.lock:
            self.faults = list(plan.get("faults") or [])
            self.random_faults = plan.get("random")
            self._rng = random.Random((self.random_faults or {}).get("seed", 0))
        return Response(200, {"ok": True})

    @route("GET", "/_sim/state")
    def _get_state(self, request: Request) -> Response:
        with self.lock:
            return Response(200, self.state)

    @route("POST", "/_sim/reset")
    def _reset(self, request: Request) -> Response:
        with self.lock:
            self.state = self.initial_state()
            self.faults, self.random_faults = [], None
            self.save()
        return Response(200, {"ok": True})

    # -- dispatch ------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        for method, pattern, fn in self.routes:
            m = pattern.match(request.path)
            if m and method == request.method:
                request.params = m.groupdict()
                return fn(request)
        return Response(404, {"error": "not found"})


def _handler_for(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args: Any) -> None:  # quiet: tests read state, not logs
            if os.environ.get("SIMKIT_LOG"):
                super().log_message(fmt, *args)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            req = Request(
                self.command, path, query, {k.lower(): v for k, v in self.headers.items()}, body
            )
            try:
                resp = sim.dispatch(req)
            except Dropped:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            except Exception as exc:  # noqa: BLE001 - a simulator bug must show, not hang the client
                resp = Response(500, {"error": f"simulator error: {exc!r}"})
            data, ctype = resp.encoded()
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.headers.pop("Content-Type", ctype))
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    return Handler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that gave up (its timeout, a "timeout" fault) closed the socket: not a simulator bug
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def serve(sim: Simulator, port: int, host: str = "127.0.0.1") -> None:
    """Serve ``sim`` until SIGTERM/SIGINT."""
    server = _Server((host, port), _handler_for(sim))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def free_port() -> int:
    """A loopback port nobody listens on now (bound once and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningSimulator:
    url: str
    port: int
    process: subprocess.Popen
    state_file: Path
    target: str

    def call(self, method: str, path: str, payload: Any = None, timeout: float = 10) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 - loopback only
            return json.loads(r.read() or b"null")

    def faults(self, faults: list[dict] | None = None, random_plan: dict | None = None) -> None:
        self.call("POST", "/_sim/faults", {"faults": faults or [], "random": random_plan})

    def state(self) -> dict:
        return self.call("GET", "/_sim/state")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def kill(self) -> None:
        """Kill -9 (a crash in the middle of a batch); :meth:`restart` brings it back on the same port."""
        self.process.kill()
        self.process.wait(5)

    def restart(self) -> None:
        self.stop()
        self.process = _spawn(self.target, self.port, self.state_file)
        _wait_ready(self.url, self.process)


def _spawn(target: str, port: int, state_file: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "national.simkit",
            target,
            "--port",
            str(port),
            "--state",
            str(state_file),
        ],
        cwd=str(Path(__file__).resolve().parent.parent),
        env={**os.environ, **(env or {})},
    )


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"simulator exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/_sim/health", timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"simulator at {url} not ready after {timeout} s")


def start_simulator(
    target: str, *, state_dir: Path, port: int | None = None, env: dict | None = None
) -> RunningSimulator:
    """Start ``target`` ("package.module:ClassName") in its own process on a free loopback port."""
    port = port or free_port()
    state_dir.mkdir(parents=True, exist_ok=True)
    state_file = state_dir / f"{target.rsplit(':', 1)[-1]}-{port}.json"
    process = _spawn(target, port, state_file, env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
    except Exception:
        process.kill()
        raise
    return RunningSimulator(url, port, process, state_file, target)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a national-platform simulator")
    parser.add_argument("target", help="package.module:ClassName")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", type=Path, default=None)
    args = parser.parse_args(argv)
    module_name, _, cls_name = args.target.partition(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    serve(cls(state_file=args.state), args.port)


if __name__ == "__main__":
    main()
