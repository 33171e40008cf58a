# ruff: noqa: S608  # the SQL is assembled from constants; values go as parameters
"""The reminders this app declares: each kind one SQL query over the app's own tables (see
``reminders.kinds``), registered when the reminders app starts."""

from datetime import date

from django.db import connection

from reminders.kinds import OPEN_CLIENT, RESPONSIBLE, KindSpec, register
from reminders.models import Kind

from .selectors import lines_over_threshold

# Spending at this rate for at least this many days before a line counts as running out.
RUNNING_OUT_AFTER_DAYS = 30


def _budget_lines_sql(today: date) -> str:
    """Lines over their threshold come from the budgets app's own selector (inlined with its
    values, so that it composes with the named parameters here); running out is computed here."""
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


register(
    # A personal budget line whose use has reached the budget's threshold, or that at its
    # rate so far runs out before the period ends: once per line and period.
    KindSpec(
        Kind.BUDGET_THRESHOLD,
        "budgets.budgetline",
        _budget_lines_sql,
        lead_days=0,
        escalation_days=None,
        by_email=True,
    ),
)
