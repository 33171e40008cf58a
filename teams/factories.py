import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.factories import CoordinatorFactory, UserFactory
from teams.models import Substitution, Team, TeamMembership


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


class SubstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Substitution

    absent = factory.SubFactory(CoordinatorFactory)
    substitute = factory.SubFactory(CoordinatorFactory)
    starts_on = factory.LazyFunction(datetime.date.today)
    ends_on = factory.LazyAttribute(lambda s: s.starts_on + datetime.timedelta(days=13))
    reason = "Vuosiloma"
    created_by = factory.SelfAttribute("absent")
