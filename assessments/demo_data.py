"""Needs assessments for the demo seed: most open clients with a coordinator have one or two
completed assessments (the older ones RAI-assessed, so that some reassessments are due or
overdue) and some an assessment in progress. Written in bulk; the dates follow the rules of
``services`` (completion after the start, the child's 3 months, RAI's 6 months)."""

import datetime
import random
from collections.abc import Iterable
from typing import Any

from dateutil.relativedelta import relativedelta

from networks.models import NetworkMember

from .models import RAI_SCALES, Assessment, Coverage, DomainNeed, LifeDomain, NeedSlot, RaiInstrument, TimeOfDay
from .services import CHILD_COMPLETION_MONTHS, RAI_REASSESSMENT_MONTHS

ASSESSMENT_SHARE = 0.85
IN_PROGRESS_SHARE = 0.15
RAI_AGE = 75
SERVICES = ["Kotihoito", "Ateriapalvelu", "Kauppapalvelu", "Turvapuhelin", "Päivätoiminta"]
NEEDS = {
    "daily_living": ("Aamutoimet ja peseytyminen vievät voimat.", "Tarvitsee apua aamutoimissa ja peseytymisessä."),
    "health": ("Lääkkeiden kanssa menee sekaisin.", "Lääkehoidon toteutus vaatii tukea."),
    "inclusion": ("Olen paljon yksin, kaipaan seuraa.", "Yksinäisyys ja vähäiset sosiaaliset kontaktit."),
    "finances": ("Laskut kasautuvat.", "Tarvitsee ohjausta etuuksien hakemisessa."),
    "safety": ("Pelkään kaatuvani yöllä.", "Kaatumisriski; turvapuhelin harkittava."),
    "family_carer": ("Puoliso jaksaa huonosti.", "Omaishoitajan jaksaminen vaatii tukea."),
}
SUMMARIES = [
    "Asuu yksin kerrostalossa, hissi on. Arki sujuu osin tyttären tuella.",
    "Asuu puolison kanssa omakotitalossa; puoliso on omaishoitaja ja väsynyt.",
    "Muisti heikentynyt viime kuukausina; lääkkeiden otto epäsäännöllistä.",
]
CONCLUSIONS = [
    "Kotihoidon käynnit aamuisin ja turvapuhelin; tilannetta seurataan.",
    "Omaishoidon tuen lisäksi lyhytaikaishoitoa kerran kuukaudessa.",
    "Ohjaus päivätoimintaan ja ateriapalvelu arkipäivisin.",
]
CLIENT_VIEWS = [
    "Haluan asua kotona niin pitkään kuin mahdollista.",
    "Tarvitsen apua aamuisin, muuten pärjään itse.",
    "En halua vieraita kotiin joka päivä, mutta ruoka olisi hyvä saada.",
]


def _complete(assessment: Assessment, *, rng: random.Random, today: datetime.date, rai: bool) -> None:
    """Completes a seeded assessment, with the RAI instrument and its scales for ``rai``."""
    completed = min(assessment.started_on + datetime.timedelta(days=rng.randint(3, 25)), today)
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_on = completed
    assessment.completed_by = assessment.created_by
    assessment.professional_conclusion = rng.choice(CONCLUSIONS)
    assessment.client_view = rng.choice(CLIENT_VIEWS)
    assessment.named_worker_needed_client = True
    assessment.named_worker_needed_professional = True
    if rai:
        assessment.rai_instrument = RaiInstrument.HOME_CARE
        assessment.rai_scores = {name: rng.randint(low, min(high, 5)) for name, (low, high) in RAI_SCALES.items()}
        assessment.reassess_on = completed + relativedelta(months=RAI_REASSESSMENT_MONTHS)


