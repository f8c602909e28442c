from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceLevel(models.IntegerChoices):
    """Online service level. Decree 42/2022 renamed 3 and 4 to "một phần" and "toàn trình"."""

    LEVEL_2 = 2, _("Level 2 — information and forms online")
    LEVEL_3 = 3, _("Level 3 — partly online (một phần)")
    LEVEL_4 = 4, _("Level 4 — fully online (toàn trình)")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PaperKind(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    ORIGINAL_OR_COPY = "original_or_copy", _("Original or certified copy")


class StepRole(models.TextChoices):
    """Who performs a processing step (mirrors :class:`portal.accounts.constants.Role`)."""

    CLERK = "clerk", _("One-stop clerk")
    SPECIALIST = "specialist", _("Specialist")
    LEADER = "leader", _("Leader / official")
    CLERICAL = "clerical", _("Clerical office (văn thư)")


class FeeKind(models.TextChoices):
    """How a fee line (phí, lệ phí) counts towards what the applicant pays (issue 14).

    The catalogue lists a procedure's fee lines as the cases of one fee (standard, reduced for
    eligible groups, exempt), lines charged in every case, and lines charged per extra copy; only
    the case the applicant is in is charged, never the sum of the cases."""

    CASE = "case", _("One case: the applicant picks one of the cases")
    FIXED = "fixed", _("Charged in every case")
    PER_COPY = "per_copy", _("Charged per copy beyond the included ones")
