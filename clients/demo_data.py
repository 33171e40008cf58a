"""Demo data of the clients app: the text pools of clients' histories (who made contact and why,
referrals, handovers, closures), shared by the small seed (built in the seed command) and the
bulk generator ``bulk_clients`` of the medium and large data sets, which writes clients with
their relationship periods, named workers (handovers), contacts and referrals by COPY."""

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from core.bulk import Loader
from teams.demo_data import Staff

from . import configuration
from .factories import FINNISH_MUNICIPALITIES
from .identity_code import make_identity_code
from .models import (
    PLANNED_CLOSURE_REASONS,
    Assignment,
    AssignmentEnd,
    BounceKind,
    Channel,
    Client,
    ClientView,
    ClosureReason,
    Contact,
    ContactSource,
    CoordinationReview,
    Referral,
    ReferralBounce,
    ReferralPartner,
    ReferralStatus,
    RelationshipPeriod,
    RetentionClass,
    ReviewDecision,
)
from .services import assessment_deadline

HANDOVER_REASONS = [
    "Työntekijän vaihto",
    "Työntekijä jäi eläkkeelle",
    "Alueen muutos",
    "Asiakkaan toive",
    "Työntekijä siirtyi toiseen tiimiin",
    "Asiakasmäärien tasaus",
]
FIRST_NAMES = ["Anna", "Marja", "Jari", "Timo", "Leena", "Sanna", "Pekka", "Tiina", "Mika", "Kaisa", "Heikki"]


class Group:
    OLDER = "older"  # 65 or over
    WORKING_AGE = "working_age"
    CHILD = "child"  # under 18: a child needing special support


