from datetime import date

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from core.fields import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, LimitedTextField

from .identity_code import mask, validate_identity_code


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")


class SearchName(Func):
    """The name as search compares it: "last first", lower case, without accents, so that
    "makinen" finds Mäkinen. ``immutable_unaccent`` is created by the migration (PostgreSQL's
    ``unaccent`` is not immutable, so it cannot be indexed directly)."""

    template = "immutable_unaccent(lower(%(expressions)s))"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self) -> None:
        super().__init__(F("last_name"), F("first_name"))


@pghistory.track()
class Client(models.Model):
    """A person receiving service coordination (asiakas)."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    identity_code = models.CharField(
        _("personal identity code"),
        max_length=11,
        blank=True,
        validators=[validate_identity_code],
        help_text=_("For example 131052-308T. Leave empty if the client has none."),
    )
    municipality = models.CharField(_("municipality"), max_length=100)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.FINNISH
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Grounds for the 7-working-day start of the needs assessment (SHL §36.2).
    highest_care_allowance = models.BooleanField(
        _("receives the highest rate of Kela's care allowance for pensioners"), default=False
    )
    child_special_support = models.BooleanField(_("child needing special support"), default=False)
    # SHL §42: a named worker is appointed unless clearly unnecessary; the reason is recorded.
    no_named_worker_reason = LimitedTextField(_("why no named worker is needed"), blank=True, max_length=SHORT_TEXT)
    # The current client relationship, kept in step with ``RelationshipPeriod`` by the services
    # so that lists and access checks read it from the row.
    relationship_started_on = models.DateField(_("client relationship started on"))
    # The team responsible for the client: its leads see the client even while no coordinator
    # is named, and after the relationship is closed.
    team = models.ForeignKey(
        "teams.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="clients", verbose_name=_("team")
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Past its retention the record is anonymised in place (``services.apply_retention``).
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Annotated by ``access.policy.visible_clients``: the relationship that grants access.
    access_ground: str

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_code"], condition=~Q(identity_code=""), name="unique_identity_code"
            ),
        ]
        indexes = [GinIndex(OpClass(SearchName(), name="gin_trgm_ops"), name="client_name_trigram")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.anonymised_on is not None:
            return str(_("Anonymised client %(number)d") % {"number": self.pk})
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_identity_code(self) -> str:
        return mask(self.identity_code)

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class AssignmentEnd(models.TextChoices):
    HANDOVER = "handover", _("Handed over")
    CLOSURE = "closure", _("Client relationship closed")
    NO_WORKER_NEEDED = "no_worker", _("No named worker needed")


@pghistory.track()
class Assignment(models.Model):
    """One period during which a coordinator is the client's designated worker
    (omatyöntekijä, SHL §42; vastuutyöntekijä, vanhuspalvelulaki §17). The history of these
    periods is the client's continuity record; at most one is open at a time."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignments")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=AssignmentEnd.choices, blank=True)
    # What the receiving coordinator reads first about a client handed over to them.
    handover_note = LimitedTextField(_("handover note"), blank=True, max_length=MEDIUM_TEXT)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note_read_at = models.DateTimeField(_("note read at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(ended_on__isnull=True), name="one_open_assignment_per_client"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [
            # The caseload: a coordinator's open assignments.
            models.Index(
                fields=["coordinator", "started_on"],
                condition=Q(ended_on__isnull=True),
                name="open_assignment_by_coord",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.coordinator_id} from {self.started_on}"


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    MOVED = "moved", _("Moved away")
    SERVICES_CONTINUE = "services_continue", _("Services continue without coordination")
    DECLINED = "declined", _("Declined coordination")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


# Endings that come as the work was meant to end: the goals were met, or the services go on
# without coordination. The others (moved, declined, deceased, other) end it unplanned, unless a
# coordination review had decided to end it first (``services.close_client``).
PLANNED_CLOSURE_REASONS = frozenset({ClosureReason.GOALS_MET, ClosureReason.SERVICES_CONTINUE})


class ClientView(models.TextChoices):
    """The client's own view of whether service coordination helped them, asked at each
    coordination review and at closure."""

    HELPED = "helped", _("It helped")
    PARTLY = "partly", _("It helped in part")
    DID_NOT_HELP = "did_not_help", _("It did not help")
    NOT_ASKED = "not_asked", _("The client could not be asked")


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", _("Coordination continues")
    CLOSE = "close", _("Coordination ends")


class RetentionClass(models.TextChoices):
    """Record classes with their own retention periods (settings.RETENTION_YEARS)."""

    OLDER_PEOPLE = "older_people", _("Older people's services")
    WORKING_AGE = "working_age", _("Working-age adults' services")
    CHILDREN = "children", _("Services for children and families")


@pghistory.track()
class RelationshipPeriod(models.Model):
    """One client relationship (asiakkuus), from opening to a deliberate closure with a reason
    and a closing summary. Closure stamps the date the retention period runs from
    (asiakastietolaki 703/2023). Reopening starts a new period and keeps the old one."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="relationship_periods")
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(_("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True)
    closing_summary = LimitedTextField(_("closing summary"), blank=True, max_length=LONG_TEXT)
    retention_class = models.CharField(_("record class"), max_length=20, choices=RetentionClass.choices, blank=True)
    retention_starts_on = models.DateField(_("retention runs from"), null=True, blank=True)
    retention_ends_on = models.DateField(_("kept until"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # Service coordination is time-limited: the day to ask "is coordination still needed?",
    # recorded at opening and moved on by each coordination review that decides to go on.
    review_due_on = models.DateField(_("coordination review due on"), null=True, blank=True)
    # At closure: what was reached, the client's own view, and whether the ending was planned.
    reached = LimitedTextField(_("what was reached"), blank=True, max_length=MEDIUM_TEXT)
    client_view = models.CharField(
        _("did coordination help, in the client's view"), max_length=20, choices=ClientView.choices, blank=True
    )
    client_view_words = LimitedTextField(_("the client's view in their own words"), blank=True, max_length=SHORT_TEXT)
    planned_ending = models.BooleanField(_("planned ending"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on"]
        verbose_name = _("client relationship")
        verbose_name_plural = _("client relationships")
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(closed_on__isnull=True), name="one_open_relationship_per_client"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | (Q(closed_on__gte=models.F("opened_on")) & ~Q(closure_reason="")),
                name="closure_has_date_and_reason",
            ),
        ]
        indexes = [
            # The sweep's coordination reviews: open relationships by their review day.
            models.Index(
                fields=["review_due_on"], condition=Q(closed_on__isnull=True), name="open_relationship_review_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.opened_on}–{self.closed_on or ''}"


@pghistory.track()
class CoordinationReview(models.Model):
    """A coordination review (palveluohjauksen tarpeen arviointi): at the review point the
    coordinator and the client ask whether coordination is still needed, and record the
    decision (go on, with the next review point, or end it) and the client's own view of
    whether it helped."""

    period = models.ForeignKey(RelationshipPeriod, on_delete=models.CASCADE, related_name="reviews")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="coordination_reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    # The review point this review answered (None: reviewed before any was set).
    due_on = models.DateField(_("review was due on"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    client_view = models.CharField(
        _("did coordination help, in the client's view"), max_length=20, choices=ClientView.choices
    )
    client_view_words = LimitedTextField(_("the client's view in their own words"), blank=True, max_length=SHORT_TEXT)
    note = LimitedTextField(_("grounds for the decision"), blank=True, max_length=SHORT_TEXT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("coordination review")
        verbose_name_plural = _("coordination reviews")
        constraints = [
            models.CheckConstraint(
                condition=(Q(decision="continue") & Q(next_review_on__gt=F("reviewed_on")))
                | (Q(decision="close") & Q(next_review_on__isnull=True)),
                name="review_continues_to_a_later_point_or_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.reviewed_on} {self.decision}"


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    ELECTRONIC = "electronic", _("Electronic message")
    REFERRAL = "referral", _("Referral")


class ContactSource(models.TextChoices):
    CLIENT = "client", _("The client")
    RELATIVE = "relative", _("A relative or close person")
    KELA = "kela", _("Kela")
    HEALTH_CARE = "health_care", _("Health care")
    OTHER_AUTHORITY = "other_authority", _("Another authority")
    OTHER = "other", _("Other")


class DeadlineRule(models.TextChoices):
    """Which start deadline of the needs assessment applies (SHL §36)."""

    URGENT = "urgent", _("Urgent: at once")
    STATUTORY = "statutory", _("By the 7th working day")
    DEFAULT = "default", _("Without undue delay")


@pghistory.track()
class Contact(models.Model):
    """A contact (yhteydenotto) about a client's need for support, by the client or someone on
    their behalf. It starts the statutory clock of the needs assessment (SHL §36)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField(_("contact date"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    source = models.CharField(_("contact made by"), max_length=20, choices=ContactSource.choices)
    source_name = models.CharField(_("name of the person or organisation"), max_length=200, blank=True)
    reason = LimitedTextField(_("reason for contact"), max_length=MEDIUM_TEXT)
    urgent = models.BooleanField(_("urgent need"), default=False)
    deadline_rule = models.CharField(_("deadline rule"), max_length=20, choices=DeadlineRule.choices)
    assessment_due_on = models.DateField(_("assessment must start by"))
    assessment_started_on = models.DateField(_("assessment started on"), null=True, blank=True)
    # Closing the client relationship stops the clock without the assessment starting.
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(
                fields=["client", "assessment_due_on"],
                condition=Q(assessment_started_on__isnull=True, cancelled_on__isnull=True),
                name="pending_assessment_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.contacted_on} ({self.source})"


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class PartnerKind(models.TextChoices):
    """The kind of organisation a referral partner is, as the review groups them."""

    KELA = "kela", _("Kela")
    EMPLOYMENT = "employment", _("Employment services")
    MUNICIPALITY = "municipality", _("Municipality")
    COUNTY = "county", _("Wellbeing services county")
    THIRD_SECTOR = "third_sector", _("Third sector")
    OTHER = "other", _("Other")


@pghistory.track()
class ReferralPartner(models.Model):
    """An organisation (or one of its units) that clients are referred to and from
    (yhteistyökumppani): Kela, employment services (työllisyyspalvelut), the municipality, the
    wellbeing services county (hyvinvointialue), the third sector (järjestöt). Configuration
    rows that an administrator edits; a migration installs the defaults
    (``clients/configuration.py``)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    organisation = models.CharField(_("organisation"), max_length=200)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    contact = LimitedTextField(_("contact"), max_length=SHORT_TEXT, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "organisation", "unit"]
        verbose_name = _("referral partner")
        verbose_name_plural = _("referral partners")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "unit"], name="referral_partner_unique_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}, {self.unit}" if self.unit else self.organisation


@pghistory.track()
class Referral(models.Model):
    """A referral to another service (saattaen vaihtaen: the client is accompanied across,
    not sent away), e.g. from the municipality to Kela, followed up until it is answered."""

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("Outgoing")
        INCOMING = "incoming", _("Incoming")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="referrals")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    partner = models.ForeignKey(
        ReferralPartner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    # Free text only for a counterpart that is no configured partner ("other").
    counterpart = models.CharField(_("other (to or from)"), max_length=200, blank=True)
    reason = LimitedTextField(_("reason"), max_length=SHORT_TEXT)
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    sent_on = models.DateField(_("sent on"))
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="referral")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["follow_up_on"], condition=~Q(status="closed"), name="referral_follow_up_open"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(partner__isnull=False, counterpart="") | (Q(partner__isnull=True) & ~Q(counterpart="")),
                name="referral_partner_or_other",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.direction} {self.counterpart_name} ({self.status})"

    @property
    def counterpart_name(self) -> str:
        """The partner, or the free text of another counterpart."""
        return str(self.partner) if self.partner_id is not None else self.counterpart


class BounceKind(models.TextChoices):
    RETURNED = "returned", _("Came back unanswered")
    REFUSED = "refused", _("Refused")
    REDIRECTED = "redirected", _("Redirected to another partner")


@pghistory.track()
class ReferralBounce(models.Model):
    """A referral that bounced (pompottelu): it came back unanswered, was refused, or the
    partner sent the client on elsewhere, in which case ``redirected_to`` is the referral made
    to the new partner. The bounced referral is closed by it."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="bounce")
    kind = models.CharField(_("what happened"), max_length=12, choices=BounceKind.choices)
    bounced_on = models.DateField(_("on"))
    note = LimitedTextField(_("note"), max_length=SHORT_TEXT, blank=True)
    redirected_to = models.OneToOneField(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="redirected_from"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-bounced_on", "-pk"]
        verbose_name = _("bounced referral")
        verbose_name_plural = _("bounced referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="redirected") | Q(redirected_to__isnull=True), name="bounce_redirect_only_redirected"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.kind} {self.bounced_on}"


class ClientMessage(models.Model):
    """A message to the client (e.g. who their new named worker is), recorded now and delivered
    through the client portal when it exists."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(_("subject"), max_length=200)
    body = LimitedTextField(_("message"), max_length=MEDIUM_TEXT)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message to the client")
        verbose_name_plural = _("messages to the client")

    def __str__(self) -> str:
        return f"{self.client_id}: {self.subject}"


class RetentionRun(models.Model):
    """One run of the retention job (``services.apply_retention``): the day it ran as, whether
    it only listed (a dry run) or anonymised, and how many records were past retention. With
    ``Anonymisation`` it is the audit of what the job did."""

    ran_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField(_("as of"))
    applied = models.BooleanField(_("anonymised"), default=False)
    found = models.PositiveIntegerField(_("past retention"), default=0)
    anonymised = models.PositiveIntegerField(_("anonymised"), default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.as_of} applied={self.applied} {self.anonymised}/{self.found}"


class Anonymisation(models.Model):
    """One client record anonymised past its retention: which, when, by which run, and the
    retention it was past. The row names no one (the client row is anonymised too)."""

    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="anonymisations")
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="anonymisation")
    retention_class = models.CharField(max_length=20, choices=RetentionClass.choices)
    retention_ended_on = models.DateField()

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self) -> str:
        return f"{self.client_id} ({self.retention_ended_on})"
