"""Needs assessments for the demo seed: most open clients with a coordinator have one or two
completed assessments (the older ones RAI-assessed, so that some reassessments are due or
overdue) and some an assessment in progress. Written in bulk; the dates follow the rules of
``services`` (completion after the start, the child's 3 months, RAI's 6 months)."""

import datetime
import random
from collections.abc import Iterable, Sequence
from typing import Any

from dateutil.relativedelta import relativedelta
from psycopg.types.json import Jsonb

from core.bulk import Loader
from networks.models import NetworkMember

from .configuration import WORK_DOMAIN
from .models import (
    RAI_SCALES,
    Assessment,
    Coverage,
    DomainNeed,
    LifeDomain,
    NeedSlot,
    ProfessionalConclusion,
    RaiInstrument,
    TimeOfDay,
)
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


# The work-ability clients of the small seed: a working-age client whose care team has an
# employment specialist, assessed in the domain of work and studies, with the specialist's
# own conclusion beside the coordinator's.
WORK_NEED = (
    "Haluaisin töihin, mutta selkä ei kestä kokopäivätyötä. Pelkään, etten enää pärjää työelämässä.",
    "Pitkään työttömänä; selkävaivat ja uupumus rajoittavat. Osa-aikatyö tuettuna mahdollista.",
)
WORK_NEED_LEVEL, WORK_ABILITY_LEVEL = 2, 2
SPECIALIST_CONCLUSION = (
    "Asiakkaalla on varastotyön ja myynnin kokemusta. Ehdotan työkokeilua kaupan alalla osa-aikaisesti "
    "ja Kelan ammatillisen kuntoutuksen hakemista; koulutusvaihtoehdot selvitetään työkokeilun jälkeen."
)


def seed_work_ability(*, clients: Sequence[Any], specialist: Any) -> list[Any]:
    """Adds to the latest assessment of each of ``clients`` the domain of work, studies and
    work ability (with its work-ability level) and ``specialist``'s own conclusion, the
    specialist among those who took part; returns the clients whose assessment it was added to."""
    work = LifeDomain.objects.filter(code=WORK_DOMAIN).first()
    if work is None:
        return []
    done = []
    for client in clients:
        assessment = Assessment.objects.filter(client=client).order_by("-started_on", "-pk").first()
        if assessment is None:
            continue
        if not DomainNeed.objects.filter(assessment=assessment, domain=work).exists():
            DomainNeed.objects.create(
                assessment=assessment,
                domain=work,
                level=WORK_NEED_LEVEL,
                own_level=WORK_ABILITY_LEVEL,
                client_text=WORK_NEED[0],
                professional_text=WORK_NEED[1],
                frozen=assessment.is_frozen,
            )
        ProfessionalConclusion.objects.get_or_create(
            assessment=assessment,
            author=specialist,
            defaults={
                "profession": specialist.profession,
                "text": SPECIALIST_CONCLUSION,
                "frozen": assessment.is_frozen,
            },
        )
        assessment.professionals.add(specialist)
        done.append(client)
    return done


# The bulk generator of the medium and large data sets.

ASSESSMENT_COLUMNS = (
    "id",
    "status",
    "started_on",
    "completed_on",
    "complete_by",
    "reassess_on",
    "client_took_part",
    "situation_summary",
    "professional_conclusion",
    "client_view",
    "named_worker_needed_professional",
    "named_worker_needed_client",
    "rai_instrument",
    "rai_scores",
    "client_id",
    "completed_by_id",
    "contact_id",
    "created_by_id",
    "previous_id",
)
NEED_COLUMNS = (
    "id",
    "level",
    "professional_text",
    "client_text",
    "icf_qualifier",
    "frozen",
    "assessment_id",
    "domain_id",
)
SLOT_COLUMNS = ("id", "weekday", "time_of_day", "coverage", "service", "frozen", "need_id", "network_member_id")
BULK_CHUNK = 5_000
WEEK = [(day, time) for day in range(7) for time in TimeOfDay.values]