# (source, who, reason): who made the contact and why, by client group. ``{name}`` is a
# relative's first name.
CONTACT_REASONS: dict[str, list[tuple[str, str, str]]] = {
    Group.OLDER: [
        (
            ContactSource.CLIENT,
            "",
            "Asiakas kertoo, ettei enää selviydy kotona kauppa-asioista ja siivouksesta.",
        ),
        (ContactSource.CLIENT, "", "Asiakas pyytää arviota kotihoidon tarpeesta; portaissa liikkuminen on vaikeaa."),
        (ContactSource.CLIENT, "", "Asiakas kysyy omaishoidon tuesta puolisonsa hoitoon."),
        (ContactSource.CLIENT, "", "Asiakas toivoo turvapuhelinta ja apua asunnon muutostöihin."),
        (
            ContactSource.RELATIVE,
            "tytär {name}",
            "Tytär on huolissaan äidin muistista: lääkkeet jäävät ottamatta ja ruoka syömättä.",
        ),
        (
            ContactSource.RELATIVE,
            "poika {name}",
            "Poika kertoo isän kaatuilleen kotona useita kertoja viime viikkoina.",
        ),
        (
            ContactSource.RELATIVE,
            "puoliso {name}",
            "Puoliso jaksaa huonosti omaishoitajana ja pyytää lyhytaikaishoitoa.",
        ),
        (
            ContactSource.KELA,
            "Kela, eläkettä saavan hoitotuki",
            "Kelan ilmoitus: eläkettä saavan hoitotuki myönnetty ylimmän luokan mukaan; avuntarve kotona kasvanut.",
        ),
        (
            ContactSource.KELA,
            "Kela",
            "Asumistukihakemuksen käsittelyssä ilmeni, ettei asiakas saa tarvitsemaansa apua kotona.",
        ),
        (
            ContactSource.HEALTH_CARE,
            "Keskussairaala, kotiutushoitaja",
            "Kotiutus sairaalasta lonkkamurtuman jälkeen; tarvitsee apua peseytymiseen ja liikkumiseen.",
        ),
        (
            ContactSource.HEALTH_CARE,
            "Muistipoliklinikka",
            "Muistisairaus todettu; tuen tarve kotona kasvaa ja omaiset toivovat palveluohjausta.",
        ),
        (
            ContactSource.HEALTH_CARE,
            "Terveyskeskus, lääkärin vastaanotto",
            "Toistuvia päivystyskäyntejä; lääkäri pyytää palvelutarpeen arviointia.",
        ),
        (
            ContactSource.OTHER_AUTHORITY,
            "Poliisi",
            "Huoli-ilmoitus (SHL 35 §): asiakas löydettiin kotoaan kaatuneena ja sekavana.",
        ),
        (
            ContactSource.OTHER_AUTHORITY,
            "Pelastuslaitos",
            "Liesi jäänyt toistuvasti päälle; huoli kotona asumisen turvallisuudesta.",
        ),
    ],
    Group.WORKING_AGE: [
        (ContactSource.CLIENT, "", "Asiakas hakee tukea työkyvyn selvittämiseen pitkän sairausloman jälkeen."),
        (
            ContactSource.CLIENT,
            "",
            "Asiakas kertoo, ettei raha riitä vuokraan ja lääkkeisiin; pyytää neuvontaa etuuksista.",
        ),
        (ContactSource.CLIENT, "", "Asiakas pyytää tukea asumiseen mielenterveyskuntoutujana."),
        (
            ContactSource.RELATIVE,
            "äiti {name}",
            "Äiti on huolissaan aikuisen poikansa jaksamisesta ja päihteiden käytöstä.",
        ),
        (
            ContactSource.RELATIVE,
            "puoliso {name}",
            "Puoliso pyytää tukea: asiakkaan MS-tauti on edennyt, eikä arki enää suju.",
        ),
        (
            ContactSource.KELA,
            "Kela",
            "Sairauspäivärahan enimmäisaika täyttymässä; työkyvyn tuen tarve on arvioitava.",
        ),
        (
            ContactSource.KELA,
            "Kela, kuntoutus",
            "Kela ohjasi asiakkaan palveluohjaukseen kuntoutustarpeen selvittämiseksi.",
        ),
        (
            ContactSource.HEALTH_CARE,
            "Työterveyshuolto",
            "Työterveyshuolto pyytää monialaista tukea työhön paluuseen.",
        ),
        (
            ContactSource.HEALTH_CARE,
            "Psykiatrian poliklinikka",
            "Kotiutuminen osastolta; tarvitsee tukea asumiseen ja arjen hallintaan.",
        ),
        (
            ContactSource.HEALTH_CARE,
            "Neurologian poliklinikka",
            "Aivoinfarktin jälkeinen kuntoutus päättymässä; tarvitsee apua kotona ja kuljetuspalvelua.",
        ),
        (
            ContactSource.OTHER_AUTHORITY,
            "TE-palvelut",
            "Pitkäaikaistyötön asiakas tarvitsee monialaista tukea ja työkyvyn selvittämistä.",
        ),
        (
            ContactSource.OTHER_AUTHORITY,
            "Aikuissosiaalityö",
            "Asunnottomuuden uhka vuokrarästien vuoksi; asiakas tarvitsee tukea asioiden hoitoon.",
        ),
    ],
    Group.CHILD: [
        (
            ContactSource.RELATIVE,
            "äiti {name}",
            "Äiti pyytää tukea arkeen: lapsen autismikirjon häiriö kuormittaa koko perhettä.",
        ),
        (ContactSource.RELATIVE, "isä {name}", "Isä kertoo lapsen koulunkäynnin katkenneen ja pyytää apua."),
        (
            ContactSource.RELATIVE,
            "vanhemmat",
            "Vanhemmat hakevat tukea lapsen vaikean pitkäaikaissairauden hoitoon kotona.",
        ),
        (
            ContactSource.HEALTH_CARE,
            "Lastenneurologian poliklinikka",
            "Kehitysvamma todettu; perhe tarvitsee palveluohjausta ja tukipalveluja.",
        ),
        (
            ContactSource.HEALTH_CARE,
            "Lastenpsykiatrian poliklinikka",
            "Lapsen hoito jatkuu avohoidossa; perhe tarvitsee tukea arkeen.",
        ),
        (
            ContactSource.OTHER_AUTHORITY,
            "Koulukuraattori",
            "Lapsella paljon poissaoloja; huoli jaksamisesta ja perheen tilanteesta.",
        ),
        (
            ContactSource.OTHER_AUTHORITY,
            "Varhaiskasvatus",
            "Lapsi tarvitsee erityistä tukea; perhe ohjattu palveluohjaukseen.",
        ),
        (
            ContactSource.KELA,
            "Kela",
            "Alle 16-vuotiaan vammaistuki myönnetty ylimmän mukaan; perhe ohjattu palveluohjaukseen.",
        ),
    ],
}
URGENT_REASONS: dict[str, list[tuple[str, str, str]]] = {
    Group.OLDER: [
        (
            ContactSource.RELATIVE,
            "poika {name}",
            "Omaishoitaja joutui äkillisesti sairaalaan; asiakas on yksin kotona ilman apua.",
        ),
        (
            ContactSource.HEALTH_CARE,
            "Päivystys",
            "Asiakas kotiutettu päivystyksestä yöllä; ei pysty liikkumaan eikä saa apua kotona.",
        ),
    ],
    Group.WORKING_AGE: [
        (ContactSource.CLIENT, "", "Asiakas häädetty asunnostaan, eikä hänellä ole yöpaikkaa."),
        (
            ContactSource.RELATIVE,
            "sisar {name}",
            "Akuutti kriisi: puoliso kuoli äkillisesti, eikä asiakas selviä arjesta.",
        ),
    ],
    Group.CHILD: [
        (
            ContactSource.HEALTH_CARE,
            "Lastenklinikka",
            "Vanhempi joutui sairaalahoitoon; lapsen hoito kotona on järjestettävä heti.",
        ),
    ],
}
CHANNELS = {
    ContactSource.CLIENT: [Channel.PHONE, Channel.PHONE, Channel.VISIT, Channel.ELECTRONIC],
    ContactSource.RELATIVE: [Channel.PHONE, Channel.PHONE, Channel.ELECTRONIC],
    ContactSource.KELA: [Channel.LETTER, Channel.ELECTRONIC],
    ContactSource.HEALTH_CARE: [Channel.ELECTRONIC, Channel.PHONE],
    ContactSource.OTHER_AUTHORITY: [Channel.LETTER, Channel.PHONE, Channel.ELECTRONIC],
}
# (partner code of ``clients/configuration.py``, reason) of outgoing referrals.
REFERRALS: dict[str, list[tuple[str, str]]] = {
    Group.OLDER: [
        ("kela", "Eläkettä saavan hoitotuen hakeminen; lääkärinlausunto liitteenä."),
        ("county_home_care", "Kotihoidon aloitus: aamu- ja iltakäynnit sekä lääkehoito."),
        ("county_health", "Muistitutkimukset ja lääkityksen tarkistus."),
        ("county_rehabilitation", "Rollaattori ja suihkutuoli kotiin."),
        ("county_rehabilitation", "Fysioterapeutin kotikäynnit kaatumisen jälkeen."),
        ("county_older_people", "Omaishoidon tuen hakemus puolison hoitoon."),
        ("county_older_people", "Kotiin kuljetettava ateria arkipäivisin."),
    ],
    Group.WORKING_AGE: [
        ("kela_rehabilitation", "Ammatillinen kuntoutus: kuntoutustarveselvitys."),
        ("employment_work_ability", "Työkykyä tukeva palvelu ja työkokeilu."),
        ("county_health", "Työkyvyn arviointi ja hoitosuunnitelma."),
        ("county_mental_health", "Avohoidon jatko ja tuettu asuminen."),
        ("county_adult_social", "Toimeentulotuki ja velkaneuvonta."),
        ("county_disability", "Henkilökohtainen apu ja kuljetuspalvelu."),
        ("county_home_care", "Tilapäinen kotihoito kotiutumisen tueksi."),
    ],
    Group.CHILD: [
        ("kela", "Alle 16-vuotiaan vammaistuki ja vaativa lääkinnällinen kuntoutus."),
        ("county_disability", "Lapsen tilapäishoito ja omaishoidon tuki vanhemmille."),
        ("county_child_neurology", "Kuntoutussuunnitelman päivitys."),
        ("county_family", "Vanhemmuuden tuki ja perheterapia."),
        ("municipality_school", "Koulunkäynnin tuki ja koulunkäyntiavustaja."),
    ],
}
# Typical days from a referral to its answer, per partner (the demo's partners differ).
ANSWER_DAYS = {
    "kela": 30,
    "kela_rehabilitation": 45,
    "employment_work_ability": 28,
    "county_health": 12,
    "county_home_care": 7,
    "county_mental_health": 25,
    "county_adult_social": 18,
    "county_disability": 35,
    "county_child_neurology": 40,
}
# Where a partner sends a client on when the referral is not theirs (pompottelu).
REDIRECTS = {
    "employment_work_ability": "kela_rehabilitation",
    "kela_rehabilitation": "employment_work_ability",
    "county_mental_health": "county_health",
    "county_health": "county_mental_health",
    "county_adult_social": "kela",
    "kela": "county_adult_social",
    "county_disability": "county_older_people",
    "county_family": "county_child_neurology",
    "municipality_school": "county_family",
}
# Share of closed outgoing referrals that bounced, and how (returned, refused, redirected).
BOUNCE_SHARE = 0.12
BOUNCE_WEIGHTS = {BounceKind.RETURNED: 3, BounceKind.REFUSED: 2, BounceKind.REDIRECTED: 4}
BOUNCE_NOTES = {
    BounceKind.RETURNED: "Lähete palautui: liitteet puuttuivat, eikä vastausta tullut.",
    BounceKind.REFUSED: "Kumppani ei ottanut asiakasta palveluun: kriteerit eivät täyttyneet.",
    BounceKind.REDIRECTED: "Kumppanin mukaan asia kuuluu toiselle toimijalle; ohjattiin eteenpäin.",
}


