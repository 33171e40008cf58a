"""Care plans for the demo seed: most open clients with a coordinator get a plan with one to
three published versions and a draft; some versions record a disagreement, older ones a
review with goal ratings. Written in bulk, a version round at a time (a plan has one draft at a
time, and rows cannot be added to a published version), so that the large data set stays fast.

PDFs: only the latest published version of the demo coordinator's clients is rendered here (in
this process, a fraction of a second each); the rest are prepared on demand from the version's
page ("Prepare the PDF", which in the demo renders in-process too)."""

import datetime
import random
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from psycopg.types.json import Jsonb

from accounts.models import User
from assessments.models import LifeDomain, TimeOfDay
from core.bulk import Loader
from networks.demo_data import consent_to_share_the_plan
from networks.models import NetworkMember

from .models import (
    CarePlan,
    Disagreement,
    GoalAction,
    GoalOutcome,
    NetworkGoalRating,
    NetworkReviewView,
    PlanGoal,
    PlanPdf,
    PlanReview,
    PlanService,
    PlanVersion,
    Responsible,
    WorkMeasure,
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
    ("Haluan löytää työn, jossa jaksan.", "Työkyvyn arviointi ja työllistymisen tuki", "work"),
    ("Haluan vähentää juomista.", "Päihteiden käytön vähentäminen", "substances_mental"),
    ("Haluan pärjätä koulussa ja saada kavereita.", "Koulunkäynnin ja kaverisuhteiden tukeminen", "child_development"),
    ("Haluan harrastaa jotain kivaa.", "Harrastuksen löytäminen ja siihen osallistuminen", "inclusion"),
    ("Haluan, että kotona on rauhallista.", "Perheen arjen ja vanhemmuuden tukeminen", "child_development"),
]
# The goal of work and training of the work-ability clients, and its actions: (measure, what is
# done, whether the employment specialist does it (else the client), months before the review).
WORK_GOAL = (
    "Haluan päästä takaisin työelämään osa-aikaisesti.",
    "Työkyvyn tukeminen ja työllistyminen: työkokeilu ja ammatillinen kuntoutus",
    "work",
)
WORK_ACTIONS = [
    (WorkMeasure.WORK_TRIAL, "Työkokeilu kaupan alalla, neljä tuntia päivässä kolmen kuukauden ajan", True, 6),
    (WorkMeasure.VOCATIONAL_REHABILITATION, "Haetaan Kelan ammatillista kuntoutusta", False, 9),
    (WorkMeasure.TRAINING, "Selvitetään logistiikka-alan lyhytkoulutus työkokeilun jälkeen", True, 3),
]
# The ages (from, to inclusive) a goal fits; a goal not named fits any adult (ADULT). A goal
# of finding work is for people of working age, a fall or living at home "as long as I can"
# for older people, school for children; no child is given an adult's goal.
ADULT = (18, 120)
GOAL_AGES = {
    "Haluan asua omassa kodissani niin pitkään kuin pystyn.": (60, 120),
    "Haluan pysyä pystyssä enkä kaatuile.": (60, 120),
    "Haluan nukkua yöt paremmin.": (3, 120),
    "Haluan tuntea oloni turvalliseksi kotona.": (0, 120),
    "Haluan löytää työn, jossa jaksan.": (18, 64),
    "Haluan jaksaa hoitaa puolisoani kotona.": (25, 120),
    "Haluan pärjätä koulussa ja saada kavereita.": (6, 17),
    "Haluan harrastaa jotain kivaa.": (3, 17),
    "Haluan, että kotona on rauhallista.": (0, 17),
}


def goals_for(rng: random.Random, age: int, count: int) -> list[tuple[str, str, str]]:
    """``count`` goals (fewer if fewer fit) that fit a client of ``age`` years."""
    fitting = [goal for goal in GOALS if GOAL_AGES.get(goal[0], ADULT)[0] <= age <= GOAL_AGES.get(goal[0], ADULT)[1]]
    return rng.sample(fitting, min(count, len(fitting)))


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


