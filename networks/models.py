from datetime import date

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.models import Section
from core.fields import LONG_TEXT, SHORT_TEXT, LimitedTextField


@pghistory.track()
class CareTeamMember(models.Model):
    """A professional working with one client (the client's care team): in which role, from
    when to when, responsible for what. Being on it is what lets a team member see the client."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="care_team")
    professional = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_teams")
    role = models.CharField(_("role"), max_length=200)
    responsibility = LimitedTextField(_("responsible for"), blank=True, max_length=SHORT_TEXT)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_on", "pk"]
        verbose_name = _("care team member")
        verbose_name_plural = _("care team members")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "professional"], condition=Q(ended_on__isnull=True), name="one_open_care_team_role"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="care_team_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["professional", "client"], name="care_team_by_professional")]

    def __str__(self) -> str:
        return f"{self.professional_id} on {self.client_id} as {self.role}"


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    RELATIVE = "relative", _("Other relative")
    FRIEND = "friend", _("Friend")
    NEIGHBOUR = "neighbour", _("Neighbour")
    PROFESSIONAL = "professional", _("Outside professional")
    OTHER = "other", _("Other")


@pghistory.track()
class NetworkMember(models.Model):
    """A person in the client's own network (läheinen, verkosto): relatives, friends,
    neighbours, outside professionals; what they help with and when. Sharing anything with
    them needs the client's consent."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="network")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    helps_with = LimitedTextField(_("helps with"), blank=True, max_length=SHORT_TEXT)
    available = models.CharField(_("when available"), max_length=200, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("network member")
        verbose_name_plural = _("network members")

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Consent(models.Model):
    """The client's consent (suostumus) to share named parts of their record with one network
    member or outside party, for a purpose, until a date; withdrawn at any time. Sharing checks
    it at the moment of use; the row history keeps every change."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="consents")
    network_member = models.ForeignKey(
        NetworkMember, on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    outside_party = models.CharField(_("outside party"), max_length=200, blank=True)
    sections = ArrayField(models.CharField(max_length=20, choices=Section.choices), verbose_name=_("what is shared"))
    purpose = models.CharField(_("purpose"), max_length=300)
    given_on = models.DateField(_("given on"))
    valid_until = models.DateField(_("valid until"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=(Q(network_member__isnull=False) & Q(outside_party=""))
                | (Q(network_member__isnull=True) & ~Q(outside_party="")),
                name="consent_names_one_recipient",
            ),
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("given_on")), name="consent_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.network_member_id or self.outside_party}: {self.purpose}"

    def in_force(self, day: date) -> bool:
        """Given, not withdrawn, and not past its end date on ``day``."""
        return self.withdrawn_on is None and self.given_on <= day <= self.valid_until


@pghistory.track()
class NetworkMeeting(models.Model):
    """A network meeting (verkostopalaveri) of the client, professionals and the client's
    network. The client's own view is recorded as its own field; decisions say who does what
    by when and flow into the care plan."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    call_link = models.URLField(_("call link"), blank=True)
    agenda = LimitedTextField(_("agenda"), blank=True, max_length=SHORT_TEXT)
    notes = LimitedTextField(_("notes"), blank=True, max_length=LONG_TEXT)
    client_view = LimitedTextField(_("the client's own view"), blank=True, max_length=LONG_TEXT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    client_attends = models.BooleanField(_("the client takes part"), default=True)
    professionals = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="network_meetings", blank=True, verbose_name=_("professionals")
    )
    network_members = models.ManyToManyField(
        NetworkMember, related_name="meetings", blank=True, verbose_name=_("network members")
    )
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(call_link=""), name="meeting_has_place_or_link"),
        ]
        indexes = [models.Index(fields=["client", "starts_at"], name="meeting_client_starts")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """One decision of a network meeting: who does what by when. Exactly one responsible: a
    professional, a network member or the client."""

    meeting = models.ForeignKey(NetworkMeeting, on_delete=models.CASCADE, related_name="decisions")
    text = LimitedTextField(_("decision"), max_length=SHORT_TEXT)
    responsible_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    responsible_member = models.ForeignKey(
        NetworkMember, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    responsible_client = models.BooleanField(_("the client is responsible"), default=False)
    due_on = models.DateField(_("by"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(responsible_professional__isnull=False, responsible_member__isnull=True, responsible_client=False)
                    | Q(
                        responsible_professional__isnull=True,
                        responsible_member__isnull=False,
                        responsible_client=False,
                    )
                    | Q(responsible_professional__isnull=True, responsible_member__isnull=True, responsible_client=True)
                ),
                name="decision_has_one_responsible",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
