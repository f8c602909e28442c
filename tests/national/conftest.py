"""The dossier tests' world (agency, clerk, specialist, leader, citizens, procedure), reused."""

from tests.dossiers.conftest import working_morning, world  # noqa: F401
from tests.national.payment_sim import platform  # noqa: F401
