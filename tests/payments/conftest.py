"""The dossier tests' world (agency, clerk, specialist, leader, citizens, procedure), reused."""

from tests.dossiers.conftest import working_morning, world  # noqa: F401
