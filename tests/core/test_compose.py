"""docker-compose.yml and the Dockerfile cannot run here (no Docker engine): keep them honest.

The compose file is parsed and checked against the settings: the services and their commands,
every environment variable it sets is one ``portal.config`` documents, production has no default
secret, start-up waits for healthy PostgreSQL and Redis, and the image carries what WeasyPrint
needs to print Vietnamese.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat", "worker-pdf", "worker-signing", "worker-exchange")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Resolve ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?message}`` the way compose does."""

    def repl(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if name in env and env[name] != "":
            return env[name]
        if op == ":-":
            return arg
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return ""

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", repl, str(value))


def _command(service: dict) -> str:
    cmd = service["command"]
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def test_the_production_like_set_has_all_services(compose):
    assert set(compose["services"]) >= {"web", "worker", "beat", "db", "redis", "mailpit"}
    assert compose["services"]["db"]["image"].startswith("postgres:15")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_commands_run_gunicorn_with_migrations_a_worker_and_beat(compose):
    web = _command(compose["services"]["web"])
    assert re.search(r"manage\.py migrate\b.*&&.*gunicorn portal\.wsgi", web), web
    assert re.search(r"\bcelery -A portal worker\b", _command(compose["services"]["worker"]))
    assert re.search(r"\bcelery -A portal beat\b", _command(compose["services"]["beat"]))


def test_every_variable_compose_sets_is_a_documented_setting(compose, settings):
    from portal.config import DOCUMENTED

    for name in APP_SERVICES:
        env = compose["services"][name]["environment"]
        unknown = sorted(set(env) - set(DOCUMENTED))
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"
        for required in (
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "PORTAL_DEMO",
            "EMAIL_BACKEND",
            "ALLOWED_HOSTS",
            "SITE_URL",
        ):
            assert required in env, f"{name} does not set {required}"


def test_production_has_no_default_secret(compose):
    env = compose["services"]["web"]["environment"]
    assert str(env["PORTAL_DEMO"]) == "0"
    with pytest.raises(KeyError, match="SECRET_KEY"):
        _interpolate(env["SECRET_KEY"], {})

    # The settings themselves refuse to start in production without a key ...
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    clean.update(PORTAL_DEMO="0", DJANGO_SETTINGS_MODULE="portal.settings")
    probe = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    failed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode != 0
    assert "SECRET_KEY must be set" in failed.stderr


def test_compose_environment_configures_production_settings(compose, tmp_path):
    """With compose's variables the settings use PostgreSQL, Redis, SMTP to mailpit and no debug."""
    given = {
        "SECRET_KEY": "s3cret-from-the-operator",
        "S3_SECRET_KEY": "s3-secret",
        "DB_APP_PASSWORD": "app-pw",
        "DB_OWNER_PASSWORD": "owner-pw",
    }
    env = {k: _interpolate(v, given) for k, v in compose["services"]["web"]["environment"].items()}
    env["PORTAL_VAR_DIR"] = str(tmp_path)  # /app/var does not exist outside the image
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    full = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "EMAIL_"))
    }
    full.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECRET_KEY, s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], "
        "s.CELERY_BROKER_URL, s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "s3cret-from-the-operator",
        "False",
        "django.db.backends.postgresql",
        "pgbouncer",  # issue 19: PgBouncer in transaction mode in front of db
        "sentinel://sentinel-1:26379/0;sentinel://sentinel-2:26379/0;sentinel://sentinel-3:26379/0",
        "django.core.mail.backends.smtp.EmailBackend",
        "mailpit",
        "1025",
    ]


def test_start_up_waits_for_healthy_database_and_redis(compose):
    services = compose["services"]
    for name in ("db", "redis", "web"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
    for name in APP_SERVICES:
        deps = services[name]["depends_on"]
        assert deps["db"]["condition"] == "service_healthy", name
        assert deps["redis"]["condition"] == "service_healthy", name
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


@pytest.mark.django_db
def test_the_health_check_url_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}


def test_mail_catcher_listens_where_the_portal_sends(compose):
    mailpit = compose["services"]["mailpit"]
    assert any(str(p).endswith("8025") for p in mailpit["ports"])
    assert compose["services"]["web"]["environment"]["EMAIL_HOST"] == "mailpit"
    assert str(compose["services"]["web"]["environment"]["EMAIL_PORT"]) == "1025"


