"""schemathesis against the served OpenAPI schema (issue 13, "must show"): anonymous, citizen and
clerk callers, every operation, bounded in time; no server error and no response that breaks the
published schema.

Runs in-process through WSGI (``schemathesis.openapi.from_wsgi``) on the test database; the number
of examples per operation is kept small (``SCHEMATHESIS_EXAMPLES``, default 4) so the whole run
stays within a few minutes on the 2-core CI machine. The checks are the two the issue names: no
server error, and every response conforming to its published schema (a documented 4xx may still
answer a fuzzed request: the other checks of schemathesis, such as "undocumented status code" for
a 404 or "valid-looking data rejected", are not part of this gate).
"""

from __future__ import annotations

import base64
import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))


def _schema():
    from portal.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def _in_test_transaction():
    """As Django's test client does: a request must not close the test's database connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db, _in_test_transaction):
    """Basic-auth headers of each kind of caller (anonymous: none)."""
    from portal.accounts.constants import Role
    from tests.factories.accounts import PASSWORD, ApplicantFactory, StaffFactory

    def basic(user) -> dict[str, str]:
        return {
            "Authorization": "Basic "
            + base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
        }

    return {
        "anonymous": {},
        "citizen": basic(ApplicantFactory()),
        "clerk": basic(StaffFactory(roles=[Role.CLERK])),
    }


SETTINGS = hsettings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)


CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance]


def _fuzz(headers: dict[str, str]) -> list[str]:
    """Every operation of the served schema, EXAMPLES cases each; the failures, one line each.

    Driven with hypothesis directly: schemathesis' pytest plugin does not run under pytest 9."""
    from hypothesis import given

    failures = []
    for result in _schema().get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @SETTINGS
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # schemathesis' FailureGroup: report them all
            failures.append(
                f"{operation.label}: "
                + " | ".join(
                    line.strip() for line in str(exc).strip().splitlines()[:14] if line.strip()
                )
            )
    return failures


@pytest.mark.parametrize("who", ["anonymous", "citizen", "clerk"])
def test_the_api_keeps_its_schema(who, callers):
    failures = _fuzz(callers[who])
    assert not failures, "\n".join(failures)
