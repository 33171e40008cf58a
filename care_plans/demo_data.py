"""Care plans for the demo seed: most open clients with a coordinator get a plan with one to
three published versions and a draft; some versions record a disagreement, older ones a
review with goal ratings. Written in bulk, a version round at a time (a plan has one draft at a
time, and rows cannot be added to a published version), so that the large data set stays fast.

PDFs: only the latest published version of the demo coordinator's clients is rendered here (in
this process, a fraction of a second each); the rest are prepared on demand from the version's
page ("Prepare the PDF", which in the demo renders in-process too)."""

import datetime
import random
from collections.abc import Iterable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from assessments.models import LifeDomain, TimeOfDay

from .models import (
    CarePlan,
    Disagreement,
    GoalAction,
    GoalOutcome,
    PlanGoal,
    PlanPdf,
    PlanReview,
    PlanService,
    PlanVersion,
    Responsible,
)

PLAN_SHARE = 0.7
# (the client's words, in professional terms, life domain)
GOALS = [
    ("Haluan asua omassa kodissani niin pitkään kuin pystyn.", "Kotona asumisen tukeminen", "daily_living"),
    ("Haluan käydä itse kaupassa ainakin kerran viikossa.", "Asiointikyvyn ja liikkumisen ylläpito", "daily_living"),
    ("Haluan, että aamut sujuvat ilman kiirettä.", "Aamutoimien tuki", "daily_living"),
    ("En halua olla yksin iltaisin.", "Yksinäisyyden vähentäminen, sosiaaliset kontaktit", "inclusion"),
    ("Haluan päästä taas kuoroon laulamaan.", "Harrastukseen osallistumisen tukeminen", "inclusion"),
    ("Haluan, että rahat riittävät koko kuukaudeksi.", "Talouden hallinta ja etuuksien hakeminen", "finances"),
    ("Haluan pysyä pystyssä enkä kaatuile.", "Kaatumisten ehkäisy, lihasvoiman ylläpito", "health"),
    ("Haluan nukkua yöt paremmin.", "Unen laadun parantaminen", "health"),
    ("Haluan jaksaa hoitaa puolisoani kotona.", "Omaishoitajan jaksamisen tukeminen", "family_carer"),
    ("Haluan tuntea oloni turvalliseksi kotona.", "Turvallisuuden lisääminen, turvapuhelin", "safety"),
    ("Haluan löytää työn, jossa jaksan.", "Työkyvyn arviointi ja työllistymisen tuki", "other"),
    ("Haluan vähentää juomista.", "Päihteiden käytön vähentäminen", "substances_mental"),
]
ACTIONS = [
    "Haetaan omaishoidon tukea",
    "Selvitetään kuljetuspalvelun hakeminen",
    "Kotihoidon käyntiajat sovitaan uudelleen",
    "Fysioterapeutin kotikäynti ja kotiharjoitteet",
    "Tytär soittaa iltaisin",
    "Asiakas kirjaa unipäiväkirjaa kaksi viikkoa",
    "Haetaan Kelan hoitotukea",
    "Turvapuhelin asennetaan",
    "Ilmoittaudutaan päivätoimintaan",
]
SERVICES = [
    ("Kotihoito", "Kotihoito Oy", "2 käyntiä päivässä", ["morning", "evening"]),
    ("Ateriapalvelu", "Kunnan ateriapalvelu", "lounas arkisin", ["midday"]),
    ("Päivätoiminta", "Päiväkeskus Kaisla", "2 päivää viikossa", ["midday"]),
    ("Kuljetuspalvelu", "Taksi Lähi", "8 matkaa kuukaudessa", []),
    ("Siivousapu", "Puhdas Koti Ky", "2 tuntia joka toinen viikko", ["midday"]),
    ("Turvapuhelin", "Turvapalvelu", "jatkuva", ["night"]),
]
BACKUPS = [
    "Jos kotihoito ei tule, tytär Liisa käy ja soittaa palveluohjaajalle.",
    "Jos palvelu katkeaa, naapuri Matti käy katsomassa ja palveluohjaaja järjestää korvaavan käynnin.",
    "Jos ateriapalvelu ei tule, poika tuo ruokaa ja asiakas soittaa palveluohjaajalle.",
]
WISHES = [
    "Haluan asua kotona. Tärkeintä on, että saan itse päättää päivästäni.",
    "Haluan pärjätä mahdollisimman paljon itse, mutta apua saa tulla aamuisin.",
    "Haluan, että lapseni eivät joudu huolehtimaan minusta koko ajan.",
]
STRENGTHS_CLIENT = ["Olen sinnikäs.", "Minulla on hyvät naapurit.", "Pidän huolta itsestäni.", "Olen sosiaalinen."]
STRENGTHS_PROFESSIONAL = [
    "Motivoitunut, hyvä sosiaalinen verkosto.",
    "Muisti hyvä, liikkuu rollaattorilla sujuvasti.",
    "Aktiivinen, osaa pyytää apua.",
]
DISAGREEMENTS = [
    ("En tarvitse kotihoitoa iltaisin.", "Iltakäynti on tarpeen kaatumisriskin vuoksi.", "Kaksi kaatumista keväällä."),
    ("Haluan taksin, en palvelubussia.", "Palvelubussi riittää lyhyille matkoille.", "Kustannukset ja saatavuus."),
    ("En halua muuttaa palvelutaloon.", "Kotona asuminen on nykyisellä avulla riskialtista.", "Yöllinen avuntarve."),
]


