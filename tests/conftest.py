import copy
import datetime
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from pytest_django import DjangoDbBlocker
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from access.models import AccessEvent, Section
from access.policy import Ground
from accounts.factories import (
    AdministratorFactory,
    CoordinatorFactory,
    DataProtectionFactory,
    TeamLeadFactory,
    TeamMemberFactory,
    UserFactory,
)
from accounts.models import Role, User
from assessments import configuration as assessment_configuration
from assessments import services as assessment_services
from assessments.models import LifeDomain, ScaleLevel
from budgets import configuration as budget_configuration
from budgets import services as budget_services
from budgets.models import BudgetLine, BudgetRules, Provider, ServiceType
from care_plans import services as plan_services
from clients import configuration as client_configuration
from clients import services
from clients.factories import AssignmentFactory, ClientFactory, RelationshipPeriodFactory
from clients.identity_code import make_identity_code
from clients.models import Client, ClosureReason, ReferralPartner
from networks import services as network_services
from networks.models import Relationship
from portal.models import Basis, PortalAccount, Representative
from reminders.models import Kind, Reminder
from teams import services as team_services
from teams.factories import TeamFactory, TeamMembershipFactory
from teams.models import Substitution, Team, TeamMembership


def ensure_configuration() -> None:
    """Transactional tests (the browser's) flush every table, and with them the rows a
    migration installed: put the assessment, budget and referral partner configuration back
    where it is gone."""
    if not LifeDomain.objects.exists():
        assessment_configuration.install(LifeDomain, ScaleLevel)
        LifeDomain.objects.filter(code__in=assessment_configuration.CHILDREN_ONLY).update(ages=LifeDomain.Ages.CHILDREN)
        assessment_configuration.install_work_ability(LifeDomain, ScaleLevel)
    if not ServiceType.objects.exists():
        budget_configuration.install(ServiceType, Provider, BudgetRules, LifeDomain)
    if not ReferralPartner.objects.exists():
        client_configuration.install(ReferralPartner)


