"""Realistic, reproducible demo data: Finnish names and municipalities, teams, coordinators,
clients and their history: client relationships (some closed, a few reopened), designated
coordinators with handovers, contacts with their statutory assessment deadlines, referrals,
substitutions. The same factories serve the tests.

Everything is built in memory with one random generator (fixed seed) and written with
``bulk_create``: the dates follow the same rules as ``clients.services`` (periods and
assignments in order and not overlapping, at most one open of each, the deadline of every
contact from ``services.assessment_deadline``, closures stamped as ``services.close_client``
stamps them)."""

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

import factory.random
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from access import grants
from access.models import Section
from access.policy import Ground
from accounts.factories import (
    AdministratorFactory,
    CoordinatorFactory,
    DataProtectionFactory,
    TeamLeadFactory,
    TeamMemberFactory,
)
from accounts.models import Profession, Role, User
from assessments.demo_data import seed_assessments, seed_work_ability
from assessments.models import ADULT_AGE, PENSION_AGE, Assessment
from budgets.demo_data import seed_budgets
from care_plans.demo_data import seed_plans
from caseflow import bulkseed
from clients import configuration as client_configuration
from clients import services as client_services
from clients.demo_data import (
    CHANNELS,
    CLOSING_SUMMARIES,
    CONTACT_REASONS,
    FIRST_NAMES,
    HANDOVER_NOTES,
    HANDOVER_REASONS,
    NO_NAMED_WORKER_REASONS,
    REFERRALS,
    URGENT_REASONS,
    Bounce,
    Group,
    answered_on,
    bounce_of,
    ending_of,
    redirected_progress,
    referral_progress,
    review_point,
    seed_coordination_reviews,
)
from clients.factories import ClientFactory, ContactFactory, ReferralFactory
from clients.models import (
    Assignment,
    AssignmentEnd,
    BounceKind,
    Channel,
    Client,
    ClosureReason,
    Contact,
    ContactSource,
    Referral,
    ReferralBounce,
    ReferralPartner,
    ReferralStatus,
    RelationshipPeriod,
)
from clients.services import assessment_deadline, retention_class
from core.calendar import is_working_day
from networks.models import CareTeamMember, Consent, Decision, NetworkMeeting, NetworkMember, Relationship
from portal.demo_data import seed_portal
from reminders.demo_data import seed_reminders
from teams.demo_data import seed_review
from teams.factories import SubstitutionFactory, TeamFactory, TeamMembershipFactory
from teams.models import Team, TeamMembership

SEED = 20261123
# The organiser's budget configuration the administrator edits (not clients' budgets).
ADMINISTERED_BUDGET_MODELS = ["servicetype", "provider", "budgetrules"]
# The referral partners (configuration rows) the administrator edits.
ADMINISTERED_CLIENT_MODELS = ["referralpartner"]
SIZES = {"small": {"clients": 200, "coordinators": 10, "teams": 2}}
DEMO_PASSWORD = "caseflow-demo"  # noqa: S105  # the demo logins' published password
# Coordinators who are social workers: a child needing special support must have one as the
# named worker (SHL §42). Two in each team.
SOCIAL_WORKERS = {"coordinator3", "coordinator4", "coordinator9", "coordinator10"}
# Shares of the clients (of the "small" 200: 16 closed, 3 reopened, 5 without a named worker).
CLOSED_SHARE = 0.08
REOPENED_SHARE = 0.015
NO_WORKER_SHARE = 0.025
CONTACT_SHARE = 0.85  # clients with recorded contacts
REFERRAL_SHARE = 0.6  # clients with outgoing referrals
INCOMING_REFERRAL_SHARE = 0.07  # first contacts that came as a referral
URGENT_SHARE = 0.05
# The demo login ``coordinator`` is named worker somewhat more often than a colleague, for a
# caseload of 20-40 open clients; a few clients were handed over to them in the last days.
DEMO_COORDINATOR_WEIGHT = 2.2
HANDOVERS_TO_DEMO = 4
# Pending assessments for the demo coordinator's caseload: every kind of deadline.
DEMO_PENDING = ["overdue", "due_soon", "later", "urgent", "overdue", "due_soon", "later"]
PENDING_SHARE = 0.18  # of other open clients with a named worker
PENDING_INCOMING_SHARE = 0.15  # pending contacts that came as a referral
# Closures after which a last contact was left without an assessment (cancelled by the closure).
CLOSED_WHILE_PENDING = {ClosureReason.DECLINED, ClosureReason.DECEASED, ClosureReason.MOVED}


@dataclass
class Story:
    """One client's history as it is built, before anything is written."""

    client: Client
    team: Team
    kind: str = "open"  # open, closed, reopened, no_worker
    periods: list[RelationshipPeriod] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    handed_to_demo: bool = False
    pending: str = ""  # a pending assessment deadline: overdue, due_soon, later, urgent
    overdue_referral: bool = False

    @property
    def current(self) -> Assignment | None:
        last = self.assignments[-1] if self.assignments else None
        return last if last is not None and last.ended_on is None else None


