"""Realistic, reproducible demo data: Finnish names and municipalities, teams, coordinators,
clients and their history of designated coordinators. The same factories serve the tests."""

import datetime
import random
from typing import Any

import factory.random
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from caseflow.accounts.factories import (
    AdministratorFactory,
    CoordinatorFactory,
    TeamLeadFactory,
    TeamMemberFactory,
)
from caseflow.accounts.models import User
from clients.factories import ClientFactory
from clients.models import Assignment, Client, RelationshipPeriod
from networks.factories import TeamFactory, TeamMembershipFactory
from networks.models import Team, TeamMembership

SEED = 20261123
SIZES = {"small": {"clients": 200, "coordinators": 10, "teams": 2}}
HANDOVER_REASONS = ["Työntekijän vaihto", "Työntekijä jäi eläkkeelle", "Alueen muutos", "Asiakkaan toive"]


class Command(BaseCommand):
    help = "Fill an empty database with realistic demo data (fixed random seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="small")

    def handle(self, *args: Any, size: str, **options: Any) -> None:
        if not settings.DEMO_USERS_ALLOWED:
            raise CommandError("The seed creates well-known demo logins and is refused with these settings.")
        if Client.objects.exists():
            self.stdout.write("The database already has clients; nothing seeded.")
            return
        figures = SIZES[size]
        factory.random.reseed_random(SEED)
        rng = random.Random(SEED)
        with transaction.atomic():
            self._seed(rng, **figures)
        self.stdout.write(self.style.SUCCESS(f"Seeded {figures['clients']} clients."))

    def _seed(self, rng: random.Random, *, clients: int, coordinators: int, teams: int) -> None:
        today = datetime.date.today()
        team_objects = [TeamFactory(name=name) for name in ["Palveluohjaus Etelä", "Palveluohjaus Pohjoinen"][:teams]]
        staff: list[User] = [
            CoordinatorFactory(username="coordinator", first_name="Aino", last_name="Virtanen"),
            CoordinatorFactory(username="coordinator2", first_name="Mikko", last_name="Korhonen"),
        ]
        staff += [CoordinatorFactory(username=f"coordinator{i}") for i in range(3, coordinators + 1)]
        leads = [
            TeamLeadFactory(username="lead", first_name="Leena", last_name="Mäkinen"),
            TeamLeadFactory(username="lead2", first_name="Juha", last_name="Nieminen"),
        ]
        member = TeamMemberFactory(username="member", first_name="Sari", last_name="Lahtinen", profession="nurse")
        AdministratorFactory(username="admin", first_name="Pekka", last_name="Ylläpitäjä")
        started = datetime.date(2021, 1, 1)
        self.team_of: dict[int, Team] = {}
        for index, coordinator in enumerate(staff):
            self.team_of[coordinator.pk] = team_objects[index % teams]
            TeamMembershipFactory(team=self.team_of[coordinator.pk], user=coordinator, started_on=started)
        for team, lead in zip(team_objects, leads, strict=False):
            TeamMembershipFactory(team=team, user=lead, kind=TeamMembership.Kind.LEAD, started_on=started)
        TeamMembershipFactory(team=team_objects[0], user=member, started_on=started)

        for _ in tqdm(range(clients), desc="clients", disable=None):
            self._client_with_history(rng, staff, today)

    def _client_with_history(self, rng: random.Random, staff: list[User], today: datetime.date) -> None:
        """A client with one to three designated coordinators over time, the last of them
        current, all from one team."""
        periods = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        start = today - datetime.timedelta(days=rng.randint(30, 2000))
        first = rng.choice(staff)
        team = self.team_of[first.pk]
        colleagues = [user for user in staff if self.team_of[user.pk] == team and user != first]
        coordinators = [first, *rng.sample(colleagues, periods - 1)]
        client = ClientFactory(rng=rng, relationship_started_on=start, team=team)
        RelationshipPeriod.objects.create(client=client, opened_on=start)
        for number, coordinator in enumerate(coordinators):
            last = number == periods - 1
            end = None if last else start + datetime.timedelta(days=rng.randint(60, 500))
            if end is not None and end >= today:
                end = today - datetime.timedelta(days=1)
            reason = "Uusi asiakas" if number == 0 else rng.choice(HANDOVER_REASONS)
            Assignment.objects.create(
                client=client, coordinator=coordinator, started_on=start, ended_on=end, reason=reason
            )
            if end is not None:
                start = end
