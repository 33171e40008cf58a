"""A seed a coordinator would believe (issue 19): services at the times they run and for the
needs they meet, goals that fit the client's age, and overdue work days or weeks late, not
years. Checked on the small seed and on the bulk seed's rows (at a tiny scale)."""

from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from assessments.models import Assessment, DomainNeed, NeedSlot
from care_plans.models import PlanGoal, PlanService
from caseflow import bulkseed
from clients.models import Client
from reminders.models import Reminder
from reminders.selectors import due_work
from tests.conftest import ensure_configuration

from .test_bulk_seed import TINY

# Work may be late, as it is in any caseload, by days or weeks.
MOST_DAYS_OVERDUE = 60
# Services that run by day only, and the one service at night (the safety phone answers).
DAY_SERVICES = ("Päivätoiminta", "Ateriapalvelu", "Kauppapalvelu")
NIGHT_SERVICES = ("Turvapuhelin",)
# What a goal of finding work and an adult's goals say, in the client's words.
WORK_GOAL = "työ"
ADULT_WORDS = ("puoliso", "juomista", "työ")


def implausible() -> list[str]:
    today = timezone.localdate()
    found: list[str] = []
    service = NeedSlot.objects.filter(coverage="service")
    at_night = service.filter(time_of_day="night").exclude(service__in=NIGHT_SERVICES)
    found += [f"{slot.service} at night" for slot in at_night[:5]]
    off_hours = service.filter(service__in=DAY_SERVICES).exclude(time_of_day="midday")
    found += [f"{slot.service} in the {slot.time_of_day}" for slot in off_hours[:5]]
    weekend = service.filter(service="Päivätoiminta", weekday__gte=5)
    found += [f"day activity on day {slot.weekday}" for slot in weekend[:5]]
    meals = service.filter(service="Ateriapalvelu").exclude(need__domain__code__in=("daily_living", "health"))
    found += [f"a meal service covering {slot.need.domain.code}" for slot in meals.select_related("need__domain")[:5]]
    for plan_service in PlanService.objects.filter(service__in=DAY_SERVICES):
        found += [
            f"{plan_service.service} agreed for {slot['time_of_day']}"
            for slot in plan_service.slots
            if slot["time_of_day"] != "midday"
        ][:1]
    goals = PlanGoal.objects.select_related("version__plan__client")
    for goal in goals.filter(client_words__icontains=WORK_GOAL):
        age = relativedelta(today, goal.version.plan.client.date_of_birth).years
        if not 17 <= age <= 66:
            found.append(f"a goal of finding work at {age}")
    for word in ADULT_WORDS:
        for goal in goals.filter(client_words__icontains=word):
            age = relativedelta(today, goal.version.plan.client.date_of_birth).years
            if age < 17:
                found.append(f"an adult's goal at {age}: {goal.client_words}")
    # A child's needs are a child's: no spouse to care for, no falls, no home care for the old.
    children = Client.objects.filter(date_of_birth__gt=today - relativedelta(years=17))
    needs = DomainNeed.objects.filter(assessment__client__in=children)
    adult_needs = needs.filter(Q(client_text__icontains="puoliso") | Q(client_text__icontains="kaatu"))
    found += [f"a child's need: {need.client_text}" for need in adult_needs[:5]]
    old_age = NeedSlot.objects.filter(need__in=needs, service__in=("Kotihoito", "Turvapuhelin", "Päivätoiminta"))
    found += [f"{slot.service} for a child" for slot in old_age[:5]]
    # Work due: every kind the reminders know, on every open client, and the reminders the
    # seed's sweep made.
    open_clients = list(Client.objects.filter(closed_on__isnull=True).values_list("pk", flat=True))
    late = [
        w for w in due_work(client_ids=open_clients, today=today, days=0) if (today - w.due_on).days > MOST_DAYS_OVERDUE
    ]
    found += sorted({f"{w.kind} {(today - w.due_on).days} days overdue" for w in late})[:10]
    old = Reminder.objects.filter(due_on__lt=today - relativedelta(days=MOST_DAYS_OVERDUE), done_at__isnull=True)
    found += sorted({f"reminder {r.kind} due {r.due_on}" for r in old[:10]})
    # The latest completed assessment of a client with none in progress is due again within
    # weeks, not years.
    in_progress = Assessment.objects.filter(status="started").values("client")
    latest = (
        Assessment.objects.filter(status="completed", client__in=open_clients, reassess_on__isnull=False)
        .exclude(client__in=in_progress)
        .order_by("client_id", "-completed_on")
        .distinct("client_id")
    )
    stale = [a.reassess_on for a in latest if a.reassess_on and (today - a.reassess_on).days > MOST_DAYS_OVERDUE]
    found += [f"reassessment {(today - day).days} days overdue" for day in stale[:5]]
    return found


@pytest.mark.django_db
def test_the_small_seed_is_plausible() -> None:
    # The life domains and service types, which a transactional test's flush takes away.
    ensure_configuration()
    call_command("seed", size="small", stdout=StringIO())
    assert implausible() == []


@pytest.mark.django_db
def test_the_bulk_seed_is_plausible() -> None:
    ensure_configuration()
    bulkseed.bulk_seed(TINY, progress=False)
    assert implausible() == []