class Command(BaseCommand):
    help = "Fill an empty database with realistic demo data (fixed random seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=[*SIZES, *bulkseed.SCALES],
            default="small",
            help="small: the demo (about 200 clients); medium: 10,000 clients; large: 100,000 clients, "
            "written by COPY (a wellbeing services county)",
        )

    def handle(self, *args: Any, size: str, **options: Any) -> None:
        if not settings.DEMO_USERS_ALLOWED:
            raise CommandError("The seed creates well-known demo logins and is refused with these settings.")
        if Client.objects.exists():
            self.stdout.write("The database already has clients; nothing seeded.")
            return
        if size in bulkseed.SCALES:
            counts, seconds = bulkseed.timed_seed(bulkseed.SCALES[size])
            width = max(len(table) for table in counts)
            for table, count in counts.items():
                self.stdout.write(f"{table:<{width}}  {count:>10,}")
            self.stdout.write(self.style.SUCCESS(f"Seeded the {size} data set in {seconds:.0f} s."))
            return
        figures = SIZES[size]
        factory.random.reseed_random(SEED)
        rng = random.Random(SEED)
        with transaction.atomic():
            self._seed(rng, **figures)
        self.stdout.write(self.style.SUCCESS(f"Seeded {figures['clients']} clients."))

    # People and teams

    def _seed(self, rng: random.Random, *, clients: int, coordinators: int, teams: int) -> None:
        self.rng = rng
        self.today = timezone.localdate()
        # The migration installed the partners; a flushed test database has them put back.
        client_configuration.install(ReferralPartner)
        self.partners = {partner.code: partner for partner in ReferralPartner.objects.all()}
        self.bounces: list[tuple[Referral, Bounce]] = []
        self.now = timezone.now()
        team_objects: list[Team] = [
            TeamFactory(name=name) for name in ["Palveluohjaus Etelä", "Palveluohjaus Pohjoinen"][:teams]
        ]
        # One hash for every demo login: hashing is slow on purpose, and the password is public.
        password = factory.Transformer.Force(make_password(DEMO_PASSWORD))
        staff: list[User] = [
            CoordinatorFactory(username="coordinator", first_name="Aino", last_name="Virtanen", password=password),
            CoordinatorFactory(username="coordinator2", first_name="Mikko", last_name="Korhonen", password=password),
        ]
        staff += [
            CoordinatorFactory(
                username=f"coordinator{i}",
                password=password,
                **({"profession": Profession.SOCIAL_WORKER} if f"coordinator{i}" in SOCIAL_WORKERS else {}),
            )
            for i in range(3, coordinators + 1)
        ]
        leads = [
            TeamLeadFactory(username="lead", first_name="Leena", last_name="Mäkinen", password=password),
            TeamLeadFactory(username="lead2", first_name="Juha", last_name="Nieminen", password=password),
        ]
        member = TeamMemberFactory(
            username="member", first_name="Sari", last_name="Lahtinen", profession="nurse", password=password
        )
        administrator = AdministratorFactory(
            username="admin", first_name="Pekka", last_name="Ylläpitäjä", password=password
        )
        self._organisation_administration(administrator, password)
        started = datetime.date(2021, 1, 1)
        self.demo = staff[0]
        self.team_of: dict[int, Team] = {}
        self.lead_of: dict[int, User] = {}
        for index, coordinator in enumerate(staff):
            self.team_of[coordinator.pk] = team_objects[index % teams]
            TeamMembershipFactory(team=self.team_of[coordinator.pk], user=coordinator, started_on=started)
        for team, lead in zip(team_objects, leads, strict=False):
            self.lead_of[team.pk] = lead
            TeamMembershipFactory(team=team, user=lead, kind=TeamMembership.Kind.LEAD, started_on=started)
        TeamMembershipFactory(team=team_objects[0], user=member, started_on=started)
        self.staff_of: dict[int, list[User]] = {
            team.pk: [user for user in staff if self.team_of[user.pk] == team] for team in team_objects
        }

        stories = self._stories(clients, team_objects)
        for story in tqdm(stories, desc="clients", disable=None):
            self._relationship(story)
        Client.objects.bulk_create([story.client for story in stories])
        RelationshipPeriod.objects.bulk_create([period for story in stories for period in story.periods])
        Assignment.objects.bulk_create([assignment for story in stories for assignment in story.assignments])
        self._choose_pending(stories)
        contacts: list[Contact] = []
        referrals: list[Referral] = []
        for story in stories:
            self._contacts(story, contacts, referrals)
            self._referrals(story, referrals)
        Contact.objects.bulk_create(contacts)
        Referral.objects.bulk_create(referrals)
        self._bounces()
        self._demo_bounce(stories)
        self._substitutions(staff)
        self._networks(stories, member, password)
        seed_assessments(rng=self.rng, today=self.today, stories=stories)
        work_ability = self._work_ability(stories, member, team_objects[0])
        seed_budgets(rng=self.rng, today=self.today, stories=stories)
        seed_coordination_reviews(today=self.today, demo=self.demo)
        seed_reminders(today=self.today)
        seed_plans(rng=self.rng, today=self.today, stories=stories, demo=self.demo, work_ability=work_ability)
        seed_portal(rng=self.rng, today=self.today, demo=self.demo)
        seed_review(rng=self.rng, today=self.today, lead=leads[0], teams=team_objects)
        self._consultations(staff)

    def _organisation_administration(self, administrator: User, password: Any) -> None:
        """The day-to-day administrator manages users, teams and configuration on the admin site
        and is not a superuser; the superuser ``setup`` is for installing only, and like every
        administrator sees no client; ``dataprotection`` reads the access log."""
        group, _created = AuthGroup.objects.get_or_create(name="Organisation administrators")
        group.permissions.set(
            Permission.objects.filter(
                Q(content_type__app_label__in=["accounts", "teams"])
                | Q(content_type__app_label="budgets", content_type__model__in=ADMINISTERED_BUDGET_MODELS)
                | Q(content_type__app_label="reminders", content_type__model="reminderkindsetting")
                | Q(content_type__app_label="clients", content_type__model__in=ADMINISTERED_CLIENT_MODELS)
            )
        )
        administrator.groups.add(group)
        AdministratorFactory(
            username="setup", first_name="Asennus", last_name="Pääkäyttäjä", is_superuser=True, password=password
        )
        DataProtectionFactory(username="dataprotection", first_name="Tiina", last_name="Tietosuoja", password=password)

    def _consultations(self, staff: list[User]) -> None:
        """Two consultations of the demo coordinator's clients by a coordinator of the other
        team: one running, one revoked, each logged as a grant and a revocation."""
        consultant = next((user for user in staff if self.team_of[user.pk] != self.team_of[self.demo.pk]), None)
        assignments = list(
            Assignment.objects.filter(coordinator=self.demo, ended_on__isnull=True, client__closed_on__isnull=True)
            .select_related("client")
            .order_by("client__last_name", "client__pk")[:2]
        )
        if consultant is None or len(assignments) < 2:
            return
        reasons = ["Toisen tiimin sosiaalityöntekijän arvio asumisesta", "Kotiutuksen suunnittelu"]
        for assignment, reason in zip(assignments, reasons, strict=True):
            consultation = grants.grant_consultation(
                client=assignment.client,
                professional=consultant,
                by=self.demo,
                ground=Ground.DESIGNATED_COORDINATOR,
                reason=reason,
            )
        grants.revoke_consultation(consultation=consultation, by=self.demo, ground=Ground.DESIGNATED_COORDINATOR)

    def _stories(self, count: int, teams: list[Team]) -> list[Story]:
        """The clients, not yet saved, each with a team and the kind of history they get."""
        rng = self.rng
        stories = []
        for _ in range(count):
            team = rng.choice(teams)
            client = ClientFactory.build(rng=rng, team=team)
            age = client.age_on(self.today)
            client.child_special_support = age < 18
            client.highest_care_allowance = (age >= 65 and rng.random() < 0.18) or (age >= 40 and rng.random() < 0.03)
            stories.append(Story(client=client, team=team))
        order = list(range(count))
        rng.shuffle(order)
        closed = round(count * CLOSED_SHARE)
        reopened = max(2, round(count * REOPENED_SHARE))
        no_worker = max(3, round(count * NO_WORKER_SHARE))
        adults = [i for i in order if not stories[i].client.child_special_support]
        for i in adults[:reopened]:
            stories[i].kind = "reopened"
        for i in adults[reopened : reopened + no_worker]:
            stories[i].kind = "no_worker"
        for i in [i for i in order if stories[i].kind == "open"][:closed]:
            stories[i].kind = "closed"
        demo_team = self.team_of[self.demo.pk]
        candidates = [
            story
            for story in (stories[i] for i in order)
            if story.kind == "open" and story.team == demo_team and not story.client.child_special_support
        ]
        for story in candidates[-HANDOVERS_TO_DEMO:]:
            story.handed_to_demo = True
        return stories

    # Relationship periods and named workers

    def _day_between(self, low: datetime.date, high: datetime.date) -> datetime.date:
        return low + datetime.timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def _relationship(self, story: Story) -> None:
        today, client = self.today, story.client
        day = datetime.timedelta(days=1)
        # No relationship before the client was a year old, and none over 2,000 days back.
        earliest = max(client.date_of_birth + 365 * day, today - 2000 * day)
        periods: list[tuple[datetime.date, datetime.date | None]]
        if story.kind == "reopened":
            first_opened = self._day_between(earliest, today - 600 * day)
            first_closed = self._day_between(first_opened + 90 * day, first_opened + 400 * day)
            reopened = self._day_between(first_closed + 30 * day, today - 60 * day)
            periods = [(first_opened, first_closed), (reopened, None)]
        elif story.kind == "closed":
            first_opened = self._day_between(earliest, today - 150 * day)
            periods = [(first_opened, self._day_between(first_opened + 60 * day, today - 1 * day))]
        elif story.handed_to_demo:
            periods = [(self._day_between(earliest, today - 120 * day), None)]
        else:
            periods = [(self._day_between(earliest, today - 30 * day), None)]
        for number, (opened, closed) in enumerate(periods):
            period = RelationshipPeriod(client=client, opened_on=opened)
            if closed is None:
                period.review_due_on = review_point(opened, today, f"{client.identity_code} {opened}", overdue_days=20)
            story.periods.append(period)
            if story.kind == "no_worker":
                self._without_named_worker(story, opened)
            else:
                self._named_workers(story, opened, closed, reopened=number > 0)
            if closed is not None:
                self._close(story, period, closed)
        client.relationship_started_on = periods[-1][0]
        client.closed_on = periods[-1][1]

    def _without_named_worker(self, story: Story, opened: datetime.date) -> None:
        """SHL §42: no named worker, with the reason; half of them had one for a while."""
        rng, today = self.rng, self.today
        if rng.random() < 0.5 and (today - opened).days > 60:
            coordinator = rng.choice(self.staff_of[story.team.pk])
            ended = self._day_between(opened + datetime.timedelta(days=30), today - datetime.timedelta(days=10))
            story.assignments.append(
                Assignment(
                    client=story.client,
                    coordinator=coordinator,
                    started_on=opened,
                    ended_on=ended,
                    end_reason=AssignmentEnd.NO_WORKER_NEEDED,  # as services.record_no_named_worker ends it
                    reason="Uusi asiakas",
                )
            )
        story.client.no_named_worker_reason = rng.choice(NO_NAMED_WORKER_REASONS)

    def _named_workers(
        self, story: Story, opened: datetime.date, closed: datetime.date | None, *, reopened: bool
    ) -> None:
        """One to three named workers in turn over the period, each change a handover with a
        note; the last is current unless the period is closed."""
        rng, today = self.rng, self.today
        end = closed or today
        span = (end - opened).days
        count = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        if story.handed_to_demo:
            count = max(count, 2)
        count = max(1, min(count, 1 + span // 90))
        # Sometimes the named worker was found a few days after the intake.
        first = opened + datetime.timedelta(days=rng.randint(2, 12)) if span > 60 and rng.random() < 0.05 else opened
        starts = [first]
        if story.handed_to_demo:
            last = today - datetime.timedelta(days=rng.randint(1, 12))
            middle = sorted(rng.sample(range(30, max(31, (last - first).days - 30)), count - 2))
            starts += [first + datetime.timedelta(days=offset) for offset in middle] + [last]
        elif count > 1:
            offsets = sorted(rng.sample(range(30, (end - first).days - 10), count - 1))
            starts += [first + datetime.timedelta(days=offset) for offset in offsets]
        starts = [day for number, day in enumerate(starts) if number == 0 or (day - starts[number - 1]).days >= 20]
        chain = self._coordinators(story, len(starts), current=closed is None)
        for number, (coordinator, started_on) in enumerate(zip(chain, starts, strict=True)):
            last_one = number == len(starts) - 1
            assignment = Assignment(
                client=story.client,
                coordinator=coordinator,
                started_on=started_on,
                ended_on=None if last_one else starts[number + 1],
                end_reason="" if last_one else AssignmentEnd.HANDOVER,
                reason=("Asiakkuus avattu uudelleen" if reopened else "Uusi asiakas") if number == 0 else "",
            )
            if last_one and closed is not None:
                assignment.ended_on = closed
                assignment.end_reason = AssignmentEnd.CLOSURE
            if number > 0:
                previous = chain[number - 1]
                assignment.reason = rng.choice(HANDOVER_REASONS)
                assignment.handover_note = rng.choice(HANDOVER_NOTES[self._group(story.client, started_on)])
                assignment.handed_over_by = previous if rng.random() < 0.75 else self.lead_of[story.team.pk]
                unread = (story.handed_to_demo and last_one) or (today - started_on).days <= 3
                if not unread:
                    read_on = started_on + datetime.timedelta(days=rng.randint(0, 3))
                    assignment.note_read_at = min(
                        datetime.datetime.combine(
                            read_on,
                            datetime.time(rng.randint(8, 15), rng.randint(0, 59)),
                            tzinfo=timezone.get_current_timezone(),
                        ),
                        self.now,
                    )
            story.assignments.append(assignment)

    def _coordinators(self, story: Story, count: int, *, current: bool) -> list[User]:
        """Named workers from the client's team, no one twice in a row; a social worker for a
        child needing special support (SHL §42). The demo coordinator weighs more as the current
        one, and is the current one of the clients just handed over to them."""
        pool = self.staff_of[story.team.pk]
        if story.client.child_special_support:
            pool = [user for user in pool if user.profession == Profession.SOCIAL_WORKER]
        chain: list[User] = []
        for number in range(count):
            last = number == count - 1
            options = [user for user in pool if not chain or user != chain[-1]]
            if story.handed_to_demo:
                if last:
                    chain.append(self.demo)
                    continue
                if number == count - 2:
                    options = [user for user in options if user != self.demo]
            weights = [DEMO_COORDINATOR_WEIGHT if last and current and user == self.demo else 1.0 for user in options]
            chain.append(self.rng.choices(options, weights=weights)[0])
        return chain

    def _close(self, story: Story, period: RelationshipPeriod, closed: datetime.date) -> None:
        """Stamps the period as ``services.close_client`` does."""
        rng, client = self.rng, story.client
        reasons = [
            ClosureReason.GOALS_MET,
            ClosureReason.GOALS_MET,
            ClosureReason.SERVICES_CONTINUE,
            ClosureReason.SERVICES_CONTINUE,
            ClosureReason.MOVED,
            ClosureReason.DECLINED,
            ClosureReason.OTHER,
        ]
        if client.age_on(closed) >= 75:
            reasons += [ClosureReason.DECEASED, ClosureReason.DECEASED]
        if story.kind == "reopened":
            reasons = [ClosureReason.GOALS_MET, ClosureReason.SERVICES_CONTINUE, ClosureReason.DECLINED]
        record_class = retention_class(client, closed)
        last = story.assignments[-1] if story.assignments else None
        period.closed_on = closed
        period.closure_reason = rng.choice(reasons)
        period.closing_summary = CLOSING_SUMMARIES[ClosureReason(period.closure_reason)]
        period.retention_class = record_class
        period.retention_starts_on = closed
        period.retention_ends_on = closed + relativedelta(years=settings.RETENTION_YEARS[record_class])
        period.closed_by = last.coordinator if last is not None else self.lead_of[story.team.pk]
        period.reached, period.client_view, period.client_view_words, period.planned_ending = ending_of(
            period.closure_reason, f"{client.identity_code} {closed}"
        )

    # Contacts, assessment deadlines and referrals

    def _group(self, client: Client, on: datetime.date) -> str:
        age = client.age_on(on)
        if age < 18 or client.child_special_support:
            return Group.CHILD
        return Group.OLDER if age >= 65 else Group.WORKING_AGE

    def _choose_pending(self, stories: list[Story]) -> None:
        """Which open clients have an assessment still to start, and which kind of deadline:
        every kind in the demo coordinator's caseload, a share of the others'."""
        rng = self.rng
        with_worker = [story for story in stories if story.current is not None]
        demo = [story for story in with_worker if story.current is not None and story.current.coordinator == self.demo]
        rng.shuffle(demo)
        in_demo = {id(story) for story in demo}
        for story, kind in zip(demo, DEMO_PENDING, strict=False):
            story.pending = kind
        for story in demo[-3:]:
            story.overdue_referral = True
        for story in with_worker:
            if not story.pending and id(story) not in in_demo and rng.random() < PENDING_SHARE:
                story.pending = rng.choices(["overdue", "due_soon", "later", "urgent"], weights=[3, 3, 3, 1])[0]
            if not story.overdue_referral and id(story) not in in_demo and rng.random() < 0.06:
                story.overdue_referral = True

    def _recorder(self, story: Story, on: datetime.date) -> User:
        """The named worker on the day, or (at intake, or with none) the team's first coordinator."""
        for assignment in reversed(story.assignments):
            if assignment.started_on <= on and (assignment.ended_on is None or assignment.ended_on >= on):
                return assignment.coordinator
        return self.staff_of[story.team.pk][0]

    def _contact(
        self,
        story: Story,
        contacted_on: datetime.date,
        *,
        urgent: bool = False,
        incoming: bool = False,
    ) -> Contact:
        rng = self.rng
        group = self._group(story.client, contacted_on)
        choices = URGENT_REASONS[group] if urgent else CONTACT_REASONS[group]
        if incoming:  # from another organisation
            choices = [
                choice for choice in choices if choice[0] not in (ContactSource.CLIENT, ContactSource.RELATIVE)
            ] or CONTACT_REASONS[group][-1:]
        source, who, reason = rng.choice(choices)
        channel = Channel.REFERRAL if incoming else rng.choice(CHANNELS[ContactSource(source)])
        contact: Contact = ContactFactory.build(
            client=story.client,
            contacted_on=contacted_on,
            channel=channel,
            source=source,
            source_name=who.format(name=rng.choice(FIRST_NAMES)),
            reason=reason,
            urgent=urgent,
            recorded_by=self._recorder(story, contacted_on),
        )
        return contact

    def _assessment_started(self, contact: Contact, period_end: datetime.date | None) -> None:
        """Most assessments start by the deadline, some late; a closure cancels those not started."""
        rng = self.rng
        due, contacted = contact.assessment_due_on, contact.contacted_on
        if rng.random() < 0.85:
            started = contacted + datetime.timedelta(days=rng.randint(0, (due - contacted).days))
        else:
            started = due + datetime.timedelta(days=rng.randint(1, 15))
        if period_end is not None and started > period_end:
            contact.cancelled_on = period_end
        else:
            contact.assessment_started_on = min(started, self.today)

    def _pending_day(self, story: Story, kind: str) -> datetime.date | None:
        """A recent working day on which a contact gives a deadline of the kind wanted."""
        today = self.today
        candidates = []
        for back in range(45):
            day = today - datetime.timedelta(days=back)
            if day < story.client.relationship_started_on:
                break
            if not is_working_day(day):
                continue
            _rule, due = assessment_deadline(client=story.client, contacted_on=day, urgent=kind == "urgent")
            wanted = {
                "overdue": today - datetime.timedelta(days=20) <= due < today,
                "due_soon": today <= due <= today + datetime.timedelta(days=5),
                "later": due > today + datetime.timedelta(days=5),
                "urgent": back <= 3,
            }[kind]
            if wanted:
                candidates.append(day)
        return self.rng.choice(candidates) if candidates else None

    def _contacts(self, story: Story, contacts: list[Contact], referrals: list[Referral]) -> None:
        """The contact that opened each period (a reopened one always has one), a few later ones,
        and perhaps one whose assessment has not started yet."""
        rng, today = self.rng, self.today
        if not story.pending and story.kind != "reopened" and rng.random() >= CONTACT_SHARE:
            return
        for period in story.periods:
            end = period.closed_on or today - datetime.timedelta(days=30)
            days = [period.opened_on]
            extra = rng.choices([0, 1, 2], weights=[5, 3, 1])[0]
            if (end - period.opened_on).days > 60:
                days += sorted(
                    self._day_between(period.opened_on + datetime.timedelta(days=30), end) for _ in range(extra)
                )
            for number, day in enumerate(days):
                incoming = number == 0 and rng.random() < INCOMING_REFERRAL_SHARE
                contact = self._contact(story, day, urgent=rng.random() < URGENT_SHARE, incoming=incoming)
                self._assessment_started(contact, period.closed_on)
                contacts.append(contact)
                if incoming:
                    referrals.append(self._incoming_referral(contact))
            if period.closed_on is not None and (period.closure_reason in CLOSED_WHILE_PENDING or rng.random() < 0.2):
                # A last contact shortly before the closure, its assessment never started:
                # closing stopped the clock (``services.close_client`` cancels it).
                last_on = max(period.opened_on, period.closed_on - datetime.timedelta(days=rng.randint(1, 20)))
                contact = self._contact(story, last_on)
                contact.cancelled_on = period.closed_on
                contacts.append(contact)
        if story.pending:
            pending_on = self._pending_day(story, story.pending)
            if pending_on is not None:
                incoming = story.pending != "urgent" and rng.random() < PENDING_INCOMING_SHARE
                contact = self._contact(story, pending_on, urgent=story.pending == "urgent", incoming=incoming)
                contacts.append(contact)
                if incoming:
                    referrals.append(self._incoming_referral(contact))

    def _incoming_referral(self, contact: Contact) -> Referral:
        """As ``services.receive_referral`` records it, moved on later if it is old."""
        age = (self.today - contact.contacted_on).days
        status = ReferralStatus.RECEIVED
        if age > 60:
            status = self.rng.choice([ReferralStatus.ANSWERED, ReferralStatus.CLOSED, ReferralStatus.CLOSED])
        referral: Referral = ReferralFactory.build(
            client=contact.client,
            direction=Referral.Direction.INCOMING,
            counterpart=contact.source_name,
            reason=contact.reason,
            status=status,
            sent_on=contact.contacted_on,
            follow_up_on=None,
            contact=contact,
            created_by=contact.recorded_by,
        )
        return referral

    def _referrals(self, story: Story, referrals: list[Referral]) -> None:
        """Outgoing referrals, made by the named worker of the day and followed up; the older,
        the further along (sent → received → answered → closed)."""
        rng, today = self.rng, self.today
        made = [a for a in story.assignments if (a.ended_on or today) > a.started_on]
        if not made:
            return
        count = rng.choices([1, 2, 3], weights=[5, 3, 1])[0] if rng.random() < REFERRAL_SHARE else 0
        for _ in range(count):
            assignment = rng.choice(made)
            sent_on = self._day_between(assignment.started_on, assignment.ended_on or today)
            referrals.append(self._referral(story, assignment.coordinator, sent_on))
        if story.overdue_referral and story.current is not None:
            sent_on = today - datetime.timedelta(days=rng.randint(20, 45))
            if sent_on >= story.current.started_on:
                referral = self._referral(story, story.current.coordinator, sent_on)
                referral.status = rng.choice([ReferralStatus.SENT, ReferralStatus.RECEIVED])
                referral.follow_up_on = sent_on + datetime.timedelta(days=14)
                referrals.append(referral)

    def _referral(self, story: Story, by: User, sent_on: datetime.date) -> Referral:
        rng, today, client = self.rng, self.today, story.client
        status, follow_up = referral_progress(
            rng,
            today,
            sent_on,
            closed_by_then=client.is_closed and sent_on <= (client.closed_on or today),
            open_now=not client.is_closed,
        )
        code, reason = rng.choice(REFERRALS[self._group(story.client, sent_on)])
        key = f"{client.pk}:{sent_on}:{code}:{by.pk}"
        bounce = bounce_of(partner=code, status=status, sent=sent_on, today=today, key=key)
        answered = answered_on(partner=code, status=status, sent=sent_on, today=today, key=key)
        if bounce is not None:
            answered = bounce.on if bounce.kind == BounceKind.REFUSED else None
        referral: Referral = ReferralFactory.build(
            client=story.client,
            partner=self.partners[code],
            counterpart="",
            reason=reason,
            status=status,
            sent_on=sent_on,
            answered_on=answered,
            follow_up_on=None if rng.random() < 0.1 else follow_up,
            created_by=by,
        )
        if bounce is not None:
            self.bounces.append((referral, bounce))
        return referral

    def _demo_bounce(self, stories: list[Story]) -> None:
        """In the demo coordinator's caseload, the bounce the field knows best: employment
        services send a working-age client on to Kela's vocational rehabilitation. Made through
        the services, as a coordinator would record it."""
        today = self.today
        mine = [
            story
            for story in stories
            if story.current is not None and story.current.coordinator == self.demo and not story.client.is_closed
        ]
        working_age = [s for s in mine if self._group(s.client, today) == Group.WORKING_AGE] or mine
        if not working_age:
            return
        story = min(working_age, key=lambda s: s.client.pk)
        assert story.current is not None
        sent_on = max(today - datetime.timedelta(days=45), story.current.started_on)
        referral = client_services.create_referral(
            client=story.client,
            by=self.demo,
            ground=Ground.DESIGNATED_COORDINATOR,
            partner=self.partners["employment_work_ability"],
            reason="Työkykyä tukeva palvelu ja työkokeilu; työkyvyn arviointi on kesken.",
            sent_on=sent_on,
            follow_up_on=sent_on + datetime.timedelta(days=14),
        )
        client_services.record_referral_bounce(
            referral=referral,
            by=self.demo,
            ground=Ground.DESIGNATED_COORDINATOR,
            kind=BounceKind.REDIRECTED,
            bounced_on=min(sent_on + datetime.timedelta(days=15), today),
            note="Työllisyyspalvelujen mukaan ensin Kelan ammatillinen kuntoutus: kuntoutustarveselvitys.",
            partner=self.partners["kela_rehabilitation"],
            follow_up_on=today + datetime.timedelta(days=10),
        )

    def _bounces(self) -> None:
        """The bounces drawn with the referrals (written now that the referrals have ids), each
        redirection with the referral it made."""
        today = self.today
        made: list[tuple[Referral, Bounce, Referral | None]] = []
        for referral, bounce in self.bounces:
            new = None
            if bounce.redirect_to:
                client = referral.client
                status, follow_up, answered = redirected_progress(
                    today=today,
                    bounce=bounce,
                    closed_by_then=client.is_closed,
                    open_now=not client.is_closed,
                    key=f"{referral.pk}",
                )
                new = ReferralFactory.build(
                    client=client,
                    partner=self.partners[bounce.redirect_to],
                    counterpart="",
                    reason=referral.reason,
                    status=status,
                    sent_on=bounce.on,
                    answered_on=answered,
                    follow_up_on=follow_up,
                    created_by=referral.created_by,
                )
            made.append((referral, bounce, new))
        Referral.objects.bulk_create([new for _referral, _bounce, new in made if new is not None])
        ReferralBounce.objects.bulk_create(
            ReferralBounce(
                referral=referral,
                kind=bounce.kind,
                bounced_on=bounce.on,
                note=bounce.note,
                redirected_to=new,
                recorded_by=referral.created_by,
            )
            for referral, bounce, new in made
        )

    def _substitutions(self, staff: list[User]) -> None:
        """A current substitution and a coming one, each within one team, arranged by its lead."""
        by_name = {user.username: user for user in staff}
        plans = [
            ("coordinator4", "coordinator2", -4, 9, "Vuosiloma"),
            ("coordinator5", "coordinator", 16, 30, "Koulutus ja lomat"),
        ]
        for absent, substitute, starts, ends, reason in plans:
            if absent not in by_name or substitute not in by_name:
                continue
            team = self.team_of[by_name[absent].pk]
            assert self.team_of[by_name[substitute].pk] == team, "a substitute is from the same team"
            SubstitutionFactory(
                absent=by_name[absent],
                substitute=by_name[substitute],
                starts_on=self.today + datetime.timedelta(days=starts),
                ends_on=self.today + datetime.timedelta(days=ends),
                reason=reason,
                created_by=self.lead_of[team.pk],
            )

    def _networks(self, stories: list[Story], nurse: User, password: Any) -> None:
        """The client's own people with consents, care teams and network meetings: the nurse
        ``member`` works with a dozen clients of the first team, a physiotherapist with a few."""
        rng = self.rng
        physio = TeamMemberFactory(
            username="physio", first_name="Olli", last_name="Heikkinen", profession="physiotherapist", password=password
        )
        open_stories = [story for story in stories if not story.client.is_closed]
        members: list[NetworkMember] = []
        for story in open_stories:
            for _ in range(rng.choice([0, 1, 1, 2])):
                relationship = rng.choice([Relationship.CHILD, Relationship.SPOUSE, Relationship.NEIGHBOUR])
                members.append(
                    NetworkMember(
                        client=story.client,
                        name=f"{rng.choice(NETWORK_FIRST_NAMES)} {story.client.last_name}",
                        relationship=relationship,
                        phone=f"040 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                        helps_with=rng.choice(NETWORK_HELP),
                        available=rng.choice(["Iltaisin", "Viikonloppuisin", "Arkipäivisin"]),
                    )
                )
        NetworkMember.objects.bulk_create(members)
        consents = [
            Consent(
                client=member.client,
                network_member=member,
                sections=[Section.BASIC, Section.MEETINGS],
                purpose="Verkostopalaverit ja yhteydenpito",
                given_on=self.today - datetime.timedelta(days=rng.randint(30, 400)),
                valid_until=self.today + datetime.timedelta(days=rng.randint(-20, 365)),
                recorded_by=self.demo,
            )
            for member in members
            if rng.random() < 0.7
        ]
        Consent.objects.bulk_create(consents)
        first_team = [story for story in open_stories if story.team == self.team_of[self.demo.pk] and story.assignments]
        care: list[CareTeamMember] = []
        for story in first_team[:12]:
            care.append(self._care(story, nurse, "Kotihoidon sairaanhoitaja", "Lääkehoito ja voinnin seuranta"))
        for story in first_team[12:16]:
            care.append(self._care(story, physio, "Fysioterapeutti", "Liikkumisen tuki ja apuvälineet"))
        CareTeamMember.objects.bulk_create(care)
        consented = {consent.network_member_id: consent for consent in consents if consent.valid_until >= self.today}
        for index, story in enumerate(first_team[:20]):
            coordinator = story.assignments[-1].coordinator
            upcoming = index % 3 == 0
            start = (
                self.now + datetime.timedelta(days=rng.randint(1, 13))
                if upcoming
                else self.now - datetime.timedelta(days=rng.randint(5, 200))
            )
            start = start.replace(hour=rng.choice([9, 10, 13, 14]), minute=0, second=0, microsecond=0)
            meeting = NetworkMeeting.objects.create(
                client=story.client,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
                place=rng.choice(["Asiakkaan koti", "Palvelukeskus", "Terveysasema"]),
                agenda="Arjen sujuminen ja palvelujen riittävyys",
                status=NetworkMeeting.Status.PLANNED if upcoming else NetworkMeeting.Status.HELD,
                notes="" if upcoming else "Käytiin läpi arjen sujuminen ja sovittiin jatkosta.",
                client_view="" if upcoming else rng.choice(MEETING_CLIENT_VIEWS),
                organiser=coordinator,
            )
            meeting.professionals.set([coordinator, *[c.professional for c in care if c.client == story.client]])
            invited = [m for m in members if m.client == story.client and m.pk in consented]
            meeting.network_members.set(invited)
            if not upcoming:
                decisions = [
                    Decision(
                        meeting=meeting,
                        text="Selvitetään kotihoidon iltakäynnit",
                        responsible_professional=coordinator,
                        due_on=start.date() + datetime.timedelta(days=14),
                        done_on=start.date() + datetime.timedelta(days=10) if rng.random() < 0.6 else None,
                    ),
                    Decision(meeting=meeting, text="Kokeilee turvaranneketta", responsible_client=True),
                ]
                decisions += [
                    Decision(meeting=meeting, text="Hoitaa kauppa-asiat torstaisin", responsible_member=member)
                    for member in invited[:1]
                ]
                Decision.objects.bulk_create(decisions)

    def _work_ability(self, stories: list[Story], nurse: User, team: Team) -> dict[int, int]:
        """A work-ability team for two working-age clients of the demo coordinator: the employment
        specialist ``employment`` (and the nurse) on their care team, the domain of work and
        studies in their latest assessment with the specialist's own conclusion. Returns the
        clients' ids with the specialist's, for their plans' goal of work and training. Draws
        nothing from the random generator, so the rest of the seed stays as it was."""
        specialist = User.objects.create(
            username="employment",
            first_name="Jenni",
            last_name="Salo",
            email="employment@example.fi",
            role=Role.TEAM_MEMBER,
            profession=Profession.EMPLOYMENT_SPECIALIST,
            password=nurse.password,
        )
        TeamMembershipFactory(team=team, user=specialist, started_on=datetime.date(2021, 1, 1))
        assessed = set(Assessment.objects.values_list("client_id", flat=True))
        chosen = [
            story
            for story in sorted(stories, key=lambda s: (s.client.last_name, s.client.pk))
            if story.current is not None
            and story.current.coordinator == self.demo
            and story.client.closed_on is None
            and story.client.pk in assessed
            and WORKING_AGE[0] <= story.client.age_on(self.today) < WORKING_AGE[1]
        ][:2]
        on_team = set(CareTeamMember.objects.filter(professional=nurse).values_list("client_id", flat=True))
        care = [
            self._care(story, specialist, "Työllisyysasiantuntija", "Työ- ja koulutusvaihtoehdot") for story in chosen
        ]
        care += [
            self._care(story, nurse, "Työkykytiimin sairaanhoitaja", "Terveydentila ja työkyky")
            for story in chosen
            if story.client.pk not in on_team
        ]
        CareTeamMember.objects.bulk_create(care)
        done = seed_work_ability(clients=[story.client for story in chosen], specialist=specialist)
        return {client.pk: specialist.pk for client in done}

    def _care(self, story: Story, professional: User, role: str, responsibility: str) -> CareTeamMember:
        return CareTeamMember(
            client=story.client,
            professional=professional,
            role=role,
            responsibility=responsibility,
            started_on=max(story.client.relationship_started_on, self.today - datetime.timedelta(days=300)),
            added_by=story.assignments[-1].coordinator,
        )


WORKING_AGE = (ADULT_AGE, PENSION_AGE)
NETWORK_FIRST_NAMES = ["Liisa", "Matti", "Anneli", "Jari", "Pirjo", "Timo", "Sanna", "Kari", "Outi", "Ville"]
NETWORK_HELP = [
    "Kauppa-asiat ja asiointi",
    "Kuljetukset lääkäriin",
    "Lääkkeiden jako viikoittain",
    "Seurana iltaisin",
    "Raha-asioiden hoito",
]
MEETING_CLIENT_VIEWS = [
    "Haluan asua kotona niin kauan kuin pystyn.",
    "Iltaisin on yksinäistä, toivoisin seuraa.",
    "Pärjään aamuisin, mutta suihkussa tarvitsen apua.",
]
