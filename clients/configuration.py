"""The default referral partners: Kela (its benefits and its vocational rehabilitation),
employment services (työllisyyspalvelut, formerly TE-palvelut), the municipality's own
services, the wellbeing services county's (hyvinvointialue) health and social services and
the third sector. Installed by a migration; an administrator edits, adds and retires rows
afterwards (history is kept). ``ALIASES`` match the free text of referrals recorded before
partners were data."""

from typing import Any

# code, organisation, unit, kind
PARTNERS: list[tuple[str, str, str, str]] = [
    ("kela", "Kela", "", "kela"),
    ("kela_rehabilitation", "Kela", "Kelan ammatillinen kuntoutus", "kela"),
    ("employment", "Työllisyyspalvelut (TE)", "", "employment"),
    ("employment_work_ability", "Työllisyyspalvelut (TE)", "Työkykyä tukevat palvelut", "employment"),
    ("municipality_social", "Kunta", "Sosiaalipalvelut", "municipality"),
    ("municipality_housing", "Kunta", "Asuntotoimi", "municipality"),
    ("municipality_school", "Kunta", "Koulu, oppilashuolto", "municipality"),
    ("county_health", "Hyvinvointialue", "Terveyspalvelut, terveysasema", "county"),
    ("county_home_care", "Hyvinvointialue", "Kotihoito", "county"),
    ("county_rehabilitation", "Hyvinvointialue", "Kuntoutus ja apuvälineet", "county"),
    ("county_mental_health", "Hyvinvointialue", "Mielenterveys- ja päihdepalvelut", "county"),
    ("county_disability", "Hyvinvointialue", "Vammaispalvelut", "county"),
    ("county_adult_social", "Hyvinvointialue", "Aikuissosiaalityö", "county"),
    ("county_older_people", "Hyvinvointialue", "Ikäihmisten palvelut", "county"),
    ("county_family", "Hyvinvointialue", "Perheneuvola", "county"),
    ("county_child_neurology", "Hyvinvointialue", "Lastenneurologian poliklinikka", "county"),
    ("third_sector", "Järjestöt", "Vertaistuki ja vapaaehtoistoiminta", "third_sector"),
]
# Free text of earlier referrals (lower case) → the partner it names.
ALIASES: dict[str, str] = {
    "kela": "kela",
    "kelan ammatillinen kuntoutus": "kela_rehabilitation",
    "te-palvelut": "employment",
    "te-toimisto": "employment",
    "työllisyyspalvelut": "employment",
    "työllisyyspalvelut (te)": "employment",
    "kunta": "municipality_social",
    "sosiaalitoimi": "municipality_social",
    "koulu, oppilashuolto": "municipality_school",
    "terveyskeskus": "county_health",
    "terveysasema": "county_health",
    "kotihoito": "county_home_care",
    "kotikuntoutus": "county_rehabilitation",
    "apuvälinelainaamo": "county_rehabilitation",
    "mielenterveys- ja päihdepalvelut": "county_mental_health",
    "vammaispalvelut": "county_disability",
    "aikuissosiaalityö": "county_adult_social",
    "omaishoidon tuki": "county_older_people",
    "ateriapalvelu": "county_older_people",
    "perheneuvola": "county_family",
    "lastenneurologian poliklinikka": "county_child_neurology",
}


def install(partner: Any) -> None:
    """Adds the default partners that are missing; takes the model class so that a migration
    can pass its historical one."""
    for order, (code, organisation, unit, kind) in enumerate(PARTNERS):
        partner.objects.get_or_create(
            code=code, defaults={"organisation": organisation, "unit": unit, "kind": kind, "order": order}
        )


def match_free_text(partner: Any, referral: Any) -> None:
    """Points the referrals whose free text names a partner at it (the text cleared); the
    rest keep their text as "other"."""
    codes = dict(partner.objects.values_list("code", "pk"))
    names = {(f"{p.organisation}, {p.unit}" if p.unit else p.organisation).lower(): p.pk for p in partner.objects.all()}
    for text in referral.objects.filter(partner__isnull=True).values_list("counterpart", flat=True).distinct():
        key = text.strip().lower()
        pk = names.get(key) or codes.get(ALIASES.get(key, ""))
        if pk is not None:
            referral.objects.filter(partner__isnull=True, counterpart=text).update(partner_id=pk, counterpart="")
