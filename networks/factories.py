import datetime

import factory
from factory.django import DjangoModelFactory

from caseflow.accounts.factories import UserFactory

from .models import Team, TeamMembership


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Tiimi {n}")
    municipality = factory.Faker("city", locale="fi_FI")


class TeamMembershipFactory(DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    kind = TeamMembership.Kind.MEMBER
    started_on = datetime.date(2020, 1, 1)
