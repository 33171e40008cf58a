# ruff: noqa: S608  # the SQL is assembled from constants; values go as parameters
"""The reminders this app declares: each kind one SQL query over the app's own tables (see
``reminders.kinds``), registered when the reminders app starts."""

from reminders.kinds import IN_SCOPE, OPEN_CLIENT, RESPONSIBLE, KindSpec, register
from reminders.models import Kind

register(
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
                  AND {IN_SCOPE.format(column="p.client_id")}
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
                  AND {IN_SCOPE.format(column="p.client_id")}
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
    ),
)
