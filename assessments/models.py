"""Needs assessments (palvelutarpeen arviointi, SHL §36–37): life domains with the need for
support in the professional's and the client's words, and help needed by time of day and
week."""

from typing import Any

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Profession
from core.fields import LONG_TEXT, MEDIUM_TEXT, LimitedTextField

ADULT_AGE = 18
# Working age ends where old-age pension begins for most (the domain of work ability is for
# the ages in between).
PENSION_AGE = 65


class TranslatedName(models.Model):
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return str(getattr(self, f"name_{(get_language() or 'fi')[:2]}", self.name_fi))


class LifeDomain(TranslatedName):
    """A life domain of the need for support, after SHL §11 (daily living and housing,
    financial support, safety, …). Configuration, edited by an administrator."""

    class Ages(models.TextChoices):
        ALL = "all", _("Everyone")
        CHILDREN = "children", _("Children (under 18)")
        ADULTS = "adults", _("Adults (18 or over)")
        WORKING_AGE = "working", _("Working-age adults (18–64)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    # A child's growth is no question for a 77-year-old: the assessment offers a domain only to
    # the clients of the ages it is for.
    ages = models.CharField(_("for whom"), max_length=10, choices=Ages.choices, default=Ages.ALL)
    # A domain may be rated on a scale of its own besides the need for support: work, studies
    # and work ability on the work-ability scale (``ScaleLevel.Scale.WORK``).
    own_scale = models.CharField(_("own scale"), max_length=10, blank=True, default="")

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("life domain")
        verbose_name_plural = _("life domains")

    def applies_at(self, age: int) -> bool:
        """Whether a client of ``age`` is assessed in this domain."""
        if self.ages == self.Ages.CHILDREN:
            return age < ADULT_AGE
        if self.ages == self.Ages.ADULTS:
            return age >= ADULT_AGE
        if self.ages == self.Ages.WORKING_AGE:
            return ADULT_AGE <= age < PENSION_AGE
        return True


class ScaleLevel(TranslatedName):
    """One level of a scale: the need for support (0–3) or an ICF qualifier (0–4: no, mild,
    moderate, severe, complete problem). Configuration."""

    class Scale(models.TextChoices):
        NEED = "need", _("Need for support")
        ICF = "icf", _("ICF qualifier")
        # Work ability (työkyky) as the work-ability team sees it, the domain of work and
        # studies' own scale.
        WORK = "work", _("Work ability")

    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices)
    value = models.PositiveSmallIntegerField(_("value"))

    class Meta:
        ordering = ["scale", "value"]
        verbose_name = _("scale level")
        verbose_name_plural = _("scale levels")
        constraints = [models.UniqueConstraint(fields=["scale", "value"], name="one_level_per_value")]


class RaiInstrument(models.TextChoices):
    NONE = "", _("No RAI instrument")
    HOME_CARE = "interrai_hc", _("interRAI Home Care (HC)")
    LONG_TERM_CARE = "interrai_ltcf", _("interRAI Long-Term Care Facilities (LTCF)")
    CHECK_UP = "interrai_cha", _("interRAI Check-Up (CHA)")


# The RAI summary scales Caseflow stores as the assessor gives them, with their ranges.
RAI_SCALES: dict[str, tuple[int, int]] = {
    "maple": (1, 5),  # Method for Assigning Priority Levels
    "cps": (0, 6),  # Cognitive Performance Scale
    "adl_h": (0, 6),  # Activities of Daily Living, hierarchy
    "iadl": (0, 48),  # Instrumental Activities of Daily Living, capacity
    "drs": (0, 14),  # Depression Rating Scale
}


