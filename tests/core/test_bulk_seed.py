"""The bulk seed of the medium and large data sets, on a tiny scale (the large set is never built
in tests): the same seed gives the same rows, and the rows the generators write with triggers
off (no foreign-key checks) hold together."""

import itertools
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from access.models import AccessEvent
from accounts.models import Role, User
from assessments.models import Assessment, NeedSlot
from budgets.models import BudgetLine, Spending
from care_plans.models import PlanGoal, PlanVersion
from caseflow import bulkseed
from clients.demo_data import Caseloads
from clients.models import Assignment, Client, Contact, RelationshipPeriod
from teams.models import TeamMembership
from tests.conftest import ensure_configuration

TINY = bulkseed.Scale(
    clients=300,
    coordinators=9,
    teams=3,
    assessments=500,
    plan_versions=250,
    spending=1_200,
    access_events=2_000,
    caseloads=Caseloads(big=40, lead_teams=25),
)
APPS = ["accounts", "teams", "clients", "networks", "assessments", "care_plans", "budgets", "access"]


def first_rows() -> dict[str, list[Any]]:
    return {
        "clients": list(
            Client.objects.order_by("pk").values_list(
                "pk", "first_name", "last_name", "date_of_birth", "identity_code", "team_id", "closed_on"
            )[:5]
        ),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list("client_id", "coordinator_id", "started_on", "ended_on")[:5]
        ),
        "assessments": list(Assessment.objects.order_by("pk").values_list("client_id", "started_on", "status")[:5]),
        "goals": list(PlanGoal.objects.order_by("pk").values_list("key", "client_words")[:5]),
        "spending": list(Spending.objects.order_by("pk").values_list("line_id", "amount", "delivered_on")[:5]),
        "access": list(AccessEvent.objects.order_by("pk").values_list("at", "actor_id", "client_id", "what")[:5]),
    }


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_counts_and_first_rows() -> None:
    ensure_configuration()
    with transaction.atomic():
        counts = bulkseed.bulk_seed(TINY, progress=False)
        rows = first_rows()
        transaction.set_rollback(True)
    assert not Client.objects.exists()
    with transaction.atomic():  # another seed, other rows
        bulkseed.bulk_seed(TINY, seed=bulkseed.SEED + 1, progress=False)
        assert first_rows()["clients"] != rows["clients"]
        transaction.set_rollback(True)
    assert bulkseed.bulk_seed(TINY, progress=False) == counts
    assert first_rows() == rows
    assert counts["clients_client"] == TINY.clients
    # The stages aim at their targets: the counts land on them or close.
    assert counts["assessments_assessment"] == pytest.approx(TINY.assessments, rel=0.05)
    assert counts["care_plans_planversion"] == pytest.approx(TINY.plan_versions, rel=0.05)
    assert counts["budgets_spending"] == pytest.approx(TINY.spending, rel=0.05)
    assert counts["access_accessevent"] == TINY.access_events


def dangling(model: type[models.Model], field: models.ForeignKey[Any, Any]) -> int:
    target = field.related_model
    assert isinstance(target, type)
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{model._meta.db_table}" t LEFT JOIN "{target._meta.db_table}" p '  # noqa: S608
            f'ON p."{field.target_field.column}" = t."{field.column}" '
            f'WHERE t."{field.column}" IS NOT NULL AND p."{field.target_field.column}" IS NULL'
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db
def test_the_generated_rows_hold_together() -> None:
    ensure_configuration()
    bulkseed.bulk_seed(TINY, progress=False)
    # Every foreign key the load wrote with its checks off points at a row.
    broken = [
        f"{model.__name__}.{field.name}"
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and dangling(model, field)
    ]
    assert broken == []
    # Every coordinator works in one team and every client belongs to one; the named worker is
    # from the client's team, one at a time, and every open client has one or a reason.
    members = dict(TeamMembership.objects.filter(kind="member").values_list("user_id", "team_id"))
    coordinators = set(
        User.objects.filter(role=Role.COORDINATOR, username__startswith="coordinator").values_list("pk", flat=True)
    )
    assert coordinators == set(members)
    assert not Client.objects.filter(team__isnull=True).exists()
    current = Assignment.objects.filter(ended_on__isnull=True)
    assert all(
        members[coordinator] == team for coordinator, team in current.values_list("coordinator_id", "client__team_id")
    )
    assert current.values("client").distinct().count() == current.count()
    assert (
        not Client.objects.filter(closed_on__isnull=True, no_named_worker_reason="")
        .exclude(assignments__ended_on__isnull=True)
        .exists()
    )
    assert not current.filter(client__closed_on__isnull=False).exists()
    # The caseloads as asked: the first coordinator of each team has the big one.
    loads = dict(current.values("coordinator").annotate(n=Count("*")).values_list("coordinator", "n"))
    assert loads[User.objects.get(username="coordinator").pk] == TINY.caseloads.big
    # Named workers in turn without overlap; a closed client's period closed with a reason.
    for client_id in Client.objects.values_list("pk", flat=True)[:100]:
        spans = list(
            Assignment.objects.filter(client_id=client_id).order_by("started_on").values_list("started_on", "ended_on")
        )
        for (_start, end), (next_start, _end) in itertools.pairwise(spans):
            assert end is not None
            assert end <= next_start
    assert not RelationshipPeriod.objects.filter(closed_on__isnull=False, closure_reason="").exists()
    assert (
        Client.objects.filter(closed_on__isnull=False).count()
        == RelationshipPeriod.objects.filter(
            closed_on__isnull=False, client__closed_on__isnull=False, client__closed_on=models.F("closed_on")
        ).count()
    )
    # Children needing special support have a social worker as named worker (SHL §42).
    assert (
        not current.filter(client__child_special_support=True).exclude(coordinator__profession="social_worker").exists()
    )
    # Contacts: deadlines after contact; started assessments on or after contact.
    assert not Contact.objects.filter(assessment_due_on__lt=models.F("contacted_on")).exists()
    # Published versions are frozen with their goals; every plan has at most one draft.
    assert not PlanGoal.objects.filter(version__status=PlanVersion.Status.PUBLISHED, frozen=False).exists()
    drafts = PlanVersion.objects.filter(status=PlanVersion.Status.DRAFT).values("plan").annotate(n=Count("*"))
    assert all(row["n"] == 1 for row in drafts)
    # Spending adds up to each line's running total and never past its allocation.
    for line in BudgetLine.objects.annotate(total=Sum("spendings__amount")):
        assert (line.total or 0) == line.spent <= line.allocated
    # A need's week grid: network coverage names one of the client's own people.
    assert (
        not NeedSlot.objects.filter(coverage="network")
        .exclude(network_member__client=models.F("need__assessment__client"))
        .exists()
    )
    # The access log reaches no further back than the relationship, and not into the future.
    assert not AccessEvent.objects.filter(at__gt=timezone.now()).exists()
    assert not AccessEvent.objects.filter(at__date__lt=models.F("client__relationship_started_on")).exists()
