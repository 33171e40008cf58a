"""The default configuration of personal budgets: service types with reference unit costs
and how many units a slot of the assessment's week grid stands for, a few approved
providers, and the rules (80 % threshold, 12-month period). Installed by a migration; an
administrator edits the rows afterwards (history is kept)."""

import datetime
from decimal import Decimal
from typing import Any

# code, fi, sv, en, unit, unit cost €, units per morning/midday/evening/night slot, domains, keywords
SERVICE_TYPES: list[tuple[Any, ...]] = [
    (
        "home_help",
        "Kotiapu",
        "Hemhjälp",
        "Home help",
        "hour",
        "38.50",
        ("1.5", "1.0", "1.0", "0"),
        ["daily_living", "family_carer"],
        "kotiapu,kotihoito,home help,hemhjälp,hemvård",
    ),
    (
        "personal_assistance",
        "Henkilökohtainen apu",
        "Personlig assistans",
        "Personal assistance",
        "hour",
        "27.00",
        ("2.0", "2.0", "2.0", "0"),
        ["inclusion", "other"],
        "avustaja,henkilökohtainen apu,assistans,assistance",
    ),
    (
        "day_activity",
        "Päivätoiminta",
        "Dagverksamhet",
        "Day activity",
        "day",
        "95.00",
        ("0", "1.0", "0", "0"),
        ["substances_mental"],
        "päivätoiminta,dagverksamhet,day activity",
    ),
    (
        "meals",
        "Ateriapalvelu",
        "Måltidsservice",
        "Meals",
        "meal",
        "9.80",
        ("0", "1.0", "0", "0"),
        ["health"],
        "ateria,måltid,meal",
    ),
    (
        "transport",
        "Kuljetuspalvelu",
        "Färdtjänst",
        "Transport",
        "trip",
        "24.00",
        ("0", "0", "0", "0"),
        [],
        "kuljetus,färdtjänst,transport,taksi",
    ),
]
PROVIDERS = [
    ("Kotiapu Kuopio Oy", "2345678-1", ["home_help", "meals"]),
    ("Hoivapalvelut Savo Oy", "3456789-2", ["home_help", "personal_assistance"]),
    ("Avustajakeskus Ry", "4567890-3", ["personal_assistance"]),
    ("Päivätoimintakeskus Kaari", "5678901-4", ["day_activity"]),
    ("Pohjois-Savon Taksi Oy", "6789012-5", ["transport"]),
]
RULES_FROM = datetime.date(2020, 1, 1)


def install(service_type: Any, provider: Any, rules: Any, life_domain: Any) -> None:
    """Adds the defaults that are missing; takes the model classes so that a migration can
    pass its historical ones."""
    types = {}
    for order, (code, fi, sv, en, unit, cost, units, domains, keywords) in enumerate(SERVICE_TYPES):
        morning, midday, evening, night = (Decimal(u) for u in units)
        row, created = service_type.objects.get_or_create(
            code=code,
            defaults={
                "order": order,
                "name_fi": fi,
                "name_sv": sv,
                "name_en": en,
                "unit": unit,
                "unit_cost": Decimal(cost),
                "units_morning": morning,
                "units_midday": midday,
                "units_evening": evening,
                "units_night": night,
                "keywords": keywords,
            },
        )
        if created:
            row.domains.set(life_domain.objects.filter(code__in=domains))
        types[code] = row
    for name, business_id, codes in PROVIDERS:
        row, created = provider.objects.get_or_create(business_id=business_id, defaults={"name": name})
        if created:
            row.service_types.set([types[code] for code in codes])
    rules.objects.get_or_create(valid_from=RULES_FROM)