def bulk_assessments(
    loader: Loader,
    *,
    rng: random.Random,
    today: datetime.date,
    people: Sequence[Any],
    members: dict[int, list[int]],
    target: int,
) -> int:
    """About ``target`` assessments of the clients with a named worker, each client's in turn
    (reassessed every 6-12 months, the older ones by RAI, the latest sometimes in progress),
    with two to four needs and their week grid; returns how many."""
    domains = {domain.code: domain.pk for domain in LifeDomain.objects.filter(code__in=NEEDS)}
    codes = sorted(domains)
    eligible = [person for person in people if person.coordinator is not None]
    through = Assessment.professionals.through
    bar = loader.bar("assessments, needs and week grids", total=target)
    written = 0
    for start in range(0, len(eligible), BULK_CHUNK):
        assessments: list[tuple[Any, ...]] = []
        needs: list[tuple[Any, ...]] = []
        slots: list[tuple[Any, ...]] = []
        professionals: list[tuple[int, int, int]] = []
        for index in range(start, min(start + BULK_CHUNK, len(eligible))):
            person = eligible[index]
            left = len(eligible) - index
            mean = max(0.0, (target - written - len(assessments)) / left)
            count = int(mean) + (1 if rng.random() < mean - int(mean) else 0)
            first = person.opened_on + datetime.timedelta(days=rng.randint(5, 40))
            if count == 0 or first >= today:
                continue
            step = max(20, min(365, (today - first).days // count))
            picked = rng.sample(codes, rng.randint(2, 4))
            previous = None
            rai = person.age_on(today) >= RAI_AGE
            own = members.get(person.id, [])
            for number in range(count):
                started = first + datetime.timedelta(days=number * step + rng.randint(0, step // 4))
                if started >= today:
                    break
                pk = loader.next_id(Assessment)
                in_progress = number == count - 1 and rng.random() < IN_PROGRESS_SHARE
                done = None if in_progress else min(started + datetime.timedelta(days=rng.randint(3, 25)), today)
                by = person.coordinator
                assessments.append(
                    (
                        pk,
                        Assessment.Status.STARTED if in_progress else Assessment.Status.COMPLETED,
                        started,
                        done,
                        started + relativedelta(months=CHILD_COMPLETION_MONTHS) if person.child else None,
                        done + relativedelta(months=RAI_REASSESSMENT_MONTHS) if rai and done else None,
                        rng.random() < 0.9,
                        rng.choice(SUMMARIES),
                        "" if in_progress else rng.choice(CONCLUSIONS),
                        "" if in_progress else rng.choice(CLIENT_VIEWS),
                        None if in_progress else True,
                        None if in_progress else True,
                        RaiInstrument.HOME_CARE if rai and done else "",
                        Jsonb(
                            {name: rng.randint(low, min(high, 5)) for name, (low, high) in RAI_SCALES.items()}
                            if rai and done
                            else {}
                        ),
                        person.id,
                        by if done else None,
                        None,
                        by,
                        previous,
                    )
                )
                professionals.append((loader.next_id(through), pk, by))
                previous = pk
                frozen = done is not None
                for code in picked:
                    level = max(1, min(3, rng.randint(1, 3) - (1 if number else 0)))
                    need = loader.next_id(DomainNeed)
                    client_words, professional_words = NEEDS[code]
                    needs.append(
                        (
                            need,
                            level,
                            professional_words,
                            client_words,
                            rng.choice([None, level, level + 1]),
                            frozen,
                            pk,
                            domains[code],
                        )
                    )
                    for weekday, time_of_day in rng.sample(WEEK, rng.randint(2, 5)):
                        coverage = rng.choice(
                            [Coverage.SERVICE, Coverage.SERVICE, Coverage.CLIENT, Coverage.NETWORK, ""]
                        )
                        if coverage == Coverage.NETWORK and not own:
                            coverage = Coverage.UNCOVERED
                        slots.append(
                            (
                                loader.next_id(NeedSlot),
                                weekday,
                                time_of_day,
                                coverage,
                                rng.choice(SERVICES) if coverage == Coverage.SERVICE else "",
                                frozen,
                                need,
                                rng.choice(own) if coverage == Coverage.NETWORK else None,
                            )
                        )
        loader.copy(Assessment, ASSESSMENT_COLUMNS, assessments)
        loader.copy(DomainNeed, NEED_COLUMNS, needs)
        loader.copy(NeedSlot, SLOT_COLUMNS, slots)
        loader.copy(through, ("id", "assessment_id", "user_id"), professionals)
        written += len(assessments)
        bar.update(len(assessments))
    bar.close()
    return written
