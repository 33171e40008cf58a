import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from accounts.factories import CoordinatorFactory, TeamLeadFactory
from accounts.models import User
from clients.factories import AssignmentFactory, ClientFactory, RelationshipPeriodFactory
from clients.models import Client
from teams.factories import TeamFactory, TeamMembershipFactory
from teams.models import Team, TeamMembership


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@dataclass
class Desk:
    """A team with its lead and a coordinator, and a way to give the coordinator clients."""

    team: Team
    lead: User
    coordinator: User

    def client(self, *, with_worker: bool = True, **fields: Any) -> Client:
        client = ClientFactory(relationship_started_on=days_ago(600), team=self.team, **fields)
        RelationshipPeriodFactory(client=client)
        if with_worker:
            AssignmentFactory(client=client, coordinator=self.coordinator, started_on=days_ago(600))
        return client


def make_desk(name: str = "Tiimi R") -> Desk:
    team = TeamFactory(name=name)
    lead = TeamLeadFactory(username=f"lead-{name}", language="sv")
    coordinator = CoordinatorFactory(username=f"coordinator-{name}", language="fi")
    TeamMembershipFactory(team=team, user=coordinator, started_on=days_ago(1000))
    TeamMembershipFactory(team=team, user=lead, kind=TeamMembership.Kind.LEAD, started_on=days_ago(1000))
    return Desk(team, lead, coordinator)


@pytest.fixture
def desk(db: None) -> Desk:
    return make_desk()
