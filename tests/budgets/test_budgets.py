"""Personal budgets: the calculation from the assessment, money to the cent, spending never
past a line's allocation, reallocation, declined budgets, bad input, the ledger and pages."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, ProgrammingError, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import AccessEvent
from budgets import calculation, selectors, services
from budgets.models import Budget, BudgetLine, Provider, Reallocation, ServiceType, Spending
from budgets.money import euros, to_cents
from core.errors import ConflictError
from tests.conftest import World

from .conftest import GROUND, Setup, accepted_budget, period_start

# The ledger, the burn rate and the forecasts are for days of 2026: the tests run on a pinned day.
pytestmark = [pytest.mark.usefixtures("db"), pytest.mark.today(datetime.date(2026, 11, 27))]


def _line(budget: Budget, code: str) -> BudgetLine:
    return BudgetLine.objects.get(budget=budget, service_type__code=code)


def _provider(business_id: str) -> Provider:
    return Provider.objects.get(business_id=business_id)


HOME_HELP_PROVIDER = "2345678-1"  # Kotiapu Kuopio Oy: home help and meals
DAY_ACTIVITY_PROVIDER = "5678901-4"  # approved for day activity only


# Money


def test_rounding_to_cents_is_half_up_once() -> None:
    assert to_cents(Decimal("0.005")) == Decimal("0.01")
    assert to_cents(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert to_cents(Decimal("0.025")) == Decimal("0.03")  # banker's rounding would give 0.02
    assert to_cents(Decimal("-0.005")) == Decimal("-0.01")  # away from zero
    # 0.5 units × 0.05 € × 7 days / 7 = 0.025 € → 0.03 €, rounded at the end, not on the way.
    assert calculation.line_amount(Decimal("0.5"), Decimal("0.05"), 7) == Decimal("0.03")
    # 1.5 h × 27 € × 30 / 7 = 173.5714… → 173.57
    assert calculation.line_amount(Decimal("1.5"), Decimal("27.00"), 30) == Decimal("173.57")
    assert euros(Decimal("17063.75")) == "17\u00a0063,75\u00a0€"


# Calculation


def test_calculation_from_known_hours_and_unit_costs(setup: Setup) -> None:
    budget = setup.budget
    # Home help: (5 × 1.5 + 1.0) h/week × 38.50 € × 365 / 7 = 17 063.75 €.
    # Meals: 7/week × 9.80 € × 365 / 7 = 3 577.00 €. The network's and the client's slots do not count.
    home_help, meals = _line(budget, "home_help"), _line(budget, "meals")
    assert home_help.units_per_week == Decimal("8.50")
    assert home_help.allocated == home_help.calculated == Decimal("17063.75")
    assert meals.units_per_week == Decimal("7.00")
    assert meals.allocated == Decimal("3577.00")
    assert budget.calculated_amount == budget.amount == Decimal("20640.75")
    assert budget.lines.count() == 2
    assert budget.adjustment_reason == ""


def test_adjusting_the_calculation_needs_a_reason(world: World) -> None:
    setup = accepted_budget(world, calculate=False)
    from tests.budgets.conftest import completed_assessment

    completed_assessment(world, setup.client)
    with pytest.raises(ValidationError) as error:
        services.calculate_budget(
            budget=setup.budget, by=world.coordinator, ground=GROUND, allocations={"transport": Decimal("480.00")}
        )
    assert "reason" in error.value.message_dict
    assert not BudgetLine.objects.filter(budget=setup.budget).exists()
    budget = services.calculate_budget(
        budget=setup.budget,
        by=world.coordinator,
        ground=GROUND,
        allocations={"transport": Decimal("480.00"), "meals": Decimal("3000.00")},
        reason="Kaksi asiointimatkaa kuussa; ateriat osin omaiselta.",
        client_wishes="Haluan käydä kaupassa itse.",
    )
    assert budget.calculated_amount == Decimal("20640.75")
    assert budget.amount == Decimal("17063.75") + Decimal("3000.00") + Decimal("480.00")
    assert _line(budget, "transport").calculated == 0
    assert budget.adjustment_reason.startswith("Kaksi")


# Spending


def _spend(setup: Setup, amount: str, code: str = "home_help", **kwargs: object) -> Spending:
    line = _line(setup.budget, code)
    values: dict[str, object] = {
        "line": line,
        "amount": Decimal(amount),
        "delivered_on": datetime.date(2026, 3, 2),
        "provider": _provider(HOME_HELP_PROVIDER),
        "by": setup.world.coordinator,
        "ground": GROUND,
        **kwargs,
    }
    return services.record_spending(**values)  # type: ignore[arg-type]


def test_spending_up_to_the_allocation_and_not_a_cent_more(setup: Setup) -> None:
    _spend(setup, "17000.00")
    _spend(setup, "63.75", kind=Spending.Kind.SERVICE_EVENT)
    with pytest.raises(ValidationError) as error:
        _spend(setup, "0.01")
    assert "0,00" in error.value.message_dict["amount"][0]
    line = _line(setup.budget, "home_help")
    assert (line.spent, line.committed, line.left) == (Decimal("17000.00"), Decimal("63.75"), Decimal("0.00"))


def test_the_database_refuses_an_overspent_line_even_without_the_service(setup: Setup) -> None:
    line = _line(setup.budget, "meals")
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(spent=line.allocated + Decimal("0.01"))


def test_going_over_needs_a_reallocation_that_keeps_the_total_and_is_audited(setup: Setup) -> None:
    budget, world = setup.budget, setup.world
    _spend(setup, "17063.75")
    home_help, meals = _line(budget, "home_help"), _line(budget, "meals")
    before = AccessEvent.objects.filter(client=setup.client, what="budget.reallocation").count()
    services.reallocate(
        budget=budget,
        from_line=meals,
        to_line=home_help,
        amount=Decimal("500.00"),
        reason="Ateriat tulevat osin tyttäreltä; kotiapua tarvitaan enemmän.",
        by=world.coordinator,
        ground=GROUND,
    )
    _spend(setup, "500.00")
    lines = BudgetLine.objects.filter(budget=budget)
    assert sum(line.allocated for line in lines) == Decimal("20640.75") == Budget.objects.get(pk=budget.pk).amount
    move = Reallocation.objects.get(budget=budget)
    assert (move.from_line, move.to_line, move.amount) == (meals, home_help, Decimal("500.00"))
    assert AccessEvent.objects.filter(client=setup.client, what="budget.reallocation").count() == before + 1
    with pytest.raises(ProgrammingError), transaction.atomic():  # the trail cannot be rewritten
        Reallocation.objects.filter(pk=move.pk).update(reason="muutettu")


def test_an_increase_raises_the_total(setup: Setup) -> None:
    services.reallocate(
        budget=setup.budget,
        to_line=_line(setup.budget, "meals"),
        amount=Decimal("100.50"),
        reason="Lisäateriat toipumisajaksi.",
        by=setup.world.coordinator,
        ground=GROUND,
    )
    assert Budget.objects.get(pk=setup.budget.pk).amount == Decimal("20741.25")
    with pytest.raises(ValidationError) as error:
        services.reallocate(
            budget=setup.budget,
            from_line=_line(setup.budget, "meals"),
            to_line=_line(setup.budget, "home_help"),
            amount=Decimal("99999.00"),
            reason="Liikaa",
            by=setup.world.coordinator,
            ground=GROUND,
        )
    assert "amount" in error.value.message_dict


def test_a_declined_budget_takes_no_spending(world: World, api: APIClient) -> None:
    client = world.give(world.coordinator)
    budget = services.offer_budget(client=client, by=world.coordinator, ground=GROUND, period_start=period_start())
    services.decide_budget(budget=budget, accepted=False, by=world.coordinator, ground=GROUND, decline_reason="Ei nyt.")
    # A line left over from elsewhere (say, a stale form): the service still refuses it.
    line = BudgetLine.objects.create(
        budget=budget, service_type=ServiceType.objects.get(code="meals"), allocated=Decimal("100.00")
    )
    with pytest.raises(ConflictError):
        services.record_spending(
            line=line, amount=Decimal("1.00"), delivered_on=period_start(), by=world.coordinator, ground=GROUND
        )
    api.force_login(world.coordinator)
    url = reverse("api-budget-line-spending", kwargs={"pk": line.pk})
    response = api.post(url, {"amount": "1.00", "delivered_on": "2026-02-01"}, format="json")
    assert response.status_code == 409
    response = api.post(reverse("api-budget-calculation", kwargs={"pk": budget.pk}), {}, format="json")
    assert response.status_code == 409
    assert not Spending.objects.exists()
    assert Budget.objects.get(pk=budget.pk).decline_reason == "Ei nyt."


BAD_SPENDING = [
    ({"amount": "-5.00"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"amount": "kymppi"}, "amount"),
    ({"amount": "10.005"}, "amount"),
    ({"amount": None}, "amount"),
    ({"provider": 999999}, "provider"),
    ({"provider": "day-activity"}, "provider"),  # not approved for home help
    ({"delivered_on": "2025-12-31"}, "delivered_on"),  # before the period
    ({"delivered_on": "2027-01-01"}, "delivered_on"),  # after it
    ({"delivered_on": "eilen"}, "delivered_on"),
    ({"units": "-1"}, "units"),
    ({"kind": "cash_to_client"}, "kind"),
    ({"extra": "x"}, "extra"),
]


@pytest.mark.parametrize(("change", "field"), BAD_SPENDING, ids=[f for _, f in BAD_SPENDING])
def test_bad_spending_is_a_400_with_field_errors_and_nothing_saved(
    setup: Setup, api: APIClient, change: dict[str, object], field: str
) -> None:
    line = _line(setup.budget, "home_help")
    payload: dict[str, object] = {
        "amount": "120.00",
        "delivered_on": "2026-03-02",
        "provider": _provider(HOME_HELP_PROVIDER).pk,
        "units": "3",
    }
    payload.update(change)
    if payload["provider"] == "day-activity":
        payload["provider"] = _provider(DAY_ACTIVITY_PROVIDER).pk
    api.force_login(setup.world.coordinator)
    response = api.post(
        reverse("api-budget-line-spending", kwargs={"pk": line.pk}),
        json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Spending.objects.exists()
    assert _line(setup.budget, "home_help").spent == 0


def test_api_round_trip_offer_accept_calculate_choose_spend(world: World, api: APIClient) -> None:
    client = world.give(world.coordinator)
    from tests.budgets.conftest import completed_assessment

    completed_assessment(world, client)
    api.force_login(world.coordinator)
    response = api.post(
        reverse("api-client-budgets", kwargs={"pk": client.pk}), {"period_start": "2026-01-01"}, format="json"
    )
    assert response.status_code == 201, response.content
    budget = response.json()
    assert (budget["status"], budget["period_end"]) == ("offered", "2026-12-31")
    pk = budget["id"]
    response = api.post(reverse("api-budget-decision", kwargs={"pk": pk}), {"accepted": True}, format="json")
    assert response.json()["status"] == "accepted"
    response = api.post(reverse("api-budget-calculation", kwargs={"pk": pk}), {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "20640.75"
    line = next(row for row in response.json()["lines"] if row["service_type"] == "home_help")
    provider = _provider(HOME_HELP_PROVIDER)
    response = api.patch(
        reverse("api-budget-line", kwargs={"pk": line["id"]}), {"provider": provider.pk}, format="json"
    )
    assert response.json()["provider"] == provider.pk
    response = api.patch(
        reverse("api-budget-line", kwargs={"pk": line["id"]}),
        {"provider": _provider(DAY_ACTIVITY_PROVIDER).pk},
        format="json",
    )
    assert response.status_code == 400
    assert "provider" in response.json()
    response = api.post(
        reverse("api-budget-line-spending", kwargs={"pk": line["id"]}),
        {"amount": "385.00", "units": "10", "delivered_on": "2026-02-27", "reference": "LASKU-1"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["provider"] == provider.pk  # the money goes to the chosen provider
    lines = api.get(reverse("api-budget-lines", kwargs={"pk": pk})).json()
    home = next(row for row in lines if row["service_type"] == "home_help")
    assert (home["spent"], home["left"]) == ("385.00", "16678.75")
    response = api.post(
        reverse("api-budget-reallocations", kwargs={"pk": pk}),
        {"to_line": line["id"], "amount": "-3", "reason": ""},
        format="json",
    )
    assert response.status_code == 400
    assert {"amount", "reason"} <= set(response.json())


def test_lines_over_threshold_in_one_query(setup: Setup, django_assert_num_queries: object) -> None:
    _spend(setup, "2900.00", code="meals")  # 81 % of 3 577.00
    _spend(setup, "100.00")  # home help: under 1 %
    with django_assert_num_queries(1):  # type: ignore[operator]
        rows = list(selectors.lines_over_threshold(datetime.date(2026, 6, 1)))
    used = [(row.service_type.code, row.used_amount) for row in rows]  # type: ignore[attr-defined]
    assert used == [("meals", Decimal("2900.00"))]
    assert rows[0].used_percent == Decimal("81.07")  # type: ignore[attr-defined]
    assert rows[0].budget.client == setup.client
    assert list(selectors.lines_over_threshold(datetime.date(2027, 1, 1))) == []  # the period is over


def test_ledger_burn_rate_and_forecast(setup: Setup) -> None:
    _spend(setup, "3000.00", code="meals", delivered_on=datetime.date(2026, 1, 20))
    budget = selectors.budget_with_lines(setup.budget.pk)
    ledger = selectors.ledger(budget, datetime.date(2026, 1, 31))
    meals = next(row for row in ledger.lines if row.line.service_type.code == "meals")
    # 3 000 € in 31 days: 96.77 €/day; 577 € left lasts 5 more days.
    assert meals.burn_per_month == Decimal("2903.23")
    assert meals.runs_out_on == datetime.date(2026, 2, 5)
    assert meals.over_threshold
    assert ledger.allocated == Decimal("20640.75")
    chart = selectors.chart(budget, datetime.date(2026, 1, 31))
    assert len(chart.months) == 12
    assert chart.months[0].spent == Decimal("3000.00")
    assert chart.months[-1].planned == Decimal("20640.75")


# Pages


def test_budget_pages_render_with_a_bounded_number_of_queries(
    setup: Setup, client: object, django_assert_max_num_queries: object
) -> None:
    for day in range(1, 28):
        _spend(setup, "10.00", delivered_on=datetime.date(2026, 2, day))
    client.force_login(setup.world.coordinator)  # type: ignore[attr-defined]
    with django_assert_max_num_queries(40):  # type: ignore[operator]
        response = client.get(reverse("budget-detail", kwargs={"pk": setup.budget.pk}))  # type: ignore[attr-defined]
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body
    assert "270,00" in body
    response = client.get(reverse("budget-ledger-csv", kwargs={"pk": setup.budget.pk}))  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("text/csv")
    assert "17063.75" in response.content.decode()
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get(reverse("client-budgets", kwargs={"pk": setup.client.pk}))  # type: ignore[attr-defined]
    assert response.status_code == 200


def test_page_spending_over_the_line_shows_the_error_and_saves_nothing(setup: Setup, client: object) -> None:
    line = _line(setup.budget, "meals")
    client.force_login(setup.world.coordinator)  # type: ignore[attr-defined]
    response = client.post(  # type: ignore[attr-defined]
        reverse("budget-spending", kwargs={"pk": setup.budget.pk}),
        {
            "spending-line": line.pk,
            "spending-provider": _provider(HOME_HELP_PROVIDER).pk,
            "spending-kind": "invoice",
            "spending-amount": "3577.01",
            "spending-delivered_on": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert "3\u00a0577,00" in response.content.decode()
    assert not Spending.objects.exists()


def test_a_nurse_on_the_care_team_does_not_see_the_budget(world: World, api: APIClient) -> None:
    api.force_login(world.member)
    response = api.get(reverse("api-client-budgets", kwargs={"pk": world.own_client.pk}))
    assert response.status_code == 403


def test_a_line_links_to_the_care_plans_services(world: World, api: APIClient, client: object) -> None:
    from care_plans.models import PlanService

    service = PlanService.objects.create(version=world.plan_draft, service="Kotiapu aamuisin", provider="Kotiapu Oy")
    line = world.budget_line
    api.force_login(world.coordinator)
    url = reverse("api-budget-line", kwargs={"pk": line.pk})
    response = api.patch(url, {"plan_services": [service.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["plan_services"] == [service.pk]
    other = accepted_budget(world, calculate=False)
    stranger = BudgetLine.objects.create(
        budget=other.budget, service_type=ServiceType.objects.get(code="meals"), allocated=Decimal("10.00")
    )
    response = api.patch(
        reverse("api-budget-line", kwargs={"pk": stranger.pk}), {"plan_services": [service.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "plan_services" in response.json()
    client.force_login(world.coordinator)  # type: ignore[attr-defined]
    page = client.get(reverse("budget-detail", kwargs={"pk": world.budget.pk}))  # type: ignore[attr-defined]
    assert "Kotiapu aamuisin" in page.content.decode()


def test_the_date_fields_come_up_filled_in_the_form_a_date_input_reads(world: World) -> None:
    from django.test import Client

    page = Client()
    page.force_login(world.coordinator)
    html = page.get(reverse("budget-detail", kwargs={"pk": world.budget.pk})).content.decode()
    assert f'name="spending-delivered_on" value="{timezone.localdate().isoformat()}"' in html


def test_the_ledger_reads_first_and_a_line_is_edited_on_its_own_page(world: World) -> None:
    """Issue 19: a summary and the chart (euros and months on its axes), then the table with no
    form inside it; a line's provider is chosen on the line's own page."""
    from django.test import Client

    page = Client()
    page.force_login(world.coordinator)
    detail = reverse("budget-detail", kwargs={"pk": world.budget.pk})
    html = page.get(detail).content.decode()
    ledger = html[html.index('<table class="ledger">') : html.index("</table>", html.index('<table class="ledger">'))]
    assert "<form" not in ledger
    line_page = reverse("budget-line-provider", kwargs={"pk": world.budget_line.pk})
    assert f'href="{line_page}"' in ledger
    assert html.index("ledger-summary") < html.index("<svg") < html.index('<table class="ledger">')
    assert f"{euros(Decimal('1000.00'))} jäljellä" in html
    assert f">{world.budget.period_start:%-m/%y}</text>" in html
    assert "0 €</text>" in html

    form = page.get(line_page)
    assert form.status_code == 200
    assert f'name="line-{world.budget_line.pk}-provider"' in form.content.decode()
    refused = page.post(line_page, {f"line-{world.budget_line.pk}-provider": "abc"})
    assert refused.status_code == 400
    world.budget_line.refresh_from_db()
    assert world.budget_line.provider == world.budget_provider
    assert page.post(line_page, {f"line-{world.budget_line.pk}-provider": ""}).status_code == 302
    world.budget_line.refresh_from_db()
    assert world.budget_line.provider is None