class World:
    """Two teams, each with a lead and coordinators with clients; a team member; an admin.
    ``coordinator`` and ``lead`` are in team A; ``other_coordinator`` and ``other_lead`` in B."""

    # The world being built in the running test, for rows of data that name its people.
    current: "World"

    def __init__(self) -> None:
        World.current = self
        ensure_configuration()
        self.team_a = TeamFactory(name="Tiimi A")
        self.team_b = TeamFactory(name="Tiimi B")
        self.coordinator = CoordinatorFactory(username="coordinator")
        self.colleague = CoordinatorFactory(username="colleague")
        self.other_coordinator = CoordinatorFactory(username="other-coordinator")
        self.lead = TeamLeadFactory(username="lead")
        self.other_lead = TeamLeadFactory(username="other-lead")
        self.member = TeamMemberFactory(username="member")
        # Stands in for ``coordinator`` today; ``past_substitute`` did until yesterday.
        self.substitute = CoordinatorFactory(username="substitute")
        self.past_substitute = CoordinatorFactory(username="past-substitute")
        self.admin = AdministratorFactory(username="admin")
        # Reads the access log; sees no client record.
        self.data_protection = DataProtectionFactory(username="data-protection")
        # Every date is counted back from today, so that no test ages (quality.md): the teams
        # have existed for years, the clients' relationships began 600 days ago.
        today = timezone.localdate()
        self.team_since = start = today - datetime.timedelta(days=1000)
        self.relationships_since = today - datetime.timedelta(days=600)
        for user in (self.coordinator, self.colleague, self.member, self.substitute, self.past_substitute):
            TeamMembershipFactory(team=self.team_a, user=user, started_on=start)
        TeamMembershipFactory(team=self.team_b, user=self.other_coordinator, started_on=start)
        TeamMembershipFactory(team=self.team_a, user=self.lead, kind=TeamMembership.Kind.LEAD, started_on=start)
        TeamMembershipFactory(team=self.team_b, user=self.other_lead, kind=TeamMembership.Kind.LEAD, started_on=start)
        self.own_client = self.give(self.coordinator)
        self.colleague_client = self.give(self.colleague)
        self.other_client = self.give(self.other_coordinator)
        self.closed_client = self.give(self.coordinator)
        services.close_client(
            client=self.closed_client,
            by=self.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            closed_on=today - datetime.timedelta(days=150),
            reason=ClosureReason.GOALS_MET,
            summary="Tavoitteet saavutettu.",
            reached="Kotihoito käynnistyi.",
            client_view="helped",
        )
        self.own_referral = services.create_referral(
            client=self.own_client,
            by=self.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            counterpart="Kela",
            reason="Hoitotuen hakeminen",
            sent_on=today - datetime.timedelta(days=87),
            follow_up_on=today - datetime.timedelta(days=57),
        )
        team_services.create_substitution(
            absent=self.coordinator,
            substitute=self.substitute,
            starts_on=today - datetime.timedelta(days=7),
            ends_on=today,
            by=self.lead,
        )
        # One that ended yesterday: history now, which the service would no longer arrange.
        Substitution.objects.create(
            absent=self.coordinator,
            substitute=self.past_substitute,
            starts_on=today - datetime.timedelta(days=7),
            ends_on=today - datetime.timedelta(days=1),
            created_by=self.lead,
        )
        # The nurse works with own_client; the client's daughter may see meetings.
        self.care_team_role = network_services.add_to_care_team(
            client=self.own_client,
            professional=self.member,
            role="Kotihoidon sairaanhoitaja",
            started_on=self.relationships_since,
            by=self.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
        )
        self.relative = network_services.add_network_member(
            client=self.own_client,
            by=self.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            fields={"name": "Liisa Virtanen", "relationship": Relationship.CHILD, "helps_with": "Kauppa-asiat"},
        )
        self.relative_consent = network_services.give_consent(
            client=self.own_client,
            by=self.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            network_member=self.relative,
            sections=[Section.BASIC, Section.MEETINGS],
            purpose="Verkostopalaverit",
            given_on=self.relationships_since,
            valid_until=today + datetime.timedelta(days=365),
        )
        now = timezone.now()
        self.meeting = network_services.plan_meeting(
            client=self.own_client,
            by=self.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            starts_at=now - datetime.timedelta(hours=1),
            ends_at=now,
            place="Asiakkaan koti",
            professionals=[self.coordinator, self.member],
            network_members=[self.relative],
        )
        self.assessment = assessment_services.start_assessment(
            client=self.own_client, by=self.coordinator, ground=Ground.DESIGNATED_COORDINATOR
        )
        assessment_services.set_need(
            assessment=self.assessment,
            domain=LifeDomain.objects.get(code="daily_living"),
            by=self.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            level=2,
            client_text="Aamut ovat vaikeita.",
            slots=[{"weekday": 0, "time_of_day": "morning", "coverage": "network", "network_member": self.relative.pk}],
        )
        # own_client's care plan: version 1 published with a ready PDF, version 2 the draft.
        draft = plan_services.start_plan(
            client=self.own_client, by=self.coordinator, ground=Ground.DESIGNATED_COORDINATOR
        )
        draft = plan_services.save_draft(
            version=draft,
            by=self.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            revision=draft.revision,
            content={"client_wishes": "Haluan asua kotona.", "backup_plan": "Tytär Liisa tulee, jos apu ei tule."},
        )
        self.plan_published = draft
        self.plan_draft = plan_services.publish_version(
            version=draft, by=self.coordinator, ground=Ground.DESIGNATED_COORDINATOR, revision=draft.revision
        )
        plan_services.store_pdf(version_pk=draft.pk, content=b"%PDF-1.7 test")
        # own_client's personal budget: accepted, running since a month ago, with a home-help line
        # of 1 000 € at the provider the client chose (as a calculation would leave it).
        self.budget = budget_services.offer_budget(
            client=self.own_client,
            by=self.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
            period_start=today - datetime.timedelta(days=30),
            offered_on=today - datetime.timedelta(days=40),
        )
        budget_services.decide_budget(
            budget=self.budget, accepted=True, by=self.coordinator, ground=Ground.DESIGNATED_COORDINATOR
        )
        self.budget_provider = Provider.objects.get(business_id="2345678-1")
        self.budget_line = BudgetLine.objects.create(
            budget=self.budget,
            service_type=ServiceType.objects.get(code="home_help"),
            provider=self.budget_provider,
            allocated=Decimal("1000.00"),
        )
        # own_client uses the portal (portal/); ``representative`` acts for them by a mandate.
        self.citizen = UserFactory(username="citizen", role=Role.CLIENT, profession="")
        PortalAccount.objects.create(client=self.own_client, user=self.citizen, enabled=True)
        self.representative = UserFactory(username="representative", role=Role.CLIENT, profession="")
        Representative.objects.create(
            client=self.own_client,
            user=self.representative,
            name=self.representative.get_full_name(),
            identity_code=make_identity_code(today - datetime.timedelta(days=50 * 365), 935),
            basis=Basis.MANDATE,
            starts_on=self.relationships_since,
            recorded_by=self.coordinator,
        )
        self.last_event_pk = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # A reminder in the coordinator's inbox (caseflow/reminders), about own_client's referral.
        self.reminder = Reminder.objects.create(
            kind=Kind.REFERRAL_FOLLOW_UP,
            subject_type="clients.referral",
            subject_id=self.own_referral.pk,
            client=self.own_client,
            recipient=self.coordinator,
            due_on=today - datetime.timedelta(days=57),
        )

    def team_of(self, coordinator: User) -> Team | None:
        membership = coordinator.team_memberships.filter(kind=TeamMembership.Kind.MEMBER).first()
        return membership.team if membership else None

    def give(self, coordinator: User, count: int = 1) -> Client:
        client = None
        for _ in range(count):
            client = ClientFactory(relationship_started_on=self.relationships_since, team=self.team_of(coordinator))
            RelationshipPeriodFactory(client=client)
            AssignmentFactory(client=client, coordinator=coordinator, started_on=self.relationships_since)
        assert client is not None
        return client


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "today(day): run the test with today pinned to this date (see pinned_today)")


