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
