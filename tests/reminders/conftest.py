"""The dossier tests' world (agency, division, clerk, specialist, leader, citizen) for reminders."""

from tests.dossiers.conftest import VN, World, working_morning, world  # noqa: F401
