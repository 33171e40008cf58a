import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from access.policy import Ground
from assessments import services as assessment_services
from assessments.models import Assessment, LifeDomain
from budgets import configuration
from budgets import services as budget_services
from budgets.models import Budget, BudgetRules, Provider, ServiceType
from clients.models import Client
from tests.conftest import World

GROUND = Ground.DESIGNATED_COORDINATOR


def period_start() -> datetime.date:
    """1 January of this year; the rules make the budget run to 31 December. The amounts the
    tests expect are for a year of 365 days: the budget tests pin today in one."""
    return datetime.date(timezone.localdate().year, 1, 1)


def install_configuration() -> None:
    """Transactional tests flush the rows the migration installed: put them back."""
    if not ServiceType.objects.exists():
        configuration.install(ServiceType, Provider, BudgetRules, LifeDomain)


@pytest.fixture(autouse=True)
def budget_configuration(request: pytest.FixtureRequest) -> None:
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        install_configuration()


def completed_assessment(world: World, client: Client) -> Assessment:
    """Known needs: home help Mon–Fri mornings (a service, "kotiapu") and Monday midday (not
    covered, daily living), meals every midday (not covered, health); a network-covered and a
    client-covered slot that the budget does not pay for.
    Home help 5 × 1.5 h + 1 × 1.0 h = 8.5 h/week; meals 7/week."""
    coordinator = world.coordinator
    assessment = assessment_services.start_assessment(
        client=client, by=coordinator, ground=GROUND, started_on=period_start() - datetime.timedelta(days=31)
    )
    daily = [{"weekday": d, "time_of_day": "morning", "coverage": "service", "service": "Kotiapu"} for d in range(5)]
    daily.append({"weekday": 0, "time_of_day": "midday", "coverage": ""})
    daily.append({"weekday": 6, "time_of_day": "evening", "coverage": "client"})
    assessment_services.set_need(
        assessment=assessment,
        domain=LifeDomain.objects.get(code="daily_living"),
        by=coordinator,
        ground=GROUND,
        level=2,
        slots=daily,
    )
    meals = [{"weekday": d, "time_of_day": "midday", "coverage": ""} for d in range(7)]
    assessment_services.set_need(
        assessment=assessment,
        domain=LifeDomain.objects.get(code="health"),
        by=coordinator,
        ground=GROUND,
        level=1,
        slots=meals,
    )
    assessment_services.update_assessment(
        assessment=assessment,
        by=coordinator,
        ground=GROUND,
        fields={
            "situation_summary": "Asuu yksin.",
            "professional_conclusion": "Tarvitsee apua.",
            "client_view": "Kotona.",
        },
    )
    return assessment_services.complete_assessment(
        assessment=assessment, by=coordinator, ground=GROUND, completed_on=period_start() - datetime.timedelta(days=22)
    )


@dataclass
class Setup:
    world: World
    client: Client
    budget: Budget


def accepted_budget(world: World, *, calculate: bool = True) -> Setup:
    client = world.give(world.coordinator)
    if calculate:
        completed_assessment(world, client)
    budget = budget_services.offer_budget(
        client=client,
        by=world.coordinator,
        ground=GROUND,
        period_start=period_start(),
        offered_on=period_start() - datetime.timedelta(days=17),
    )
    budget_services.decide_budget(
        budget=budget,
        accepted=True,
        by=world.coordinator,
        ground=GROUND,
        decided_on=period_start() - datetime.timedelta(days=12),
    )
    if calculate:
        budget = budget_services.calculate_budget(budget=budget, by=world.coordinator, ground=GROUND)
    return Setup(world, client, budget)


@pytest.fixture
def setup(world: World) -> Setup:
    return accepted_budget(world)