def answered_on(
    *, partner: str, status: str, sent: datetime.date, today: datetime.date, key: str
) -> datetime.date | None:
    """When a referral was answered, as its partner typically answers: an answered referral
    has a date, most closed ones too. Drawn from its own generator (``key``), so that the
    seeds' main streams, and everything they draw after, stay as they were."""
    if status not in (ReferralStatus.ANSWERED, ReferralStatus.CLOSED):
        return None
    rng = random.Random(f"answer:{key}")  # noqa: S311  # demo data, not secrets
    if status == ReferralStatus.CLOSED and rng.random() < 0.15:
        return None
    typical = ANSWER_DAYS.get(partner, 14)
    days = max(1, round(rng.gauss(typical, typical / 3)))
    return min(sent + datetime.timedelta(days=days), today)


@dataclass(frozen=True)
class Bounce:
    """How a seeded referral bounced: ``redirect_to`` is the partner code of a redirection."""

    kind: str
    on: datetime.date
    redirect_to: str
    note: str


def bounce_of(
    *, partner: str, status: str, sent: datetime.date, today: datetime.date, key: str, kind: BounceKind | None = None
) -> Bounce | None:
    """Whether a closed outgoing referral bounced, when and how (its own generator, as
    ``answered_on``); with ``kind``, it bounced so."""
    if status != ReferralStatus.CLOSED:
        return None
    rng = random.Random(f"bounce:{key}")  # noqa: S311  # demo data, not secrets
    if rng.random() >= BOUNCE_SHARE and not kind:
        return None
    kind = kind or rng.choices(list(BOUNCE_WEIGHTS), weights=list(BOUNCE_WEIGHTS.values()))[0]
    on = min(sent + datetime.timedelta(days=rng.randint(5, 40)), today)
    redirect_to = REDIRECTS.get(partner, "municipality_social") if kind == BounceKind.REDIRECTED else ""
    return Bounce(kind=kind, on=on, redirect_to=redirect_to, note=BOUNCE_NOTES[kind])


def redirected_progress(
    *, today: datetime.date, bounce: Bounce, closed_by_then: bool, open_now: bool, key: str
) -> tuple[str, datetime.date, datetime.date | None]:
    """The status, follow-up date and answer date of the referral a redirection made."""
    rng = random.Random(f"redirect:{key}")  # noqa: S311  # demo data, not secrets
    status, follow_up = referral_progress(rng, today, bounce.on, closed_by_then=closed_by_then, open_now=open_now)
    answered = answered_on(partner=bounce.redirect_to, status=status, sent=bounce.on, today=today, key=key)
    return status, follow_up, answered


