import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.factories import CoordinatorFactory, TeamLeadFactory
from accounts.models import User
from clients.factories import AssignmentFactory, ClientFactory, RelationshipPeriodFactory
from clients.models import Client
from teams.factories import TeamFactory, TeamMembershipFactory
from teams.models import Team, TeamMembership

START = datetime.date(2024, 1, 1)


@dataclass
class Desk:
    """A team with its lead and a coordinator, and a way to give the coordinator clients."""

    team: Team
    lead: User
    coordinator: User

    def client(self, *, with_worker: bool = True, **fields: Any) -> Client:
        client = ClientFactory(relationship_started_on=datetime.date(2025, 3, 1), team=self.team, **fields)
        RelationshipPeriodFactory(client=client)
        if with_worker:
            AssignmentFactory(client=client, coordinator=self.coordinator, started_on=datetime.date(2025, 3, 1))
        return client


def make_desk(name: str = "Tiimi R") -> Desk:
    team = TeamFactory(name=name)
    lead = TeamLeadFactory(username=f"lead-{name}", language="sv")
    coordinator = CoordinatorFactory(username=f"coordinator-{name}", language="fi")
    TeamMembershipFactory(team=team, user=coordinator, started_on=START)
    TeamMembershipFactory(team=team, user=lead, kind=TeamMembership.Kind.LEAD, started_on=START)
    return Desk(team, lead, coordinator)


@pytest.fixture
def desk(db: None) -> Desk:
    return make_desk()
