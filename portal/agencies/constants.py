from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyLevel(models.TextChoices):
    """Tier of an agency. Since 1 July 2025 local government is province → commune; districts stay
    for older data."""

    PROVINCE = "province", _("Province")
    DEPARTMENT = "department", _("Department (Sở, ban, ngành)")
    DISTRICT = "district", _("District (legacy)")
    COMMUNE = "commune", _("Commune / ward")
    DIVISION = "division", _("Division (phòng, đơn vị trực thuộc)")