HANDOVER_NOTES: dict[str, list[str]] = {
    Group.OLDER: [
        "Tärkeintä nyt: riittävätkö kotihoidon iltakäynnit. Tytär on päivittäin yhteydessä ja toivoo "
        "tekstiviestejä. Seuraava verkostopalaveri on sovittu.",
        "Asiakas toivoo, että soitat ennen kotikäyntiä. Kuulo on heikko: puhu selkeästi ja rauhallisesti. "
        "Hoitotukihakemus on Kelassa vireillä.",
        "Muistisairaus etenee. Puoliso on omaishoitaja ja tarvitsee vapaapäivänsä; lyhytaikaishoidon "
        "jaksot on sovittu kuukausittain.",
        "Asiakas on ollut tyytymätön palvelujen katkoksiin. Käy varasuunnitelma läpi hänen kanssaan "
        "(kuka tulee, jos kotihoito ei pääse). Avain on avainsäilössä.",
    ],
    Group.WORKING_AGE: [
        "Työkykyselvitys on kesken; TE-palvelujen yhteyshenkilö tuntee tilanteen. Asiakas on sitoutunut "
        "tavoitteisiin mutta väsyy helposti: tapaamiset mieluiten aamupäivisin.",
        "Asiakas kertoo itse mieluiten tilanteestaan; älä kysy samoja asioita uudelleen, vaan lue arvio. "
        "Velkaneuvonnan aika on varattu.",
        "Tuettu asuminen alkoi hiljattain. Asiakas toivoo yhteydenottoja tekstiviestillä; "
        "puheluihin hän ei aina vastaa.",
    ],
    Group.CHILD: [
        "Perhe luotti edelliseen työntekijään: esittäydy ensin puhelimitse äidille. Tilapäishoito ja "
        "koulunkäynnin tuki on järjestetty; suunnitelman tarkistus on tulossa.",
        "Lapsen oma toive on, että tapaamiset ovat kotona eikä koulussa. Vanhemmat ovat eronneet: "
        "tiedot kummallekin erikseen.",
    ],
}
NO_NAMED_WORKER_REASONS = [
    "Asiakas hoitaa asiansa itse; tarvitsee vain kertaluonteista neuvontaa, ei nimettyä työntekijää.",
    "Palvelut käynnissä ja tilanne vakaa; asiakas ja omainen eivät koe nimettyä työntekijää tarpeelliseksi.",
    "Asiakas kieltäytyi nimetystä työntekijästä; yhteydet hoidetaan tiimin yhteisen numeron kautta.",
    "Lyhyt neuvonta etuusasioissa; nimettyä työntekijää ei tarvita hakemuksen käsittelyn ajaksi.",
]
# What was reached, as a closure records it.
REACHED = {
    ClosureReason.GOALS_MET: "Kotihoito ja ateriapalvelu käynnistyivät; asiakas asuu kotona ja asioi itse kaupassa.",
    ClosureReason.SERVICES_CONTINUE: "Palvelukokonaisuus on vakiintunut ja tuottaja seuraa sitä; asiakas tietää, "
    "keneen ottaa yhteyttä.",
    ClosureReason.MOVED: "Tarpeet arvioitu ja tieto siirretty uuteen kuntaan asiakkaan suostumuksella.",
    ClosureReason.DECLINED: "Palvelutarve arvioitu; asiakas päätti pärjätä omaisten tuella.",
    ClosureReason.DECEASED: "Kotona asuminen tuettiin loppuun asti asiakkaan toiveen mukaisesti.",
    ClosureReason.OTHER: "Siirtyminen asumisyksikköön valmisteltiin yhdessä omaisten kanssa.",
}
# The client's own view, in their words, by whether coordination helped.
CLIENT_VIEW_WORDS = {
    ClientView.HELPED: [
        "Sain yhden ihmisen, joka tiesi kaiken. Ei tarvinnut kertoa asioita moneen kertaan.",
        "Minua kuunneltiin oikeasti.",
    ],
    ClientView.PARTLY: ["Apu tuli, mutta odottaminen oli raskasta.", "Hyvä, että joku piti langat käsissä."],
    ClientView.DID_NOT_HELP: ["En kokenut saavani siitä apua."],
    ClientView.NOT_ASKED: [""],
}
# How the views fall for a planned and an unplanned ending.
VIEW_WEIGHTS = {
    True: ((ClientView.HELPED, 6), (ClientView.PARTLY, 3), (ClientView.DID_NOT_HELP, 1)),
    False: ((ClientView.HELPED, 2), (ClientView.PARTLY, 3), (ClientView.DID_NOT_HELP, 2), (ClientView.NOT_ASKED, 3)),
}


def ending_of(reason: str, key: str) -> tuple[str, str, str, bool]:
    """What a closure records beside its reason: what was reached, the client's view and their
    words, and whether the ending was planned. Drawn from its own generator seeded by ``key``, so
    that the seeds' other draws come out as before."""
    rng = random.Random(f"ending {key}")  # noqa: S311  # demo data, not security
    planned = reason in PLANNED_CLOSURE_REASONS
    views, weights = zip(*VIEW_WEIGHTS[planned], strict=True)
    view = rng.choices(views, weights=weights)[0]
    if reason == ClosureReason.DECEASED:
        view = ClientView.NOT_ASKED
    return REACHED[ClosureReason(reason)], str(view), rng.choice(CLIENT_VIEW_WORDS[ClientView(view)]), planned


def review_point(opened: datetime.date, today: datetime.date, key: str, *, overdue_days: int = 5) -> datetime.date:
    """The open relationship's coordination review point: every ``COORDINATION_REVIEW_MONTHS``
    from the opening, the first not more than ``overdue_days`` past (a review has moved it on
    each time), with a spread of a few weeks drawn from ``key``."""
    months = settings.COORDINATION_REVIEW_MONTHS
    shift = datetime.timedelta(days=random.Random(f"review {key}").randint(0, 20))  # noqa: S311  # demo data
    point, step = opened + relativedelta(months=months) + shift, 1
    while point < today - datetime.timedelta(days=overdue_days):
        step += 1
        point = opened + relativedelta(months=months * step) + shift
    return point


CLOSING_SUMMARIES = {
    ClosureReason.GOALS_MET: "Tavoitteet saavutettu: tarvittavat palvelut käynnistyivät ja arki sujuu. "
    "Asiakas tietää, mihin ottaa yhteyttä, jos tilanne muuttuu.",
    ClosureReason.MOVED: "Asiakas muutti toiselle paikkakunnalle. Uuden kunnan palveluohjaukselle "
    "kerrottu tilanteesta asiakkaan suostumuksella.",
    ClosureReason.SERVICES_CONTINUE: "Palvelut jatkuvat ilman palveluohjausta; tilanne on vakaa ja "
    "palveluntuottaja hoitaa jatkossa yhteydet.",
    ClosureReason.DECLINED: "Asiakas ei halunnut jatkaa palveluohjausta. Kerrottu oikeudesta ottaa "
    "uudelleen yhteyttä milloin tahansa.",
    ClosureReason.DECEASED: "Asiakas on kuollut. Palvelut päätetty ja omaisille annettu tieto.",
    ClosureReason.OTHER: "Asiakas siirtyi ympärivuorokautiseen palveluasumiseen; vastuu siirtyi asumisyksikölle.",
}


# The bulk generator of the medium and large data sets.

CLOSED_SHARE = 0.08
REOPENED_SHARE = 0.015
NO_WORKER_SHARE = 0.025
PENDING_SHARE = 0.15  # open clients with a recent contact whose assessment has not started
INCOMING_SHARE = 0.07  # first contacts that came as a referral from another organisation
REFERRAL_SHARE = 0.6
CHILD_SHARE_OF_SOCIAL_WORKERS = 0.45
CHUNK = 5_000