def seed_plans(*, rng: random.Random, today: datetime.date, stories: Iterable[Any], demo: User) -> int:
    """Creates the plans; returns how many. Candidates are the stories' open clients with a
    designated coordinator (``story.current``)."""
    candidates = [
        (story.client, story.current.coordinator)
        for story in stories
        if story.current is not None and story.client.closed_on is None and rng.random() < PLAN_SHARE
    ]
    if not candidates:
        return 0
    domains = {d.code: d for d in LifeDomain.objects.all()}
    with transaction.atomic():
        plans = CarePlan.objects.bulk_create(CarePlan(client=client, created_by=by) for client, by in candidates)
        counts = [rng.randint(1, 3) for _ in plans]  # published versions; a draft follows
        made_on = [today - datetime.timedelta(days=rng.randint(400, 700)) for _ in plans]
        previous: dict[int, PlanVersion] = {}
        for number in range(1, max(counts) + 2):
            round_plans = [(i, plan) for i, plan in enumerate(plans) if number <= counts[i] + 1]
            for i, _plan in round_plans:
                made_on[i] = min(today, made_on[i] + datetime.timedelta(days=rng.randint(90, 200)))
            versions = PlanVersion.objects.bulk_create(
                _version(rng, plan, number, previous.get(plan.pk), candidates[i][1], made_on[i])
                for i, plan in round_plans
            )
            goals = _content(rng, versions, previous, domains)
            published = [v for (i, _plan), v in zip(round_plans, versions, strict=True) if number <= counts[i]]
            _publish(rng, published, goals, today)
            drafts = [v.pk for v in versions if v not in published]
            PlanVersion.objects.filter(pk__in=drafts).update(published_at=None)
            previous.update({v.plan_id: v for v in versions})
    _render_demo_pdfs(demo)
    return len(plans)


def _version(
    rng: random.Random,
    plan: CarePlan,
    number: int,
    previous: PlanVersion | None,
    by: User,
    made_on: datetime.date,
) -> PlanVersion:
    return PlanVersion(
        plan=plan,
        number=number,
        based_on=previous,
        client_wishes=rng.choice(WISHES),
        strengths_client=rng.choice(STRENGTHS_CLIENT),
        strengths_professional=rng.choice(STRENGTHS_PROFESSIONAL),
        backup_plan=rng.choice(BACKUPS),
        review_on=made_on + relativedelta(months=12),
        created_by=by,
        updated_by=by,
        revision=rng.randint(1, 6),
        # A marker read by _publish; the real publishing time is set there.
        published_at=timezone.make_aware(datetime.datetime.combine(made_on, datetime.time(10))),
    )


