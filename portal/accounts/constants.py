from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    BUSINESS = "business", _("Business / organisation")
    STAFF = "staff", _("Staff")


class Role(models.TextChoices):
    """Staff roles of the one-stop mechanism (Decree 118/2025)."""

    CLERK = "clerk", _("One-stop clerk")
    SPECIALIST = "specialist", _("Specialist")
    LEADER = "leader", _("Leader / official")
    CLERICAL = "clerical", _("Clerical office (văn thư)")
    PROVINCIAL = "provincial", _("Provincial staff")
    ADMIN = "admin", _("Administrator")


class NotifyChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