@pghistory.track()
class Assessment(models.Model):
    """A needs assessment of a client (palvelutarpeen arviointi). Completed, it is frozen: the
    service refuses changes and a database trigger refuses any UPDATE or DELETE."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        STARTED = "started", _("Started")
        COMPLETED = "completed", _("Completed")

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="assessments")
    contact = models.ForeignKey(
        "clients.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="next")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.STARTED)
    started_on = models.DateField(_("started on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # SHL §36.3: a child needing special support is assessed within 3 months of the start.
    complete_by = models.DateField(_("to be completed by"), null=True, blank=True)
    # Vanhuspalvelulaki §15a: RAI-assessed older clients are reassessed every 6 months.
    reassess_on = models.DateField(_("reassess by"), null=True, blank=True)
    client_took_part = models.BooleanField(_("the client took part"), default=True)
    relatives = models.ManyToManyField("networks.NetworkMember", blank=True, related_name="assessments")
    professionals = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assessments")
    situation_summary = LimitedTextField(_("summary of the situation"), blank=True, max_length=LONG_TEXT)
    professional_conclusion = LimitedTextField(_("the professional's conclusion"), blank=True, max_length=LONG_TEXT)
    client_view = LimitedTextField(_("the client's own view"), blank=True, max_length=LONG_TEXT)
    named_worker_needed_professional = models.BooleanField(
        _("a named worker is needed, in the professional's view"), null=True, blank=True
    )
    named_worker_needed_client = models.BooleanField(
        _("a named worker is needed, in the client's view"), null=True, blank=True
    )
    rai_instrument = models.CharField(
        _("RAI instrument"), max_length=20, choices=RaiInstrument.choices, blank=True, default=RaiInstrument.NONE
    )
    rai_scores = models.JSONField(_("RAI summary scales"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=models.F("started_on")),
                name="assessment_completed_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="completed_assessment_has_date",
            ),
            models.UniqueConstraint(
                fields=["client"], condition=~Q(status="completed"), name="one_open_assessment_per_client"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="completed_is_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="completed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.started_on} ({self.status})"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.COMPLETED


class DomainNeed(models.Model):
    """The need for support in one life domain: its level, the professional's words and the
    client's own, and an optional ICF qualifier. ``frozen`` is set when the assessment is
    completed; from then on a trigger refuses changes."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="needs")
    domain = models.ForeignKey(LifeDomain, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("need for support"))
    professional_text = LimitedTextField(_("in the professional's words"), blank=True, max_length=MEDIUM_TEXT)
    client_text = LimitedTextField(_("in the client's words"), blank=True, max_length=MEDIUM_TEXT)
    icf_qualifier = models.PositiveSmallIntegerField(_("ICF qualifier"), null=True, blank=True)
    # The level on the domain's own scale (``LifeDomain.own_scale``), where it has one.
    own_level = models.PositiveSmallIntegerField(_("level on the domain's own scale"), null=True, blank=True)
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["domain__order", "pk"]
        verbose_name = _("need in a life domain")
        verbose_name_plural = _("needs in life domains")
        constraints = [models.UniqueConstraint(fields=["assessment", "domain"], name="one_need_per_domain")]
        triggers = [
            pgtrigger.Protect(
                name="frozen_need",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__frozen=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.domain_id}={self.level}"


class TimeOfDay(models.TextChoices):
    MORNING = "morning", _("Morning")
    MIDDAY = "midday", _("Midday")
    EVENING = "evening", _("Evening")
    NIGHT = "night", _("Night")


class Coverage(models.TextChoices):
    UNCOVERED = "", _("Not covered")
    SERVICE = "service", _("A formal service")
    NETWORK = "network", _("A network member")
    CLIENT = "client", _("The client")


class NeedSlot(models.Model):
    """A time of the week when a need requires help (weekday × time of day), and who covers it."""

    need = models.ForeignKey(DomainNeed, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # 0 = Monday
    time_of_day = models.CharField(_("time of day"), max_length=10, choices=TimeOfDay.choices)
    coverage = models.CharField(_("covered by"), max_length=10, choices=Coverage.choices, blank=True)
    service = models.CharField(_("service"), max_length=200, blank=True)
    network_member = models.ForeignKey(
        "networks.NetworkMember", on_delete=models.PROTECT, null=True, blank=True, related_name="slots"
    )
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["weekday", "time_of_day"]
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        constraints = [
            models.UniqueConstraint(fields=["need", "weekday", "time_of_day"], name="one_slot_per_time"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="slot_weekday_in_week"),
            models.CheckConstraint(
                condition=~Q(coverage="network") | Q(network_member__isnull=False), name="network_slot_names_member"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="frozen_slot",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__frozen=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} {self.weekday} {self.time_of_day}"

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAYS[self.weekday])

    @property
    def covered_by(self) -> str:
        """Who covers the slot, in words: the service, the network member, the client, or no one."""
        if self.coverage == Coverage.SERVICE:
            return self.service or str(Coverage.SERVICE.label)
        if self.coverage == Coverage.NETWORK and self.network_member is not None:
            return self.network_member.name
        return str(Coverage(self.coverage).label)


@pghistory.track()
class ProfessionalConclusion(models.Model):
    """One professional's own conclusion in a needs assessment, beside the coordinator's
    (``Assessment.professional_conclusion``) and the client's view: in a work-ability team the
    employment specialist's (työllisyysasiantuntija) view of work and training options, the
    nurse's of health, the physiotherapist's of functioning. One per professional; frozen with
    the assessment, after which a trigger refuses changes."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="conclusions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's profession when they wrote it: the conclusion speaks for that profession.
    profession = models.CharField(_("profession"), max_length=30, choices=Profession.choices, blank=True)
    text = LimitedTextField(_("conclusion"), max_length=LONG_TEXT)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    frozen = models.BooleanField(default=False)

    class Meta:
        ordering = ["profession", "pk"]
        verbose_name = _("professional's conclusion")
        verbose_name_plural = _("professionals' conclusions")
        constraints = [models.UniqueConstraint(fields=["assessment", "author"], name="one_conclusion_per_author")]
        triggers = [
            pgtrigger.Protect(
                name="frozen_conclusion",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__frozen=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.author_id} ({self.profession})"


# The network's voice: a relative's or another close person's view beside the client's own.


def _refuse_under_completed(name: str, operation: Any, row: str) -> pgtrigger.Trigger:
    """A trigger refusing ``operation`` on a network view of a completed (frozen) assessment."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=operation,
        func=(
            "IF EXISTS (SELECT 1 FROM assessments_assessment "  # noqa: S608
            f"WHERE id = {row}.assessment_id AND status = 'completed') THEN "
            "RAISE EXCEPTION 'completed assessments are frozen'; END IF; "
            f"RETURN {row};"
        ),
    )


@pghistory.track()
class NetworkView(models.Model):
    """The view of someone in the client's own network (läheisen näkemys) on the client's need
    for support, in their own words, recorded by the coordinator as the person told it. Only
    with the client's consent to share the assessment with that person in force when it is
    recorded (``consent`` names it); it stands beside the client's own view and the
    professional's conclusion and never replaces the client's. Frozen with the assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="network_views")
    network_member = models.ForeignKey(
        "networks.NetworkMember", on_delete=models.PROTECT, related_name="assessment_views"
    )
    consent = models.ForeignKey("networks.Consent", on_delete=models.PROTECT, related_name="+")
    words = LimitedTextField(_("the view in their own words"), max_length=MEDIUM_TEXT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("view of a network member")
        verbose_name_plural = _("views of network members")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "network_member"], name="one_network_view_per_member"),
        ]
        triggers = [
            _refuse_under_completed("frozen_with_assessment", pgtrigger.Insert | pgtrigger.Update, "NEW"),
            _refuse_under_completed("kept_with_assessment", pgtrigger.Delete, "OLD"),
        ]

    def __str__(self) -> str:
        return f"{self.network_member_id} on {self.assessment_id}"
