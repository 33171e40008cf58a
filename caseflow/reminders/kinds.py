# ruff: noqa: S608  # the SQL is assembled from constants of this module; values go as parameters
"""What is reminded: a registry of kinds, each one SQL query that reads the whole database at
once (set-based, never a loop over clients) and yields rows of

    subject_id, client_id, due_on, recipient_id

for the reminders that should exist today. The sweep inserts them against the unique
constraint, so that a row that exists already is skipped by the database.

Each query has the placeholders ``%(today)s``, ``%(horizon)s`` (today + the kind's lead days)
and ``%(lo)s``/``%(hi)s`` (the batch: client ids ``lo <= id < hi``), and reads only open
clients (a closed client's reminders are cancelled). Whom a reminder goes to: the client's
named worker; while the client has none, the leads of the client's team (``RESPONSIBLE``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db import connection

from .models import Kind

# The named worker, or the leads of the client's team while there is none: someone is always
# told. Joined LATERAL on ``c`` (clients_client).
RESPONSIBLE = """
JOIN LATERAL (
    SELECT a.coordinator_id AS recipient_id FROM clients_assignment a
    WHERE a.client_id = c.id AND a.ended_on IS NULL
    UNION ALL
    SELECT tm.user_id FROM networks_teammembership tm
    WHERE tm.team_id = c.team_id AND tm.kind = 'lead'
      AND tm.started_on <= %(today)s AND (tm.ended_on IS NULL OR tm.ended_on >= %(today)s)
      AND NOT EXISTS (SELECT 1 FROM clients_assignment a2 WHERE a2.client_id = c.id AND a2.ended_on IS NULL)
) responsible ON true
"""
OPEN_CLIENT = "c.closed_on IS NULL AND c.id >= %(lo)s AND c.id < %(hi)s"


@dataclass(frozen=True)
class KindSpec:
    kind: str
    subject_type: str
    # The query, or a function of the day that writes it (to include another app's selector).
    sql: str | Callable[[date], str]
    lead_days: int
    escalation_days: int | None
    by_email: bool
    # Whether the source exists in this installation (an app whose models have not landed).
    available: Callable[[], bool] = lambda: True


def _has_model(app_label: str, model: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            apps.get_model(app_label, model)
        except LookupError:
            return False
        return True

    return check


_PENDING_CONTACT = f"""
SELECT ct.id AS subject_id, c.id AS client_id, ct.assessment_due_on AS due_on, responsible.recipient_id
FROM clients_contact ct
JOIN clients_client c ON c.id = ct.client_id
{RESPONSIBLE}
WHERE ct.assessment_started_on IS NULL AND ct.cancelled_on IS NULL AND {OPEN_CLIENT}
"""

REGISTRY: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in [
        # SHL §36: the assessment must start by the contact's deadline.
        KindSpec(
            Kind.ASSESSMENT_START_DUE,
            "clients.contact",
            _PENDING_CONTACT + " AND ct.assessment_due_on >= %(today)s AND ct.assessment_due_on <= %(horizon)s",
            lead_days=3,
            escalation_days=None,
            by_email=True,
        ),
        KindSpec(
            Kind.ASSESSMENT_START_OVERDUE,
            "clients.contact",
            _PENDING_CONTACT + " AND ct.assessment_due_on < %(today)s",
            lead_days=0,
            escalation_days=3,
            by_email=True,
        ),
        # SHL §36.3: a child needing special support is assessed within 3 months.
        KindSpec(
            Kind.CHILD_ASSESSMENT_DUE,
            "care_plans.assessment",
            f"""
            SELECT asm.id, c.id, asm.complete_by, responsible.recipient_id
            FROM care_plans_assessment asm
            JOIN clients_client c ON c.id = asm.client_id
            {RESPONSIBLE}
            WHERE asm.status <> 'completed' AND asm.complete_by IS NOT NULL
              AND asm.complete_by <= %(horizon)s AND {OPEN_CLIENT}
            """,
            lead_days=14,
            escalation_days=7,
            by_email=True,
        ),
        # Vanhuspalvelulaki §15a: the latest completed RAI assessment is due again.
        KindSpec(
            Kind.RAI_REASSESSMENT_DUE,
            "care_plans.assessment",
            f"""
            SELECT latest.id, c.id, latest.reassess_on, responsible.recipient_id
            FROM (
                SELECT DISTINCT ON (asm.client_id) asm.id, asm.client_id, asm.reassess_on
                FROM care_plans_assessment asm
                WHERE asm.status = 'completed' AND asm.client_id >= %(lo)s AND asm.client_id < %(hi)s
                ORDER BY asm.client_id, asm.completed_on DESC, asm.id DESC
            ) latest
            JOIN clients_client c ON c.id = latest.client_id
            {RESPONSIBLE}
            WHERE latest.reassess_on IS NOT NULL AND latest.reassess_on <= %(horizon)s AND {OPEN_CLIENT}
              AND NOT EXISTS (
                SELECT 1 FROM care_plans_assessment o WHERE o.client_id = c.id AND o.status <> 'completed'
              )
            """,
            lead_days=30,
            escalation_days=14,
            by_email=True,
        ),
        # SHL §39: the care plan is reviewed by its review date; a review held in the window
        # settles it.
        KindSpec(
            Kind.PLAN_REVIEW_DUE,
            "care_plans.planversion",
            f"""
            SELECT latest.id, c.id, latest.review_on, responsible.recipient_id
            FROM (
                SELECT DISTINCT ON (v.plan_id) v.id, v.review_on, p.client_id
                FROM care_plans_planversion v JOIN care_plans_careplan p ON p.id = v.plan_id
                WHERE v.status = 'published' AND p.client_id >= %(lo)s AND p.client_id < %(hi)s
                ORDER BY v.plan_id, v.number DESC
            ) latest
            JOIN clients_client c ON c.id = latest.client_id
            {RESPONSIBLE}
            WHERE latest.review_on IS NOT NULL AND latest.review_on <= %(horizon)s AND {OPEN_CLIENT}
              AND NOT EXISTS (
                SELECT 1 FROM care_plans_planreview rv
                WHERE rv.version_id = latest.id AND rv.held_on >= latest.review_on - %(lead)s
              )
            """,
            lead_days=14,
            escalation_days=14,
            by_email=True,
            available=_has_model("care_plans", "PlanReview"),
        ),
        # SHL §45: a service agreed in the plan is arranged within 3 months of the decision
        # (publishing the plan); one with no start date, or one planned later, is reminded.
        KindSpec(
            Kind.SERVICE_NOT_STARTED,
            "care_plans.planservice",
            f"""
            SELECT svc.id, c.id, svc.due_on, responsible.recipient_id
            FROM (
                SELECT s.id, latest.client_id, s.starts_on,
                       ((latest.published_at AT TIME ZONE 'Europe/Helsinki')::date + INTERVAL '3 months')::date
                         AS due_on
                FROM (
                    SELECT DISTINCT ON (v.plan_id) v.id, v.published_at, p.client_id
                    FROM care_plans_planversion v JOIN care_plans_careplan p ON p.id = v.plan_id
                    WHERE v.status = 'published' AND p.client_id >= %(lo)s AND p.client_id < %(hi)s
                    ORDER BY v.plan_id, v.number DESC
                ) latest
                JOIN care_plans_planservice s ON s.version_id = latest.id
            ) svc
            JOIN clients_client c ON c.id = svc.client_id
            {RESPONSIBLE}
            WHERE svc.due_on <= %(horizon)s AND (svc.starts_on IS NULL OR svc.starts_on > svc.due_on)
              AND {OPEN_CLIENT}
            """,
            lead_days=14,
            escalation_days=7,
            by_email=True,
            available=_has_model("care_plans", "PlanService"),
        ),
        # SHL §42: a named worker is appointed unless recorded as unnecessary; the team's
        # leads are told from the first day without one.
        KindSpec(
            Kind.NO_NAMED_WORKER,
            "clients.client",
            f"""
            SELECT c.id, c.id,
                   GREATEST(c.relationship_started_on, (
                       SELECT MAX(a.ended_on) FROM clients_assignment a WHERE a.client_id = c.id
                   )),
                   tm.user_id
            FROM clients_client c
            JOIN networks_teammembership tm ON tm.team_id = c.team_id AND tm.kind = 'lead'
              AND tm.started_on <= %(today)s AND (tm.ended_on IS NULL OR tm.ended_on >= %(today)s)
            WHERE c.no_named_worker_reason = '' AND {OPEN_CLIENT}
              AND NOT EXISTS (SELECT 1 FROM clients_assignment a WHERE a.client_id = c.id AND a.ended_on IS NULL)
            """,
            lead_days=0,
            escalation_days=None,
            by_email=True,
        ),
        KindSpec(
            Kind.REFERRAL_FOLLOW_UP,
            "clients.referral",
            f"""
            SELECT r.id, c.id, r.follow_up_on, responsible.recipient_id
            FROM clients_referral r
            JOIN clients_client c ON c.id = r.client_id
            {RESPONSIBLE}
            WHERE r.status <> 'closed' AND r.follow_up_on IS NOT NULL AND r.follow_up_on <= %(horizon)s
              AND {OPEN_CLIENT}
            """,
            lead_days=1,
            escalation_days=7,
            by_email=False,
        ),
        # A personal budget line whose use has reached the budget's threshold, or that at its
        # rate so far runs out before the period ends: once per line and period.
        KindSpec(
            Kind.BUDGET_THRESHOLD,
            "budgets.budgetline",
            lambda today: _budget_lines_sql(today),
            lead_days=0,
            escalation_days=None,
            by_email=True,
            available=_has_model("budgets", "BudgetLine"),
        ),
        # The named worker and the professionals invited.
        KindSpec(
            Kind.MEETING_TOMORROW,
            "networks.networkmeeting",
            f"""
            SELECT m.id, c.id, (m.starts_at AT TIME ZONE 'Europe/Helsinki')::date, who.recipient_id
            FROM networks_networkmeeting m
            JOIN clients_client c ON c.id = m.client_id
            JOIN LATERAL (
                SELECT p.user_id AS recipient_id FROM networks_networkmeeting_professionals p
                WHERE p.networkmeeting_id = m.id
                UNION
                SELECT a.coordinator_id FROM clients_assignment a WHERE a.client_id = c.id AND a.ended_on IS NULL
            ) who ON true
            WHERE m.status = 'planned'
              AND (m.starts_at AT TIME ZONE 'Europe/Helsinki')::date >= %(today)s
              AND (m.starts_at AT TIME ZONE 'Europe/Helsinki')::date <= %(horizon)s
              AND {OPEN_CLIENT}
            """,
            lead_days=1,
            escalation_days=None,
            by_email=True,
        ),
    ]
}

# Spending at this rate for at least this many days before a line counts as running out.
RUNNING_OUT_AFTER_DAYS = 30


def _budget_lines_sql(today: date) -> str:
    """Lines over their threshold come from the budgets app's own selector (inlined with its
    values, so that it composes with the named parameters here); running out is computed here."""
    from budgets.selectors import lines_over_threshold

    sql, params = lines_over_threshold(today).order_by().values("pk").query.sql_with_params()
    over_threshold = connection.ops.compose_sql(sql, params).replace("%", "%%")  # type: ignore[attr-defined]  # PostgreSQL's
    return f"""
    SELECT l.id, c.id, b.period_end, responsible.recipient_id
    FROM budgets_budgetline l
    JOIN budgets_budget b ON b.id = l.budget_id
    JOIN clients_client c ON c.id = b.client_id
    {RESPONSIBLE}
    WHERE {OPEN_CLIENT} AND (
        l.id IN ({over_threshold})
        OR (b.status = 'accepted' AND b.period_start <= %(today)s AND b.period_end >= %(today)s
            AND l.allocated > 0 AND %(today)s - b.period_start >= {RUNNING_OUT_AFTER_DAYS}
            AND (l.spent + l.committed) * (b.period_end - b.period_start + 1)
                > l.allocated * (%(today)s - b.period_start + 1))
    )
    """


# The team leads of a reminder's client and of its recipient's teams, for an escalation.
ESCALATE_TO = """
SELECT DISTINCT s.subject_id, s.client_id, s.due_on, tm.user_id AS recipient_id
FROM ({source}) AS s (subject_id, client_id, due_on, recipient_id)
JOIN clients_client ec ON ec.id = s.client_id
JOIN networks_teammembership tm
  ON tm.kind = 'lead' AND tm.started_on <= %(today)s AND (tm.ended_on IS NULL OR tm.ended_on >= %(today)s)
 AND (tm.team_id = ec.team_id OR tm.team_id IN (
        SELECT m.team_id FROM networks_teammembership m
        WHERE m.user_id = s.recipient_id AND m.kind = 'member'
          AND m.started_on <= %(today)s AND (m.ended_on IS NULL OR m.ended_on >= %(today)s)))
WHERE s.due_on <= %(escalate_before)s
"""


def available_kinds() -> list[KindSpec]:
    return [spec for spec in REGISTRY.values() if spec.available()]


def source_sql(spec: KindSpec, today: date) -> str:
    return spec.sql if isinstance(spec.sql, str) else spec.sql(today)
