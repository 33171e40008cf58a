import datetime
import random

import factory
from factory.django import DjangoModelFactory

from accounts.factories import CoordinatorFactory

from .identity_code import make_identity_code
from .models import Assignment, Channel, Client, Contact, ContactSource, Referral, ReferralStatus, RelationshipPeriod
from .services import assessment_deadline

FINNISH_MUNICIPALITIES = [
    "Helsinki",
    "Espoo",
    "Tampere",
    "Vantaa",
    "Oulu",
    "Turku",
    "Jyväskylä",
    "Kuopio",
    "Lahti",
    "Pori",
    "Kouvola",
    "Joensuu",
    "Lappeenranta",
    "Hämeenlinna",
    "Vaasa",
    "Seinäjoki",
    "Rovaniemi",
    "Mikkeli",
    "Kotka",
    "Salo",
    "Porvoo",
    "Kokkola",
    "Lohja",
    "Hyvinkää",
    "Nurmijärvi",
    "Järvenpää",
    "Rauma",
    "Kajaani",
    "Kerava",
    "Savonlinna",
    "Iisalmi",
    "Varkaus",
    "Kuusamo",
    "Sotkamo",
]


def _birth_date(rng: random.Random) -> datetime.date:
    # Coordination is mostly for older people, with working-age adults and children too.
    age = rng.choices([rng.randint(75, 98), rng.randint(18, 74), rng.randint(3, 17)], weights=[5, 4, 1])[0]
    return datetime.date.today() - datetime.timedelta(days=age * 365 + rng.randint(0, 364))


class ClientFactory(DjangoModelFactory):
    class Meta:
        model = Client

    class Params:
        rng = factory.LazyFunction(lambda: random.Random())

    first_name = factory.Faker("first_name", locale="fi_FI")
    last_name = factory.Faker("last_name", locale="fi_FI")
    date_of_birth = factory.LazyAttribute(lambda c: _birth_date(c.rng))
    # Individual numbers 900-999 are the artificial range, so a fake code never names a real person.
    identity_code = factory.LazyAttributeSequence(lambda c, n: make_identity_code(c.date_of_birth, 900 + n % 100))
    municipality = factory.LazyAttribute(lambda c: c.rng.choice(FINNISH_MUNICIPALITIES))
    preferred_language = factory.LazyAttribute(lambda c: c.rng.choices(["fi", "sv", "en"], weights=[88, 10, 2])[0])
    phone = factory.Faker("phone_number", locale="fi_FI")
    address = factory.Faker("street_address", locale="fi_FI")
    relationship_started_on = factory.LazyFunction(lambda: datetime.date(2024, 1, 1))


class RelationshipPeriodFactory(DjangoModelFactory):
    class Meta:
        model = RelationshipPeriod

    client = factory.SubFactory(ClientFactory)
    opened_on = factory.LazyAttribute(lambda p: p.client.relationship_started_on)


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    client = factory.SubFactory(ClientFactory)
    coordinator = factory.SubFactory(CoordinatorFactory)
    started_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=random.randint(0, 1500)))
    reason = "Uusi asiakas"


class ContactFactory(DjangoModelFactory):
    """A contact whose deadline rule and assessment start deadline are computed as the service
    computes them (``services.assessment_deadline``) from the client, the date and urgency."""

    class Meta:
        model = Contact

    class Params:
        deadline = factory.LazyAttribute(
            lambda c: assessment_deadline(client=c.client, contacted_on=c.contacted_on, urgent=c.urgent)
        )

    client = factory.SubFactory(ClientFactory)
    contacted_on = factory.LazyFunction(datetime.date.today)
    channel = Channel.PHONE
    source = ContactSource.CLIENT
    reason = "Asiakas pyytää palvelutarpeen arviointia."
    urgent = False
    deadline_rule = factory.LazyAttribute(lambda c: c.deadline[0])
    assessment_due_on = factory.LazyAttribute(lambda c: c.deadline[1])
    recorded_by = factory.SubFactory(CoordinatorFactory)


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = Referral

    client = factory.SubFactory(ClientFactory)
    direction = Referral.Direction.OUTGOING
    counterpart = "Kela"
    reason = "Eläkettä saavan hoitotuen hakeminen."
    status = ReferralStatus.SENT
    sent_on = factory.LazyFunction(datetime.date.today)
    follow_up_on = factory.LazyAttribute(lambda r: r.sent_on + datetime.timedelta(days=14))
    created_by = factory.SubFactory(CoordinatorFactory)