def referral_progress(
    rng: random.Random, today: datetime.date, sent: datetime.date, *, closed_by_then: bool, open_now: bool
) -> tuple[str, datetime.date]:
    """A referral's status and follow-up date as its age makes plausible (the small and the
    large seed alike): old ones mostly answered or closed, those of a relationship closed since
    then closed; an answer sets the next follow-up, mostly still ahead, now and then missed."""
    age = (today - sent).days
    if closed_by_then:
        weights = [0, 0, 2, 8]
    elif age > 90:
        weights = [1, 2, 12, 60]
    elif age > 30:
        weights = [2, 3, 6, 8]
    else:
        weights = [10, 7, 3, 0]
    status = rng.choices(
        [ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.ANSWERED, ReferralStatus.CLOSED],
        weights=weights,
    )[0]
    follow_up = sent + datetime.timedelta(days=rng.randint(14, 30))
    if status == ReferralStatus.ANSWERED and open_now:
        follow_up = max(follow_up, today + datetime.timedelta(days=rng.randint(-10, 45)))
    elif status in (ReferralStatus.SENT, ReferralStatus.RECEIVED) and open_now:
        # One still waiting for its answer has been followed up and given a new date: days or
        # weeks ahead, or missed by as much, never the first date of years ago.
        follow_up = max(follow_up, today + datetime.timedelta(days=rng.randint(-30, 30)))
    return status, follow_up


STREETS = ["Koivukuja", "Rantatie", "Kirkkokatu", "Mäntytie", "Puistokatu", "Asematie", "Kauppakatu", "Myllytie"]
CLIENT_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "date_of_birth",
    "identity_code",
    "municipality",
    "preferred_language",
    "phone",
    "email",
    "address",
    "highest_care_allowance",
    "child_special_support",
    "no_named_worker_reason",
    "relationship_started_on",
    "closed_on",
    "created_at",
    "updated_at",
    "team_id",
)
PERIOD_COLUMNS = (
    "id",
    "opened_on",
    "closed_on",
    "closure_reason",
    "closing_summary",
    "retention_class",
    "retention_starts_on",
    "retention_ends_on",
    "client_id",
    "closed_by_id",
    "review_due_on",
    "reached",
    "client_view",
    "client_view_words",
    "planned_ending",
)
ASSIGNMENT_COLUMNS = (
    "id",
    "started_on",
    "ended_on",
    "reason",
    "end_reason",
    "handover_note",
    "note_read_at",
    "coordinator_id",
    "handed_over_by_id",
    "client_id",
)
CONTACT_COLUMNS = (
    "id",
    "contacted_on",
    "channel",
    "source",
    "source_name",
    "reason",
    "urgent",
    "deadline_rule",
    "assessment_due_on",
    "assessment_started_on",
    "cancelled_on",
    "created_at",
    "client_id",
    "recorded_by_id",
)
REFERRAL_COLUMNS = (
    "id",
    "direction",
    "counterpart",
    "reason",
    "status",
    "sent_on",
    "follow_up_on",
    "updated_at",
    "client_id",
    "contact_id",
    "created_by_id",
    "partner_id",
    "answered_on",
)
BOUNCE_COLUMNS = ("id", "referral_id", "kind", "bounced_on", "note", "redirected_to_id", "recorded_by_id", "created_at")


@dataclass(slots=True)
class Person:
    """One client of a bulk data set as the other apps' generators need them."""

    id: int
    team: int
    born: datetime.date
    language: str
    child: bool  # a child needing special support
    care_allowance: bool
    opened_on: datetime.date  # the current (last) relationship period
    closed_on: datetime.date | None
    coordinator: int | None = None  # the current named worker
    since: datetime.date | None = None
    workers: list[int] = field(default_factory=list)  # every named worker, in turn

    def age_on(self, day: datetime.date) -> int:
        return day.year - self.born.year - ((day.month, day.day) < (self.born.month, self.born.day))


@dataclass(frozen=True)
class Caseloads:
    """How the open clients are shared: the first coordinator of every team has ``big``, the
    other coordinators of the first lead's teams ``lead_teams`` each, the rest share what is left."""

    big: int = 150
    lead_teams: int = 67


def _kinds(rng: random.Random, count: int) -> list[str]:
    order = list(range(count))
    rng.shuffle(order)
    kinds = ["open"] * count
    closed, reopened, no_worker = (round(count * share) for share in (CLOSED_SHARE, REOPENED_SHARE, NO_WORKER_SHARE))
    for n, index in enumerate(order[: closed + reopened + no_worker]):
        kinds[index] = "closed" if n < closed else "reopened" if n < closed + reopened else "no_worker"
    return kinds


def _current_workers(rng: random.Random, kinds: list[str], staff: Staff, caseloads: Caseloads) -> dict[int, int]:
    """Client index -> current named worker, by the quotas of ``caseloads``."""
    waiting = [index for index, kind in enumerate(kinds) if kind in ("open", "reopened")]
    rng.shuffle(waiting)
    first_lead = staff.lead_of[staff.teams[0]]
    quotas: list[tuple[int, int]] = []
    rest: list[int] = []
    for team in staff.teams:
        big, *others = staff.coordinators_of[team]
        quotas.append((big, caseloads.big))
        if staff.lead_of[team] == first_lead:
            quotas += [(pk, caseloads.lead_teams) for pk in others]
        else:
            rest += others
    current: dict[int, int] = {}
    for coordinator, quota in quotas:
        for index in waiting[:quota]:
            current[index] = coordinator
        waiting = waiting[quota:]
    rest = rest or [pk for pk, _quota in quotas]
    for n, index in enumerate(waiting):
        current[index] = rest[n % len(rest)]
    return current


