"""Parallel spending on one line, each writer a thread with its own PostgreSQL connection:
exactly the recordings that fit succeed, the rest are refused with the amount left, and the
ledger's total equals the sum of the accepted recordings."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from budgets import services
from budgets.models import BudgetLine, Provider, Spending
from tests.conftest import World

from .conftest import GROUND, accepted_budget

# The budget's year is 2026 (see conftest.period_start).
pytestmark = pytest.mark.today(datetime.date(2026, 11, 27))

WRITERS = 24
AMOUNT = Decimal("7.35")
ALLOCATION = Decimal("100.00")  # 13 × 7.35 = 95.55 fits; a 14th would make 102.90


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_never_overspend_a_line() -> None:
    world = World()
    setup = accepted_budget(world, calculate=False)
    line = BudgetLine.objects.create(
        budget=setup.budget,
        service_type_id=Provider.objects.get(business_id="2345678-1").service_types.get(code="home_help").pk,
        allocated=ALLOCATION,
        provider=Provider.objects.get(business_id="2345678-1"),
    )
    start = threading.Barrier(WRITERS)
    accepted: list[Decimal] = []
    refused: list[str] = []
    other: list[BaseException] = []
    lock = threading.Lock()

    def write() -> None:
        try:
            start.wait()
            # A thread starts in the default language (Finnish); the assertions read English.
            translation.activate("en")
            services.record_spending(
                line=line,
                amount=AMOUNT,
                delivered_on=datetime.date(2026, 2, 1),
                by=world.coordinator,
                ground=GROUND,
            )
            with lock:
                accepted.append(AMOUNT)
        except ValidationError as error:
            with lock:
                refused.extend(error.message_dict["amount"])
        except BaseException as error:  # reported below
            with lock:
                other.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not other, other
    assert len(accepted) == 13
    assert len(refused) == WRITERS - 13
    assert all("is left on this line" in message for message in refused)
    line.refresh_from_db()
    recorded = sum(Spending.objects.filter(line=line).values_list("amount", flat=True), Decimal(0))
    assert line.spent == recorded == sum(accepted, Decimal(0)) == Decimal("95.55")
    assert line.spent <= line.allocated
