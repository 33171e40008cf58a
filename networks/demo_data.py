"""The clients' own networks and network meetings of the medium and large data sets, by COPY:
about half of the open clients have one or two close people recorded, one in ten a network
meeting (most held, some coming) with the named worker taking part."""

import datetime
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from access.models import Section
from core.bulk import Loader

from .models import Consent, NetworkMeeting, NetworkMember, Relationship

if TYPE_CHECKING:
    from clients.demo_data import Person

MEMBER_SHARE = 0.5
MEETING_SHARE = 0.1
FIRST_NAMES = ["Liisa", "Matti", "Anneli", "Jari", "Pirjo", "Timo", "Sanna", "Kari", "Outi", "Ville"]
HELP = [
    "Kauppa-asiat ja asiointi",
    "Kuljetukset lääkäriin",
    "Lääkkeiden jako viikoittain",
    "Seurana iltaisin",
    "Raha-asioiden hoito",
]
CLIENT_VIEWS = [
    "Haluan asua kotona niin kauan kuin pystyn.",
    "Iltaisin on yksinäistä, toivoisin seuraa.",
    "Pärjään aamuisin, mutta suihkussa tarvitsen apua.",
]
MEMBER_COLUMNS = (
    "id",
    "name",
    "relationship",
    "organisation",
    "phone",
    "email",
    "helps_with",
    "available",
    "removed_on",
    "created_at",
    "client_id",
)
MEETING_COLUMNS = (
    "id",
    "starts_at",
    "ends_at",
    "place",
    "call_link",
    "agenda",
    "notes",
    "client_view",
    "status",
    "client_attends",
    "created_at",
    "client_id",
    "organiser_id",
)


def bulk_networks(
    loader: Loader, *, rng: random.Random, today: datetime.date, people: Sequence["Person"]
) -> dict[int, list[int]]:
    """Writes the network members and meetings; returns the members' ids by client id."""
    zone = timezone.get_current_timezone()
    members: list[tuple[Any, ...]] = []
    meetings: list[tuple[Any, ...]] = []
    taking_part: list[tuple[int, int, int]] = []
    by_client: dict[int, list[int]] = {}
    open_people = [p for p in people if p.closed_on is None]
    bar = loader.bar("networks and meetings", total=len(open_people))
    for person in open_people:
        if rng.random() < MEMBER_SHARE:
            for _ in range(rng.choice([1, 1, 2])):
                pk = loader.next_id(NetworkMember)
                by_client.setdefault(person.id, []).append(pk)
                members.append(
                    (
                        pk,
                        f"{rng.choice(FIRST_NAMES)} {rng.choice(['Virtanen', 'Korhonen', 'Mäkinen', 'Nieminen'])}",
                        rng.choice([Relationship.CHILD, Relationship.SPOUSE, Relationship.NEIGHBOUR]),
                        "",
                        f"040 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                        "",
                        rng.choice(HELP),
                        rng.choice(["Iltaisin", "Viikonloppuisin", "Arkipäivisin"]),
                        None,
                        datetime.datetime.combine(person.opened_on, datetime.time(11), tzinfo=zone),
                        person.id,
                    )
                )
        if person.coordinator is not None and rng.random() < MEETING_SHARE:
            upcoming = rng.random() < 0.3
            offset = (
                rng.randint(1, 13) if upcoming else -rng.randint(5, min(200, max(5, (today - person.opened_on).days)))
            )
            starts = datetime.datetime.combine(
                today + datetime.timedelta(days=offset), datetime.time(rng.choice([9, 10, 13, 14])), tzinfo=zone
            )
            pk = loader.next_id(NetworkMeeting)
            meetings.append(
                (
                    pk,
                    starts,
                    starts + datetime.timedelta(hours=1),
                    rng.choice(["Asiakkaan koti", "Palvelukeskus", "Terveysasema"]),
                    "",
                    "Arjen sujuminen ja palvelujen riittävyys",
                    "" if upcoming else "Käytiin läpi arjen sujuminen ja sovittiin jatkosta.",
                    "" if upcoming else rng.choice(CLIENT_VIEWS),
                    NetworkMeeting.Status.PLANNED if upcoming else NetworkMeeting.Status.HELD,
                    True,
                    starts - datetime.timedelta(days=14),
                    person.id,
                    person.coordinator,
                )
            )
            taking_part.append((loader.next_id(NetworkMeeting.professionals.through), pk, person.coordinator))
        bar.update()
    bar.close()
    loader.copy(NetworkMember, MEMBER_COLUMNS, members)
    loader.copy(NetworkMeeting, MEETING_COLUMNS, meetings)
    loader.copy(NetworkMeeting.professionals.through, ("id", "networkmeeting_id", "user_id"), taking_part)
    return by_client


def consent_to_share_the_plan(
    member: NetworkMember, *, given_on: datetime.date, valid_until: datetime.date, recorded_by: Any
) -> Consent:
    """The small seed's consent of a client to share their care plan (and meetings) with a
    close person, so that the person's view can be heard at the plan's review."""
    return Consent.objects.create(
        client_id=member.client_id,
        network_member=member,
        sections=[Section.BASIC, Section.MEETINGS, Section.PLAN],
        purpose="Hoito- ja palvelusuunnitelman arviointi",
        given_on=given_on,
        valid_until=valid_until,
        recorded_by=recorded_by,
    )