def bulk_clients(
    loader: Loader, *, rng: random.Random, today: datetime.date, staff: Staff, count: int, caseloads: Caseloads
) -> list[Person]:
    """Writes ``count`` clients with their history; returns them as ``Person`` rows."""
    from faker.providers.person.fi_FI import Provider as Names

    kinds = _kinds(rng, count)
    current = _current_workers(rng, kinds, staff, caseloads)
    first_names = sorted(set(Names.first_names_female) | set(Names.first_names_male))
    last_names = sorted(Names.last_names)
    ids = loader.ids(Client, count)
    people: list[Person] = []
    born_counts: dict[datetime.date, int] = {}
    builder = _Histories(loader, rng, today, staff)
    bar = loader.bar("clients and their history", total=count)
    for start in range(0, count, CHUNK):
        clients: list[tuple[Any, ...]] = []
        for index in range(start, min(start + CHUNK, count)):
            kind = kinds[index]
            coordinator = current.get(index)
            team = staff.team_of[coordinator] if coordinator else rng.choice(staff.teams)
            child = (
                coordinator in staff.social_workers if coordinator else rng.random() < 0.04 and kind == "closed"
            ) and rng.random() < CHILD_SHARE_OF_SOCIAL_WORKERS
            if child:
                age = rng.randint(3, 17)
            else:
                age = rng.choices([rng.randint(75, 98), rng.randint(65, 74), rng.randint(18, 64)], weights=[5, 2, 3])[0]
            born = today - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
            allowance = (age >= 65 and rng.random() < 0.18) or (age >= 40 and rng.random() < 0.03)
            language = rng.choices(["fi", "sv", "en"], weights=[88, 10, 2])[0]
            person = Person(ids[index], team, born, language, child, allowance, today, None)
            builder.history(person, kind, coordinator)
            n = born_counts.get(born, 0)
            born_counts[born] = n + 1
            first, last = rng.choice(first_names), rng.choice(last_names)
            opened_at = _at(person.opened_on, 9)
            clients.append(
                (
                    person.id,
                    first,
                    last,
                    born,
                    make_identity_code(born, 900 + n % 100),
                    rng.choice(FINNISH_MUNICIPALITIES),
                    language,
                    f"040 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    "",
                    f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                    allowance,
                    child,
                    rng.choice(NO_NAMED_WORKER_REASONS) if kind == "no_worker" else "",
                    person.opened_on,
                    person.closed_on,
                    opened_at,
                    opened_at,
                    team,
                )
            )
            people.append(person)
        loader.copy(Client, CLIENT_COLUMNS, clients)
        builder.flush()
        bar.update(len(clients))
    bar.close()
    return people


def _wait_for_a_worker(person: Person, span: int) -> int:
    """Days from the opening to the first named worker, as the small seed has them: sometimes
    the worker was found a few days after the intake (the caseload's "days without a named
    worker"). Drawn from the client's own generator, so that the rest of the seed stays as it was."""
    own = random.Random(f"worker-wait:{person.id}")  # noqa: S311  # demo data, not secrets
    return own.randint(2, 12) if span > 60 and own.random() < 0.05 else 0


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


class _Histories:
    """Relationship periods, named workers with handovers, contacts and referrals of one
    client at a time, the rows kept until ``flush`` writes them."""

    def __init__(self, loader: Loader, rng: random.Random, today: datetime.date, staff: Staff) -> None:
        self.loader, self.rng, self.today, self.staff = loader, rng, today, staff
        self.periods: list[tuple[Any, ...]] = []
        self.assignments: list[tuple[Any, ...]] = []
        self.contacts: list[tuple[Any, ...]] = []
        self.referrals: list[tuple[Any, ...]] = []
        self.bounces: list[tuple[Any, ...]] = []
        # The partners the configuration migration installed (put back in a flushed database), by code.
        configuration.install(ReferralPartner)
        self.partners: dict[str, int] = dict(ReferralPartner.objects.values_list("code", "pk"))
        # What every seed shows whatever its draws (which follow the ids a database hands out):
        # each kind of bounce, and in the demo coordinator's caseload a referral to employment
        # services redirected to Kela's vocational rehabilitation (the referral partners' story).
        self.unshown_bounces: list[BounceKind] = list(BOUNCE_WEIGHTS)
        self.demo_coordinator = staff.coordinators_of[staff.teams[0]][0] if staff.teams else None
        self.redirect_shown = False

    def flush(self) -> None:
        self.loader.copy(RelationshipPeriod, PERIOD_COLUMNS, self.periods)
        self.loader.copy(Assignment, ASSIGNMENT_COLUMNS, self.assignments)
        self.loader.copy(Contact, CONTACT_COLUMNS, self.contacts)
        self.loader.copy(Referral, REFERRAL_COLUMNS, self.referrals)
        self.loader.copy(ReferralBounce, BOUNCE_COLUMNS, self.bounces)
        self.periods, self.assignments, self.contacts, self.referrals = [], [], [], []
        self.bounces = []

    def _day(self, low: datetime.date, high: datetime.date) -> datetime.date:
        return low + datetime.timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def _group(self, person: Person, on: datetime.date) -> str:
        age = person.age_on(on)
        if age < 18 or person.child:
            return Group.CHILD
        return Group.OLDER if age >= 65 else Group.WORKING_AGE

    def history(self, person: Person, kind: str, coordinator: int | None) -> None:
        today, day = self.today, datetime.timedelta(days=1)
        earliest = max(person.born + 365 * day, today - 2000 * day)
        periods: list[tuple[datetime.date, datetime.date | None]]
        if kind == "reopened":
            first_opened = self._day(earliest, today - 600 * day)
            first_closed = self._day(first_opened + 90 * day, first_opened + 400 * day)
            periods = [(first_opened, first_closed), (self._day(first_closed + 30 * day, today - 60 * day), None)]
        elif kind == "closed":
            opened = self._day(earliest, today - 150 * day)
            periods = [(opened, self._day(opened + 60 * day, today - day))]
        else:
            periods = [(self._day(earliest, today - 30 * day), None)]
        for number, (opened, closed) in enumerate(periods):
            period_id = self.loader.next_id(RelationshipPeriod)
            last_worker = coordinator if closed is None else None
            if kind == "no_worker":
                closing_worker = self._no_worker(person, opened)
            else:
                closing_worker = self._workers(person, opened, closed, last_worker, reopened=number > 0)
            self._contacts(person, opened, closed, pending=closed is None and coordinator is not None)
            if closed is None:
                review = review_point(opened, today, f"{person.id}")
                self.periods.append(
                    (period_id, opened, None, "", "", "", None, None, person.id, None, review, "", "", "", None)
                )
                continue
            self._close(person, period_id, opened, closed, closing_worker, kind)
        person.opened_on, person.closed_on = periods[-1]
        self._referrals(person)

    def _pool(self, person: Person) -> list[int]:
        pool = self.staff.coordinators_of[person.team]
        if person.child:
            pool = [pk for pk in pool if pk in self.staff.social_workers] or pool
        return pool

    def _no_worker(self, person: Person, opened: datetime.date) -> int | None:
        """SHL §42: no named worker, with the reason; half of them had one for a while."""
        rng, today = self.rng, self.today
        if rng.random() < 0.5 and (today - opened).days > 60:
            worker = rng.choice(self._pool(person))
            ended = self._day(opened + datetime.timedelta(days=30), today - datetime.timedelta(days=10))
            self.assignments.append(
                (
                    self.loader.next_id(Assignment),
                    opened,
                    ended,
                    "Uusi asiakas",
                    AssignmentEnd.NO_WORKER_NEEDED,
                    "",
                    None,
                    worker,
                    None,
                    person.id,
                )
            )
            person.workers.append(worker)
            return worker
        return None

    def _workers(
        self,
        person: Person,
        opened: datetime.date,
        closed: datetime.date | None,
        last: int | None,
        *,
        reopened: bool,
    ) -> int:
        """One to three named workers in turn, each change a handover with a note; the last
        is ``last`` (the current one) unless the period is closed. Returns the last."""
        rng = self.rng
        end = closed or self.today
        span = (end - opened).days
        count = max(1, min(rng.choices([1, 2, 3], weights=[6, 3, 1])[0], 1 + span // 90))
        starts = [opened]
        if count > 1 and span > 45:
            starts += [opened + datetime.timedelta(days=d) for d in sorted(rng.sample(range(30, span - 10), count - 1))]
        starts = [d for n, d in enumerate(starts) if n == 0 or (d - starts[n - 1]).days >= 20]
        starts[0] = opened + datetime.timedelta(days=_wait_for_a_worker(person, span))
        pool = self._pool(person)
        chain: list[int] = []
        for n in range(len(starts)):
            if n == len(starts) - 1 and last is not None:
                chain.append(last)
                continue
            chain.append(rng.choice(pool))
        # No one twice in a row: an earlier worker who is the next one's double gives way.
        for n in range(len(chain) - 2, -1, -1):
            if chain[n] == chain[n + 1]:
                others = [pk for pk in pool if pk != chain[n + 1] and (n == 0 or pk != chain[n - 1])]
                if others:
                    chain[n] = rng.choice(others)
                else:
                    del chain[n], starts[n + 1]
        for n, (worker, started) in enumerate(zip(chain, starts, strict=True)):
            final = n == len(chain) - 1
            ended = (closed if final else starts[n + 1]) if (closed or not final) else None
            end_reason = "" if ended is None else AssignmentEnd.CLOSURE if final else AssignmentEnd.HANDOVER
            reason = ("Asiakkuus avattu uudelleen" if reopened else "Uusi asiakas") if n == 0 else ""
            note, by, read = "", None, None
            if n > 0:
                reason = rng.choice(HANDOVER_REASONS)
                note = rng.choice(HANDOVER_NOTES[self._group(person, started)])
                by = chain[n - 1] if rng.random() < 0.75 else self.staff.lead_of[person.team]
                if (self.today - started).days > 3 or rng.random() < 0.5:
                    read = _at(
                        min(started + datetime.timedelta(days=rng.randint(0, 3)), self.today), rng.randint(8, 15)
                    )
            self.assignments.append(
                (self.loader.next_id(Assignment), started, ended, reason, end_reason, note, read, worker, by, person.id)
            )
            person.workers.append(worker)
            if final and ended is None:
                person.coordinator, person.since = worker, started
        return chain[-1]

    def _close(
        self,
        person: Person,
        period_id: int,
        opened: datetime.date,
        closed: datetime.date,
        worker: int | None,
        kind: str,
    ) -> None:
        """Stamped as ``services.close_client`` stamps a closure."""
        rng = self.rng
        reasons = [
            ClosureReason.GOALS_MET,
            ClosureReason.GOALS_MET,
            ClosureReason.SERVICES_CONTINUE,
            ClosureReason.SERVICES_CONTINUE,
            ClosureReason.MOVED,
            ClosureReason.DECLINED,
            ClosureReason.OTHER,
        ]
        age = person.age_on(closed)
        if age >= 75:
            reasons += [ClosureReason.DECEASED, ClosureReason.DECEASED]
        if kind == "reopened":
            reasons = [ClosureReason.GOALS_MET, ClosureReason.SERVICES_CONTINUE, ClosureReason.DECLINED]
        reason = rng.choice(reasons)
        if age < 18 or person.child:
            record_class = RetentionClass.CHILDREN
        else:
            record_class = RetentionClass.OLDER_PEOPLE if age >= 65 else RetentionClass.WORKING_AGE
        self.periods.append(
            (
                period_id,
                opened,
                closed,
                reason,
                CLOSING_SUMMARIES[ClosureReason(reason)],
                record_class,
                closed,
                closed + relativedelta(years=settings.RETENTION_YEARS[record_class]),
                person.id,
                worker if worker is not None else self.staff.lead_of[person.team],
                None,
                *ending_of(reason, f"{person.id} {period_id}"),
            )
        )

    def _contacts(self, person: Person, opened: datetime.date, closed: datetime.date | None, *, pending: bool) -> None:
        """The first contact of the period, and for some open clients a recent one still
        waiting for its assessment."""
        rng, today = self.rng, self.today
        self._contact(person, opened, closed, incoming=rng.random() < INCOMING_SHARE)
        if pending and rng.random() < PENDING_SHARE:
            recent = max(opened, today - datetime.timedelta(days=rng.randint(0, 30)))
            self._contact(person, recent, None, waiting=True, urgent=rng.random() < 0.05)

    def _contact(
        self,
        person: Person,
        on: datetime.date,
        closed: datetime.date | None,
        *,
        incoming: bool = False,
        waiting: bool = False,
        urgent: bool = False,
    ) -> None:
        rng = self.rng
        group = self._group(person, on)
        choices = URGENT_REASONS[group] if urgent else CONTACT_REASONS[group]
        if incoming:
            choices = [c for c in choices if c[0] not in (ContactSource.CLIENT, ContactSource.RELATIVE)] or choices
        source, who, reason = rng.choice(choices)
        channel = Channel.REFERRAL if incoming else rng.choice(CHANNELS[ContactSource(source)])
        stand_in = Client(
            date_of_birth=person.born,
            highest_care_allowance=person.care_allowance,
            child_special_support=person.child,
        )
        rule, due = assessment_deadline(client=stand_in, contacted_on=on, urgent=urgent)
        started: datetime.date | None = None
        cancelled: datetime.date | None = None
        if not waiting:
            if rng.random() < 0.85:
                started = on + datetime.timedelta(days=rng.randint(0, (due - on).days))
            else:
                started = due + datetime.timedelta(days=rng.randint(1, 15))
            if closed is not None and started > closed:
                started, cancelled = None, closed
            elif started > self.today:
                started = None
        recorder = person.workers[-1] if person.workers else self.staff.coordinators_of[person.team][0]
        pk = self.loader.next_id(Contact)
        source_name = who.format(name=rng.choice(FIRST_NAMES))
        self.contacts.append(
            (
                pk,
                on,
                channel,
                source,
                source_name,
                reason,
                urgent,
                rule,
                due,
                started,
                cancelled,
                _at(on, rng.randint(8, 15), rng.randint(0, 59)),
                person.id,
                recorder,
            )
        )
        if incoming:
            self.referrals.append(
                (
                    self.loader.next_id(Referral),
                    Referral.Direction.INCOMING,
                    source_name or "Terveyskeskus",
                    reason,
                    ReferralStatus.RECEIVED,
                    on,
                    None,
                    _at(on, 12),
                    person.id,
                    pk,
                    recorder,
                    None,
                    None,
                )
            )

    def _referrals(self, person: Person) -> None:
        rng, today = self.rng, self.today
        if rng.random() >= REFERRAL_SHARE or not person.workers:
            return
        for _ in range(rng.randint(1, 2)):
            low = person.opened_on
            high = min(person.closed_on or today, today)
            sent = self._day(low, high)
            closed = person.closed_on is not None
            status, follow_up = referral_progress(rng, today, sent, closed_by_then=closed, open_now=not closed)
            group = self._group(person, sent)
            code, reason = rng.choice(REFERRALS[group])
            pk = self.loader.next_id(Referral)
            key = f"{person.id}:{pk}"
            kind: BounceKind | None = None
            if self._shows_the_redirect(person, group):
                code, reason = next(pair for pair in REFERRALS[group] if pair[0] == "employment_work_ability")
                status, kind, self.redirect_shown = ReferralStatus.CLOSED, BounceKind.REDIRECTED, True
            elif status == ReferralStatus.CLOSED and self.unshown_bounces:
                kind = self.unshown_bounces[0]
            bounce = bounce_of(partner=code, status=status, sent=sent, today=today, key=key, kind=kind)
            if bounce is not None and bounce.kind in self.unshown_bounces:
                self.unshown_bounces.remove(BounceKind(bounce.kind))
            answered = answered_on(partner=code, status=status, sent=sent, today=today, key=key)
            if bounce is not None:
                answered = bounce.on if bounce.kind == BounceKind.REFUSED else None
            worker = person.workers[-1]
            self.referrals.append(
                (
                    pk,
                    Referral.Direction.OUTGOING,
                    "",
                    reason,
                    status,
                    sent,
                    None if rng.random() < 0.1 else follow_up,
                    _at(sent, 14),
                    person.id,
                    None,
                    worker,
                    self.partners[code],
                    answered,
                )
            )
            if bounce is not None:
                self._bounce(person, pk, reason, bounce, worker, closed=closed)

    def _shows_the_redirect(self, person: Person, group: str) -> bool:
        return (
            not self.redirect_shown
            and group == Group.WORKING_AGE
            and person.closed_on is None
            and person.workers[-1] == self.demo_coordinator
        )

    def _bounce(self, person: Person, referral: int, reason: str, bounce: Bounce, worker: int, *, closed: bool) -> None:
        """The bounce of a referral and, for a redirection, the referral to the new partner."""
        redirected_to = None
        if bounce.redirect_to:
            redirected_to = self.loader.next_id(Referral)
            status, follow_up, answered = redirected_progress(
                today=self.today, bounce=bounce, closed_by_then=closed, open_now=not closed, key=f"{referral}"
            )
            self.referrals.append(
                (
                    redirected_to,
                    Referral.Direction.OUTGOING,
                    "",
                    reason,
                    status,
                    bounce.on,
                    follow_up,
                    _at(bounce.on, 15),
                    person.id,
                    None,
                    worker,
                    self.partners[bounce.redirect_to],
                    answered,
                )
            )
        self.bounces.append(
            (
                self.loader.next_id(ReferralBounce),
                referral,
                bounce.kind,
                bounce.on,
                bounce.note,
                redirected_to,
                worker,
                _at(bounce.on, 15),
            )
        )


def seed_coordination_reviews(*, today: datetime.date, demo: Any) -> None:
    """The small seed's coordination reviews: the demo coordinator's clients opened long enough
    ago had their last review, which set the review point they have now; the first of them comes
    due within the reminder's lead days, so that the demo shows it coming due."""
    periods = list(
        RelationshipPeriod.objects.filter(
            closed_on__isnull=True,
            client__assignments__coordinator=demo,
            client__assignments__ended_on__isnull=True,
            opened_on__lte=today - relativedelta(months=7),
        ).order_by("client_id")
    )
    reviews = []
    for number, period in enumerate(periods):
        if number == 0:
            period.review_due_on = today + datetime.timedelta(days=5)
            period.save(update_fields=["review_due_on"])
        assert period.review_due_on is not None
        reviewed = max(
            period.review_due_on - relativedelta(months=settings.COORDINATION_REVIEW_MONTHS), period.opened_on
        )
        reviewed = min(reviewed, today - datetime.timedelta(days=1))
        view = (ClientView.HELPED, ClientView.PARTLY)[number % 2]
        reviews.append(
            CoordinationReview(
                period=period,
                client_id=period.client_id,
                reviewed_on=reviewed,
                due_on=reviewed,
                decision=ReviewDecision.CONTINUE,
                next_review_on=period.review_due_on,
                client_view=view,
                client_view_words=CLIENT_VIEW_WORDS[view][0],
                note="Kotihoidon käynnistyminen kesken; palveluohjausta tarvitaan vielä.",
                recorded_by=demo,
            )
        )
    CoordinationReview.objects.bulk_create(reviews)