def _content(
    rng: random.Random,
    versions: list[PlanVersion],
    previous: dict[int, PlanVersion],
    domains: dict[str, LifeDomain],
) -> dict[int, list[PlanGoal]]:
    """Goals with actions, services and sometimes a disagreement; a later version keeps most of
    the earlier one's goals (their keys), drops or adds one."""
    goals: list[PlanGoal] = []
    services: list[PlanService] = []
    earlier = {
        v.pk: list(PlanGoal.objects.filter(version=previous[v.plan_id]).values_list("key", "client_words"))
        for v in versions
        if v.plan_id in previous
    }
    for version in versions:
        kept = earlier.get(version.pk, [])
        if kept and rng.random() < 0.3:
            kept = kept[:-1]
        chosen = rng.sample(GOALS, rng.randint(1, 2) if kept else rng.randint(2, 4))
        for order, (key, words) in enumerate(kept):
            known = next((g for g in GOALS if g[0] == words), GOALS[0])
            goals.append(_goal(version, order, known, domains, key=key))
        for order, choice in enumerate(chosen, start=len(kept)):
            if all(choice[0] != words for _key, words in kept):
                goals.append(_goal(version, order, choice, domains))
        for order, (name, provider, amount, times) in enumerate(rng.sample(SERVICES, rng.randint(1, 3))):
            days = sorted(rng.sample(range(7), rng.randint(2, 7)))
            services.append(
                PlanService(
                    version=version,
                    order=order,
                    service=name,
                    provider=provider,
                    amount=amount,
                    slots=[{"weekday": d, "time_of_day": t} for d in days for t in times if t in TimeOfDay.values],
                    starts_on=version.published_at.date() if version.published_at else None,
                    backup=rng.choice(["", "Omainen käy", "Korvaava käynti samana päivänä"]),
                )
            )
    PlanGoal.objects.bulk_create(goals)
    PlanService.objects.bulk_create(services)
    GoalAction.objects.bulk_create(
        GoalAction(
            goal=goal,
            order=n,
            text=rng.choice(ACTIONS),
            responsible=responsible,
            professional_id=goal.version.created_by_id if responsible == Responsible.PROFESSIONAL else None,
            due_on=goal.version.review_on - datetime.timedelta(days=rng.randint(30, 200))
            if goal.version.review_on
            else None,
        )
        for goal in goals
        for n in range(rng.randint(0, 2))
        for responsible in [rng.choice([Responsible.PROFESSIONAL, Responsible.CLIENT])]
    )
    by_version: dict[int, list[PlanGoal]] = {}
    for goal in goals:
        by_version.setdefault(goal.version_id, []).append(goal)
    Disagreement.objects.bulk_create(
        Disagreement(
            version=version,
            subject=Disagreement.Subject.GOAL,
            goal=by_version[version.pk][0],
            client_position=text[0],
            professional_position=text[1],
            reasons=text[2],
        )
        for version in versions
        if by_version.get(version.pk) and rng.random() < 0.3
        for text in [rng.choice(DISAGREEMENTS)]
    )
    return by_version


def _goal(
    version: PlanVersion,
    order: int,
    goal: tuple[str, str, str],
    domains: dict[str, LifeDomain],
    key: Any = None,
) -> PlanGoal:
    item = PlanGoal(
        version=version, order=order, client_words=goal[0], professional_words=goal[1], domain=domains.get(goal[2])
    )
    if key is not None:
        item.key = key
    return item


def _publish(
    rng: random.Random, versions: list[PlanVersion], goals: dict[int, list[PlanGoal]], today: datetime.date
) -> None:
    """Freezes the rows, then the versions; older versions get a review with ratings."""
    pks = [v.pk for v in versions]
    GoalAction.objects.filter(goal__version__in=pks).update(frozen=True)
    for model in (PlanGoal, PlanService, Disagreement):
        model.objects.filter(version__in=pks).update(frozen=True)
    for language in ("fi", "sv", "en"):
        PlanVersion.objects.filter(pk__in=pks, plan__client__preferred_language=language).update(
            status=PlanVersion.Status.PUBLISHED, published_by=F("created_by"), language=language
        )
    reviews = []
    outcomes = []
    for version in versions:
        if version.published_at is None or not goals.get(version.pk):
            continue
        held_on = version.published_at.date() + datetime.timedelta(days=rng.randint(120, 330))
        if held_on >= today:
            continue
        review = PlanReview(version=version, held_on=held_on, reviewed_by=version.created_by, notes="")
        reviews.append(review)
        outcomes.append((review, goals[version.pk]))
    PlanReview.objects.bulk_create(reviews)
    GoalOutcome.objects.bulk_create(
        GoalOutcome(
            review=review,
            goal=goal,
            client_rating=rng.randint(2, 5),
            professional_rating=rng.randint(1, 5),
        )
        for review, version_goals in outcomes
        for goal in version_goals
    )


def _render_demo_pdfs(demo: User) -> None:
    """The latest published version of each of the demo coordinator's clients, rendered now."""
    from .tasks import render_plan_pdf

    latest: dict[int, int] = {}
    for plan_id, pk in (
        PlanVersion.objects.filter(
            status=PlanVersion.Status.PUBLISHED,
            plan__client__assignments__coordinator=demo,
            plan__client__assignments__ended_on__isnull=True,
        )
        .order_by("plan_id", "number")
        .values_list("plan_id", "pk")
    ):
        latest[plan_id] = pk
    now = timezone.now()
    PlanPdf.objects.bulk_create(PlanPdf(version_id=pk, requested_at=now) for pk in latest.values())
    for pk in latest.values():
        render_plan_pdf.apply(args=(pk,))
