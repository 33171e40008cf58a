from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in Caseflow. Access to clients is not decided by the role alone but
    by relations (assignments, team leadership): see ``access.policy``."""

    COORDINATOR = "coordinator", _("Coordinator")
    TEAM_LEAD = "team_lead", _("Team lead")
    TEAM_MEMBER = "team_member", _("Team member")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Reads the access log to answer clients' requests and to oversee use; sees no client
    # records, and every read of the log is itself logged.
    DATA_PROTECTION = "data_protection", _("Data protection officer")
    CLIENT = "client", _("Client")


class Profession(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SOCIAL_COUNSELLOR = "social_counsellor", _("Social counsellor")
    NURSE = "nurse", _("Nurse")
    DOCTOR = "doctor", _("Doctor")
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    OCCUPATIONAL_THERAPIST = "occupational_therapist", _("Occupational therapist")
    EMPLOYMENT_SPECIALIST = "employment_specialist", _("Employment specialist")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    OTHER = "other", _("Other")


class User(AbstractUser):
    """A person who signs in: staff in one of the staff roles, or (later) a client in the
    portal. Coordinators are *palveluohjaaja*; as a client's named worker, *omatyöntekijä*."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COORDINATOR)
    profession = models.CharField(_("profession"), max_length=30, choices=Profession.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=2, default="fi", choices=[("fi", "suomi"), ("sv", "svenska"), ("en", "English")]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_staff_member(self) -> bool:
        return self.role != Role.CLIENT

    @property
    def is_team_lead(self) -> bool:
        return self.role == Role.TEAM_LEAD

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR
