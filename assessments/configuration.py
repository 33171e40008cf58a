"""The default configuration of needs assessments: SHL §11's life domains and the need and
ICF scales, in Finnish, Swedish and English. Installed by a migration; an administrator may
edit the rows afterwards."""

from typing import Any

DOMAINS = [
    ("daily_living", "Arjessa suoriutuminen ja asuminen", "Vardag och boende", "Daily living and housing"),
    ("finances", "Taloudellinen tuki", "Ekonomiskt stöd", "Financial support"),
    ("safety", "Turvallisuus (väkivalta, kaltoinkohtelu)", "Trygghet (våld, utnyttjande)", "Safety (violence, abuse)"),
    (
        "inclusion",
        "Osallisuus ja sosiaaliset suhteet",
        "Delaktighet och sociala relationer",
        "Social inclusion and participation",
    ),
    ("health", "Terveys ja hyvinvointi", "Hälsa och välbefinnande", "Health and well-being"),
    (
        "child_development",
        "Lapsen kasvu ja kehitys",
        "Barnets uppväxt och utveckling",
        "Development and well-being of a child",
    ),
    (
        "substances_mental",
        "Päihteet ja mielenterveys",
        "Missbruk och psykisk hälsa",
        "Substance abuse and mental health",
    ),
    ("crisis", "Äkillinen kriisi", "Akut kris", "Crisis"),
    ("family_carer", "Läheisen hoiva ja omaishoito", "Vård av närstående", "Care of a family member"),
    ("other", "Muu tuen tarve", "Annat stödbehov", "Other needs"),
]
# The domains assessed for children only (``LifeDomain.ages``).
CHILDREN_ONLY = ["child_development"]
SCALES = {
    "need": [
        (0, "Ei tuen tarvetta", "Inget stödbehov", "No need for support"),
        (1, "Vähäinen tuen tarve", "Litet stödbehov", "Some need for support"),
        (2, "Merkittävä tuen tarve", "Betydande stödbehov", "Significant need for support"),
        (3, "Jatkuva tuen tarve", "Ständigt stödbehov", "Continuous need for support"),
    ],
    "icf": [
        (0, "Ei ongelmaa", "Inget problem", "No problem"),
        (1, "Lievä ongelma", "Lindrigt problem", "Mild problem"),
        (2, "Kohtalainen ongelma", "Måttligt problem", "Moderate problem"),
        (3, "Vaikea ongelma", "Svårt problem", "Severe problem"),
        (4, "Täydellinen ongelma", "Totalt problem", "Complete problem"),
    ],
}


def install(life_domain: Any, scale_level: Any) -> None:
    """Adds the defaults that are missing; takes the model classes so that a migration can
    pass its historical ones."""
    for order, (code, fi, sv, en) in enumerate(DOMAINS):
        life_domain.objects.get_or_create(
            code=code, defaults={"order": order, "name_fi": fi, "name_sv": sv, "name_en": en}
        )
    for scale, levels in SCALES.items():
        for value, fi, sv, en in levels:
            scale_level.objects.get_or_create(
                scale=scale, value=value, defaults={"name_fi": fi, "name_sv": sv, "name_en": en}
            )


# Work, studies and work ability (työ, opiskelu ja työkyky): the domain of multi-professional
# work-ability teams, for working-age adults, rated besides the need for support on its own
# work-ability scale (0 = works or studies … 3 = work ability to be cleared up first).
WORK_DOMAIN = "work"
WORK_DOMAIN_NAMES = ("Työ, opiskelu ja työkyky", "Arbete, studier och arbetsförmåga", "Work, studies and work ability")
WORK_SCALE = "work"
WORK_LEVELS = [
    (0, "Työssä tai opiskelee", "I arbete eller studerar", "Works or studies"),
    (
        1,
        "Työ- tai opiskelukykyinen tuettuna",
        "Arbets- eller studieförmögen med stöd",
        "Able to work or study with support",
    ),
    (
        2,
        "Työkyky osittain alentunut: kuntoutus ennen työtä",
        "Nedsatt arbetsförmåga: rehabilitering före arbete",
        "Work ability partly reduced: rehabilitation before work",
    ),
    (
        3,
        "Työkyky selvitettävä ensin",
        "Arbetsförmågan ska först utredas",
        "Work ability to be cleared up first",
    ),
]


def install_work_ability(life_domain: Any, scale_level: Any) -> None:
    """Adds the domain of work, studies and work ability and its scale where missing (a
    migration passes its historical models; ``install`` above predates the domain's fields)."""
    fi, sv, en = WORK_DOMAIN_NAMES
    other = life_domain.objects.filter(code="other").values_list("order", flat=True).first()
    life_domain.objects.get_or_create(
        code=WORK_DOMAIN,
        defaults={
            # Before "other needs" (domains of one order go by their codes).
            "order": max(0, other - 1) if other is not None else len(DOMAINS),
            "name_fi": fi,
            "name_sv": sv,
            "name_en": en,
            "ages": "working",
            "own_scale": WORK_SCALE,
        },
    )
    for value, level_fi, level_sv, level_en in WORK_LEVELS:
        scale_level.objects.get_or_create(
            scale=WORK_SCALE, value=value, defaults={"name_fi": level_fi, "name_sv": level_sv, "name_en": level_en}
        )