def test_image_prints_vietnamese_pdfs_fast_and_runs_as_non_root():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    for package in ("libharfbuzz-subset0", "libpango-1.0-0", "libpangoft2-1.0-0", "poppler-utils"):
        assert re.search(rf"\b{re.escape(package)}\b", dockerfile), package
    assert re.search(r"\bfonts-noto-core\b", dockerfile), "no font with Vietnamese glyphs"
    # the forms' Times New Roman or its metric twin (Decree 30/2020/NĐ-CP Phụ lục I, Phần I, mục 2)
    assert re.search(r"\bfonts-(liberation|croscore)\b", dockerfile), (
        "no Times-metric font for the forms"
    )
    assert "collectstatic" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")


# --- scale-out (issue 19) ---------------------------------------------------------------------


def _queues_of(command: str) -> set[str]:
    m = re.search(r"\s-Q\s+(\S+)", command)
    return set(m.group(1).split(",")) if m else set()


def test_workers_together_consume_every_queue_each_with_its_concurrency(compose):
    from portal.scaleout import ALL_QUEUES

    consumed: dict[str, str] = {}
    for name, service in compose["services"].items():
        command = _command(service) if "command" in service else ""
        if not re.search(r"\bcelery -A portal worker\b", command):
            continue
        queues = _queues_of(command)
        assert queues, f"{name} consumes no named queue (-Q)"
        assert re.search(r"--concurrency \d+", command), f"{name} sets no concurrency"
        assert re.search(r"--hostname \S+", command), f"{name} has no node name of its own"
        for q in queues:
            assert q not in consumed, f"{q} consumed by both {consumed[q]} and {name}"
            consumed[q] = name
    assert set(consumed) == set(ALL_QUEUES)
    # a notification never waits behind PDFs or reports
    assert (
        consumed["notifications"] != consumed["pdf"]
        and consumed["notifications"] != consumed["reports"]
    )


def test_compose_switches_on_the_object_store_the_replica_and_sentinel(compose, tmp_path):
    services = compose["services"]
    env = services["web"]["environment"]
    assert env["FILE_STORAGE"] == "s3" and env["S3_ENDPOINT_URL"] == "http://objectstore:8333"
    with pytest.raises(KeyError, match="S3_SECRET_KEY"):
        _interpolate(env["S3_SECRET_KEY"], {})
    assert "db-replica:5432" in env["DATABASE_REPLICA_URL"]
    sentinels = env["REDIS_SENTINELS"].split(",")
    assert {s.split(":")[0] for s in sentinels} == {"sentinel-1", "sentinel-2", "sentinel-3"}
    for host in ("sentinel-1", "sentinel-2", "sentinel-3"):
        command = _command(services[host])
        assert (
            "--sentinel" in command
            and f"sentinel monitor {env['REDIS_SENTINEL_MASTER']} redis 6379 2" in command
        )
    assert "--replicaof redis 6379" in _command(services["redis-replica"])
    replica_script = (ROOT / "docker/postgres/replica.sh").read_text()
    assert "pg_basebackup -h db" in replica_script and "-R -X stream" in replica_script
    assert any("10-replication.sh" in v for v in services["db"]["volumes"])
    assert "-s3" in (ROOT / "docker/seaweedfs/s3.sh").read_text()
    for name in ("objectstore", "db-replica", "sentinel-1"):
        assert services[name].get("healthcheck"), name

    # and the settings built from compose's variables use them all
    given = {
        "SECRET_KEY": "k",
        "S3_SECRET_KEY": "s3-secret",
        "DB_APP_PASSWORD": "app-pw",
        "DB_OWNER_PASSWORD": "owner-pw",
    }
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "EMAIL_", "S3_", "FILE_"))
    }
    full.update(
        {k: _interpolate(v, given) for k, v in env.items()},
        PORTAL_VAR_DIR=str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "m"),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND'], s.DATABASES['replica']['HOST'], s.CACHES['default']['BACKEND'], "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['master_name'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "portal.storage.PortalS3Storage",
        "db-replica",
        "portal.sentinel_cache.SentinelRedisCache",
        "portal",
    ]