def seed_plans(
    *,
    rng: random.Random,
    today: datetime.date,
    stories: Iterable[Any],
    demo: User,
    work_ability: Mapping[int, int] | None = None,
) -> int:
    """Creates the plans; returns how many. Candidates are the stories' open clients with a
    designated coordinator (``story.current``). The work-ability clients (``work_ability``: the
    client's id → their employment specialist's) always get one, each version with a goal of
    work and training whose actions are work trials and vocational rehabilitation."""
    work = dict(work_ability or {})
    candidates = [
        (story.client, story.current.coordinator)
        for story in stories
        # The draw comes first, so that the work-ability clients leave the others' plans as they were.
        if story.current is not None
        and story.client.closed_on is None
        and (rng.random() < PLAN_SHARE or story.client.pk in work)
    ]
    if not candidates:
        return 0
    domains = {d.code: d for d in LifeDomain.objects.all()}
    with transaction.atomic():
        plans = CarePlan.objects.bulk_create(CarePlan(client=client, created_by=by) for client, by in candidates)
        counts = [rng.randint(1, 3) for _ in plans]  # published versions; a draft follows
        gaps = [[rng.randint(90, 200) for _ in range(count + 1)] for count in counts]
        # Counted back so that the latest published version was made 11 to 13 months ago: its
        # review (12 months) is a few weeks ahead or a few weeks late, never years.
        made_on = [
            today - datetime.timedelta(days=sum(gap[:count]) + rng.randint(335, 400))
            for gap, count in zip(gaps, counts, strict=True)
        ]
        previous: dict[int, PlanVersion] = {}
        for number in range(1, max(counts) + 2):
            round_plans = [(i, plan) for i, plan in enumerate(plans) if number <= counts[i] + 1]
            for i, _plan in round_plans:
                made_on[i] = min(today, made_on[i] + datetime.timedelta(days=gaps[i][number - 1]))
            versions = PlanVersion.objects.bulk_create(
                _version(rng, plan, number, previous.get(plan.pk), candidates[i][1], made_on[i])
                for i, plan in round_plans
            )
            goals = _content(rng, versions, previous, domains)
            _work_goals(versions, work, domains)
            published = [v for (i, _plan), v in zip(round_plans, versions, strict=True) if number <= counts[i]]
            _publish(rng, published, goals, today)
            drafts = [v.pk for v in versions if v not in published]
            PlanVersion.objects.filter(pk__in=drafts).update(published_at=None)
            previous.update({v.plan_id: v for v in versions})
        _network_views(today, demo)
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
        v.pk: list(
            PlanGoal.objects.filter(version=previous[v.plan_id])
            .exclude(client_words=WORK_GOAL[0])
            .values_list("key", "client_words")
        )
        for v in versions
        if v.plan_id in previous
    }
    for version in versions:
        kept = earlier.get(version.pk, [])
        if kept and rng.random() < 0.3:
            kept = kept[:-1]
        # The version's day, which _version marks as its publishing time.
        made_on = (version.published_at or timezone.now()).date()
        age = relativedelta(made_on, version.plan.client.date_of_birth).years
        chosen = goals_for(rng, age, rng.randint(1, 2) if kept else rng.randint(2, 4))
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


def _work_goals(versions: list[PlanVersion], work: Mapping[int, int], domains: dict[str, LifeDomain]) -> None:
    """The goal of work and training in each version of a work-ability client's plan, its key
    the same in every version, with the employment specialist's work trial and the client's
    application for Kela's vocational rehabilitation."""
    goals = [
        PlanGoal(
            version=version,
            key=uuid.uuid5(uuid.NAMESPACE_URL, f"caseflow-demo-work-goal-{version.plan_id}"),
            order=100,
            client_words=WORK_GOAL[0],
            professional_words=WORK_GOAL[1],
            domain=domains.get(WORK_GOAL[2]),
        )
        for version in versions
        if version.plan.client_id in work
    ]
    PlanGoal.objects.bulk_create(goals)
    actions = []
    for goal in goals:
        specialist = work[goal.version.plan.client_id]
        review_on = goal.version.review_on
        for order, (measure, text, by_specialist, months) in enumerate(WORK_ACTIONS):
            actions.append(
                GoalAction(
                    goal=goal,
                    key=uuid.uuid5(goal.key, measure),
                    order=order,
                    text=text,
                    work_measure=measure,
                    responsible=Responsible.PROFESSIONAL if by_specialist else Responsible.CLIENT,
                    professional_id=specialist if by_specialist else None,
                    due_on=review_on - relativedelta(months=months) if review_on else None,
                )
            )
    GoalAction.objects.bulk_create(actions)


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


# The network's voice: a few of the demo coordinator's clients had a relative at the review.
NETWORK_VIEW_REVIEWS = 4
NETWORK_VIEWS = [
    "Äiti on ollut iloisempi, kun kotihoito käy myös iltaisin. Kaupassa käynti on vielä raskasta.",
    "Isä ei myönnä väsymystään, mutta aamut sujuvat nyt paremmin. Yöt ovat edelleen levottomia.",
    "Olemme huomanneet, että päivätoiminta on tuonut arkeen rytmiä. Raha-asiat huolettavat yhä.",
]