@pytest.fixture(autouse=True)
def pinned_today(request: pytest.FixtureRequest) -> Iterator[None]:
    """Runs a test marked ``@pytest.mark.today(day)`` (its class's, its module's) with the clock
    at noon of ``day`` in Helsinki, going on from there: for a test that needs its place in the
    calendar, a weekend or a holiday. Other tests count their dates from today. Only Python's
    clock is set: PostgreSQL's ``now()`` is not, and no comparison with today may rest on it."""
    marker = request.node.get_closest_marker("today")
    if marker is None:
        yield
        return
    noon = datetime.datetime.combine(marker.args[0], datetime.time(12), tzinfo=ZoneInfo("Europe/Helsinki"))
    with time_machine.travel(noon):
        yield


class SharedWorld:
    """The world is built once and kept in a transaction that stays open across the tests that
    use it; each test runs in a savepoint inside it (pytest-django's ``db``), so its writes roll
    back to the world, and gets its own deep copy of the world's objects (as Django's
    ``setUpTestData`` does). Built per test, the world took most of the suite's time (35 minutes
    on two cores; under 10 so).

    The transaction is rolled back before any other database test, whose data must not include
    the world, and the world is built again when today's date changes (a test pinned to a day)."""

    atomic: transaction.Atomic | None = None
    built_for: datetime.date | None = None
    pristine: World | None = None

    @classmethod
    def open(cls) -> None:
        cls.atomic = transaction.atomic()
        cls.atomic.__enter__()
        # Lets a test's own ``atomic(durable=True)`` open inside it, as inside TestCase's.
        cls.atomic._from_testcase = True  # type: ignore[attr-defined]  # Django's own flag, untyped
        cls.built_for = timezone.localdate()
        cls.pristine = World()

    @classmethod
    def close(cls) -> None:
        if cls.atomic is not None:
            transaction.set_rollback(True)
            cls.atomic.__exit__(None, None, None)
        cls.atomic = cls.pristine = cls.built_for = None


def _uses_shared_world(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    names = set(getattr(item, "fixturenames", ()))
    return "world" in names and not transactional and not {"transactional_db", "live_server"} & names


def _uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or "_django_db_helper" in getattr(item, "fixturenames", ())


def _today_of(item: pytest.Item) -> datetime.date:
    marker = item.get_closest_marker("today")
    return marker.args[0] if marker else timezone.localdate()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture of the test: the shared world goes unless this test uses it, as built
    for its day (pytest-django opens a marked test's transaction in a fixture of its own, which
    must not land inside the world)."""
    if SharedWorld.atomic is None or not _uses_database(item):
        return
    if _uses_shared_world(item) and SharedWorld.built_for == _today_of(item):
        return
    with item.config.stash[blocking_manager_key].unblock():
        SharedWorld.close()


@pytest.fixture(autouse=True)
def _shared_world(request: pytest.FixtureRequest, django_db_blocker: DjangoDbBlocker, pinned_today: None) -> None:
    """Builds the shared world for a test that asks for ``world``, before the test's own
    transaction opens (after ``pinned_today``, so for the test's today). A test whose module is
    marked ``django_db`` has its transaction open already: it builds its own world, as before."""
    if SharedWorld.atomic is not None or not _uses_shared_world(request.node):
        return
    request.getfixturevalue("_shared_world_session")
    with django_db_blocker.unblock():
        if not connection.in_atomic_block:
            SharedWorld.open()


@pytest.fixture(scope="session")
def _shared_world_session(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Rolls the shared world back at the end, before the test database goes."""
    yield
    with django_db_blocker.unblock():
        SharedWorld.close()


@pytest.fixture
def world(db: None) -> World:
    if SharedWorld.pristine is None:
        return World()
    # The world's people keep their ids from test to test: what a test counted for them in the
    # cache (the identity lookups' allowance) goes with the test.
    cache.clear()
    World.current = copy.deepcopy(SharedWorld.pristine)
    return World.current


@pytest.fixture
def api() -> APIClient:
    return APIClient()