def test_the_application_runs_as_a_role_that_owns_no_table(compose):
    """Issue 13: the portal's database role was the superuser. Now the app services connect as
    portal_app (created by the init script, owning nothing) and only the web start-up's migrate
    runs as the owner."""
    env = compose["services"]["web"]["environment"]
    given = {"SECRET_KEY": "k", "DB_APP_PASSWORD": "a", "DB_OWNER_PASSWORD": "o"}
    for name in APP_SERVICES:
        url = _interpolate(compose["services"][name]["environment"]["DATABASE_URL"], given)
        assert url.startswith("postgres://portal_app:"), (name, url)
        assert compose["services"][name]["environment"]["DATABASE_APP_ROLE"] == "portal_app"
    assert _interpolate(env["MIGRATION_DATABASE_URL"], given).startswith("postgres://portal_owner:")
    assert "DATABASE_URL=$$MIGRATION_DATABASE_URL python manage.py migrate" in _command(
        compose["services"]["web"]
    )
    db = compose["services"]["db"]
    assert (
        "./docker/postgres/10-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro" in db["volumes"]
    )
    script = (ROOT / "docker/postgres/10-roles.sh").read_text(encoding="utf-8")
    assert re.search(r"CREATE ROLE portal_app LOGIN NOSUPERUSER", script)
    assert "ALTER SCHEMA public OWNER TO portal_owner" in script
    with pytest.raises(KeyError):
        _interpolate(db["environment"]["POSTGRES_PASSWORD"], {})


def test_the_app_services_reach_postgresql_through_pgbouncer_and_migrate_direct(compose, tmp_path):
    """Issue 19: the README recommends PgBouncer in transaction mode (tests/scale/test_pgbouncer.py
    proves it, with DISABLE_SERVER_SIDE_CURSORS=1), so compose runs it: the web and every worker
    connect to ``pgbouncer:5432`` as portal_app, without server-side cursors; migrations still go
    straight to ``db:5432`` as the owner (a migration's DDL and its session are not pooled)."""
    import configparser

    services = compose["services"]
    bouncer = services["pgbouncer"]
    assert bouncer["image"].startswith("edoburu/pgbouncer")
    assert "./docker/pgbouncer/pgbouncer.ini:/etc/pgbouncer/pgbouncer.ini:ro" in bouncer["volumes"]
    assert bouncer["depends_on"]["db"]["condition"] == "service_healthy"
    assert bouncer.get("healthcheck", {}).get("test")
    with pytest.raises(KeyError, match="DB_APP_PASSWORD"):
        _interpolate(bouncer["environment"]["DB_APP_PASSWORD"], {})
    start = (ROOT / "docker/pgbouncer/start.sh").read_text(encoding="utf-8")
    assert '"portal_app"' in start and "exec pgbouncer /etc/pgbouncer/pgbouncer.ini" in start

    ini = configparser.ConfigParser(inline_comment_prefixes=(";",))
    ini.read_string((ROOT / "docker/pgbouncer/pgbouncer.ini").read_text(encoding="utf-8"))
    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert ini["pgbouncer"]["listen_port"] == "5432"
    assert ini["pgbouncer"]["auth_file"] == "/tmp/pgbouncer/userlist.txt"
    assert set(ini["pgbouncer"]["ignore_startup_parameters"].split(",")) >= {
        "extra_float_digits",
        "options",
    }
    assert ini["databases"]["portal"] == "host=db port=5432 dbname=portal"

    given = {
        "SECRET_KEY": "k",
        "S3_SECRET_KEY": "s",
        "DB_APP_PASSWORD": "a",
        "DB_OWNER_PASSWORD": "o",
    }
    for name in APP_SERVICES:
        env = services[name]["environment"]
        url = _interpolate(env["DATABASE_URL"], given)
        assert url == "postgres://portal_app:a@pgbouncer:5432/portal", (name, url)
        assert str(env["DISABLE_SERVER_SIDE_CURSORS"]) == "1", name
        assert services[name]["depends_on"]["pgbouncer"]["condition"] == "service_healthy", name
    web = services["web"]
    assert _interpolate(web["environment"]["MIGRATION_DATABASE_URL"], given) == (
        "postgres://portal_owner:o@db:5432/portal"
    )
    assert re.search(
        r"DATABASE_URL=\$\$MIGRATION_DATABASE_URL python manage\.py migrate .*&& exec gunicorn",
        _command(web),
    )

    # and the settings built from compose's variables: PgBouncer, no server-side cursors
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "EMAIL_", "S3_", "FILE_", "DISABLE_"))
    }
    full.update(
        {k: _interpolate(v, given) for k, v in web["environment"].items()},
        PORTAL_VAR_DIR=str(tmp_path),
        MEDIA_ROOT=str(tmp_path / "m"),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(d['HOST'], d['PORT'], d['USER'], "
        "d['DISABLE_SERVER_SIDE_CURSORS'], s.DATABASES['replica']['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["pgbouncer", "5432", "portal_app", "True", "True"]