def _network_views(today: datetime.date, demo: User) -> None:
    """At the latest review of a few of the demo coordinator's clients who have someone close,
    that person's view in their own words with their ratings, under the client's consent to
    share the plan with them. Its own random stream, so the rest of the seed comes out the same."""
    rng = random.Random(20_140)  # noqa: S311 - demo data
    reviews = list(
        PlanReview.objects.filter(
            version__plan__client__assignments__coordinator=demo,
            version__plan__client__assignments__ended_on__isnull=True,
            version__plan__client__in=NetworkMember.objects.filter(removed_on__isnull=True).values("client"),
            version__plan__client__closed_on__isnull=True,
        )
        .order_by("version__plan_id", "-held_on", "-pk")
        .distinct("version__plan_id")
        .select_related("version__plan")[:NETWORK_VIEW_REVIEWS]
    )
    zone = timezone.get_current_timezone()
    for review in reviews:
        member = NetworkMember.objects.filter(client_id=review.version.plan.client_id, removed_on__isnull=True).first()
        if member is None:
            continue
        consent = consent_to_share_the_plan(
            member,
            given_on=review.held_on - datetime.timedelta(days=rng.randint(7, 30)),
            valid_until=today + datetime.timedelta(days=365),
            recorded_by=demo,
        )
        view = NetworkReviewView.objects.create(
            review=review, network_member=member, consent=consent, words=rng.choice(NETWORK_VIEWS), recorded_by=demo
        )
        NetworkReviewView.objects.filter(pk=view.pk).update(
            recorded_at=datetime.datetime.combine(review.held_on, datetime.time(14), tzinfo=zone)
        )
        NetworkGoalRating.objects.bulk_create(
            NetworkGoalRating(view=view, goal=goal, rating=rng.randint(2, 5))
            for goal in PlanGoal.objects.filter(version_id=review.version_id)
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


# The bulk generator of the medium and large data sets.

BULK_CHUNK = 5_000
VERSION_COLUMNS = (
    "id",
    "number",
    "status",
    "revision",
    "client_wishes",
    "strengths_client",
    "strengths_professional",
    "backup_plan",
    "review_on",
    "language",
    "updated_at",
    "published_at",
    "assessment_id",
    "based_on_id",
    "created_by_id",
    "plan_id",
    "published_by_id",
    "updated_by_id",
)
GOAL_COLUMNS = ("id", "key", "order", "client_words", "professional_words", "frozen", "domain_id", "version_id")
ACTION_COLUMNS = (
    "id",
    "key",
    "order",
    "text",
    "responsible",
    "due_on",
    "frozen",
    "decision_id",
    "network_member_id",
    "professional_id",
    "goal_id",
)
SERVICE_COLUMNS = (
    "id",
    "key",
    "order",
    "service",
    "provider",
    "amount",
    "slots",
    "starts_on",
    "backup",
    "frozen",
    "version_id",
)
DISAGREEMENT_COLUMNS = (
    "id",
    "key",
    "subject",
    "client_position",
    "professional_position",
    "reasons",
    "frozen",
    "goal_id",
    "version_id",
    "service_id",
)


class _PlanRows:
    def __init__(self) -> None:
        self.plans: list[tuple[Any, ...]] = []
        self.versions: list[tuple[Any, ...]] = []
        self.goals: list[tuple[Any, ...]] = []
        self.actions: list[tuple[Any, ...]] = []
        self.services: list[tuple[Any, ...]] = []
        self.disagreements: list[tuple[Any, ...]] = []
        self.reviews: list[tuple[Any, ...]] = []
        self.outcomes: list[tuple[Any, ...]] = []

    def write(self, loader: Loader) -> None:
        loader.copy(CarePlan, ("id", "created_at", "client_id", "created_by_id"), self.plans)
        loader.copy(PlanVersion, VERSION_COLUMNS, self.versions)
        loader.copy(PlanGoal, GOAL_COLUMNS, self.goals)
        loader.copy(GoalAction, ACTION_COLUMNS, self.actions)
        loader.copy(PlanService, SERVICE_COLUMNS, self.services)
        loader.copy(Disagreement, DISAGREEMENT_COLUMNS, self.disagreements)
        loader.copy(PlanReview, ("id", "held_on", "notes", "created_at", "reviewed_by_id", "version_id"), self.reviews)
        loader.copy(
            GoalOutcome,
            ("id", "client_rating", "professional_rating", "comment", "goal_id", "review_id"),
            self.outcomes,
        )


def bulk_plans(loader: Loader, *, rng: random.Random, today: datetime.date, people: Sequence[Any], target: int) -> int:
    """Plans for ``PLAN_SHARE`` of the open clients with a named worker, about ``target``
    versions in all: each version published (frozen, reviewed with goal ratings when a review
    was due) but the latest, which is sometimes a draft; a version keeps most goals of the one
    before (their keys). Returns the number of versions."""
    zone = timezone.get_current_timezone()
    domains = {d.code: d.pk for d in LifeDomain.objects.all()}
    eligible = [p for p in people if p.coordinator is not None and p.closed_on is None and rng.random() < PLAN_SHARE]
    bar = loader.bar("care plans, versions, goals and reviews", total=target)
    written = 0
    for start in range(0, len(eligible), BULK_CHUNK):
        rows = _PlanRows()
        for index in range(start, min(start + BULK_CHUNK, len(eligible))):
            person = eligible[index]
            mean = max(1.0, (target - written - len(rows.versions)) / (len(eligible) - index))
            count = min(12, int(mean) + (1 if rng.random() < mean - int(mean) else 0))
            _plan_rows(loader, rng, today, zone, domains, person, count, rows)
        rows.write(loader)
        written += len(rows.versions)
        bar.update(len(rows.versions))
    bar.close()
    return written


def _key(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _plan_rows(
    loader: Loader,
    rng: random.Random,
    today: datetime.date,
    zone: datetime.tzinfo,
    domains: dict[str, int],
    person: Any,
    count: int,
    rows: _PlanRows,
) -> None:
    by = person.coordinator
    plan = loader.next_id(CarePlan)
    first = max(person.opened_on, today - datetime.timedelta(days=120 * count + rng.randint(0, 120)))
    step = max(1, (today - first).days // count)
    rows.plans.append((plan, datetime.datetime.combine(first, datetime.time(9), tzinfo=zone), person.id, by))
    draft_last = rng.random() < 0.5
    previous: int | None = None
    kept: list[tuple[uuid.UUID, tuple[str, str, str]]] = []
    for number in range(1, count + 1):
        made_on = min(today, first + datetime.timedelta(days=(number - 1) * step + rng.randint(0, step // 3)))
        published = not (number == count and draft_last)
        at = datetime.datetime.combine(made_on, datetime.time(10), tzinfo=zone)
        version = loader.next_id(PlanVersion)
        rows.versions.append(
            (
                version,
                number,
                PlanVersion.Status.PUBLISHED if published else PlanVersion.Status.DRAFT,
                rng.randint(1, 6),
                rng.choice(WISHES),
                rng.choice(STRENGTHS_CLIENT),
                rng.choice(STRENGTHS_PROFESSIONAL),
                rng.choice(BACKUPS),
                made_on + relativedelta(months=12),
                person.language,
                at,
                at if published else None,
                None,
                previous,
                by,
                plan,
                by if published else None,
                by,
            )
        )
        previous = version
        if kept and rng.random() < 0.3:
            kept = kept[:-1]
        words = {goal[0] for _key_, goal in kept}
        added = [
            goal
            for goal in goals_for(rng, person.age_on(made_on), rng.randint(1, 2) if kept else rng.randint(2, 3))
            if goal[0] not in words
        ]
        kept = kept + [(_key(rng), goal) for goal in added]
        goal_ids = []
        for order, (key, (client_words, professional_words, domain)) in enumerate(kept):
            goal = loader.next_id(PlanGoal)
            goal_ids.append(goal)
            rows.goals.append(
                (goal, key, order, client_words, professional_words, published, domains.get(domain), version)
            )
            for n in range(rng.randint(0, 2)):
                professional = rng.random() < 0.5
                rows.actions.append(
                    (
                        loader.next_id(GoalAction),
                        _key(rng),
                        n,
                        rng.choice(ACTIONS),
                        Responsible.PROFESSIONAL if professional else Responsible.CLIENT,
                        made_on + datetime.timedelta(days=rng.randint(30, 200)),
                        published,
                        None,
                        None,
                        by if professional else None,
                        goal,
                    )
                )
        for order, (name, provider, amount, times) in enumerate(rng.sample(SERVICES, rng.randint(1, 2))):
            days = sorted(rng.sample(range(7), rng.randint(2, 7)))
            rows.services.append(
                (
                    loader.next_id(PlanService),
                    _key(rng),
                    order,
                    name,
                    provider,
                    amount,
                    Jsonb([{"weekday": d, "time_of_day": t} for d in days for t in times if t in TimeOfDay.values]),
                    made_on if published else None,
                    rng.choice(["", "Omainen käy", "Korvaava käynti samana päivänä"]),
                    published,
                    version,
                )
            )
        if rng.random() < 0.25:
            client_position, professional_position, reasons = rng.choice(DISAGREEMENTS)
            rows.disagreements.append(
                (
                    loader.next_id(Disagreement),
                    _key(rng),
                    Disagreement.Subject.GOAL,
                    client_position,
                    professional_position,
                    reasons,
                    published,
                    goal_ids[0],
                    version,
                    None,
                )
            )
        held_on = made_on + datetime.timedelta(days=rng.randint(90, 330))
        if published and held_on < today:
            review = loader.next_id(PlanReview)
            rows.reviews.append(
                (review, held_on, "", datetime.datetime.combine(held_on, datetime.time(13), tzinfo=zone), by, version)
            )
            rows.outcomes += [
                (loader.next_id(GoalOutcome), rng.randint(2, 5), rng.randint(1, 5), "", goal, review)
                for goal in goal_ids
            ]