def _slots(needs: list[DomainNeed], members: dict[int, list[int]], rng: random.Random) -> list[NeedSlot]:
    """Times of the week each need is helped at, by a service, the client or their network."""
    slots: list[NeedSlot] = []

    for need in needs:
        times = rng.sample([(day, time) for day in range(7) for time in TimeOfDay.values], rng.randint(2, 6))
        for weekday, time_of_day in times:
            coverage = rng.choice([Coverage.SERVICE, Coverage.SERVICE, Coverage.CLIENT, Coverage.NETWORK, ""])
            own = members.get(need.assessment.client_id, [])
            if coverage == Coverage.NETWORK and not own:
                coverage = Coverage.UNCOVERED
            slots.append(
                NeedSlot(
                    need=need,
                    weekday=weekday,
                    time_of_day=time_of_day,
                    coverage=coverage,
                    service=rng.choice(SERVICES) if coverage == Coverage.SERVICE else "",
                    network_member_id=rng.choice(own) if coverage == Coverage.NETWORK else None,
                    frozen=need.frozen,
                )
            )
    return slots


def seed_assessments(*, rng: random.Random, today: datetime.date, stories: Iterable[Any]) -> int:
    """Writes the assessments of the open clients in ``stories``; returns how many."""
    domains = {domain.code: domain for domain in LifeDomain.objects.filter(code__in=NEEDS)}
    chosen = [s for s in stories if s.current is not None and rng.random() < ASSESSMENT_SHARE]
    members: dict[int, list[int]] = {}
    for member_pk, client_pk in NetworkMember.objects.filter(client__in=[s.client for s in chosen]).values_list(
        "pk", "client_id"
    ):
        members.setdefault(client_pk, []).append(member_pk)
    assessments: list[Assessment] = []
    planned: list[tuple[Assessment, list[tuple[LifeDomain, int]]]] = []
    for story in chosen:
        client, coordinator = story.client, story.current.coordinator
        older = relativedelta(today, client.date_of_birth).years >= RAI_AGE
        start = story.current.started_on + datetime.timedelta(days=rng.randint(5, 40))
        rounds = 2 if start < today - datetime.timedelta(days=400) else 1
        picked = rng.sample(sorted(domains), rng.randint(2, 4))
        for index in range(rounds):
            if start >= today:
                break
            last = index == rounds - 1
            in_progress = last and rng.random() < IN_PROGRESS_SHARE
            assessment = Assessment(
                client=client,
                started_on=start,
                created_by=coordinator,
                situation_summary=rng.choice(SUMMARIES),
                client_took_part=rng.random() < 0.9,
            )
            if client.child_special_support:
                assessment.complete_by = start + relativedelta(months=CHILD_COMPLETION_MONTHS)
            if not in_progress:
                _complete(assessment, rng=rng, today=today, rai=older)
            assessment._round = index  # type: ignore[attr-defined]
            assessments.append(assessment)
            levels = [(domains[code], max(1, min(3, rng.randint(1, 3) - (1 if index else 0)))) for code in picked]
            planned.append((assessment, levels))
            start = start + relativedelta(months=rng.randint(6, 12))
    # A second assessment starts from the first: written after it, naming it as previous.
    latest: dict[int, Assessment] = {}
    for round_ in (0, 1):
        batch = [a for a in assessments if getattr(a, "_round", 0) == round_]
        for assessment in batch:
            assessment.previous = latest.get(assessment.client_id)
        Assessment.objects.bulk_create(batch)
        latest.update({a.client_id: a for a in batch})
    needs: list[DomainNeed] = []
    for assessment, levels in planned:
        for domain, level in levels:
            client_words, professional_words = NEEDS[domain.code]
            needs.append(
                DomainNeed(
                    assessment=assessment,
                    domain=domain,
                    level=level,
                    client_text=client_words,
                    professional_text=professional_words,
                    icf_qualifier=rng.choice([None, level, level + 1]),
                    frozen=assessment.is_frozen,
                )
            )
    DomainNeed.objects.bulk_create(needs)
    NeedSlot.objects.bulk_create(_slots(needs, members, rng))
    through = Assessment.professionals.through
    through.objects.bulk_create([through(assessment_id=a.pk, user_id=a.created_by_id) for a in assessments])
    return len(assessments)
