# ruff: noqa: S608  # the SQL is assembled from constants; values go as parameters
"""The reminders this app declares: each kind one SQL query over the app's own tables (see
``reminders.kinds``), registered when the reminders app starts."""

from datetime import date

from reminders.kinds import IN_SCOPE, OPEN_CLIENT, RESPONSIBLE, KindSpec, register
from reminders.models import Kind

from .selectors import over_threshold_condition

# Spending at this rate for at least this many days before a line counts as running out.
RUNNING_OUT_AFTER_DAYS = 30


def _budget_lines_sql(today: date) -> str:
    """Lines over their threshold by the budgets app's own rule (``lines_over_threshold``, whose
    condition reads the tables by their own names, hence no aliases here); running out is
    computed here. Both need an accepted budget running today, which narrows the lines read
    to the batch's budgets of that kind."""
    over_threshold = over_threshold_condition(today).replace("%", "%%")
    return f"""
    SELECT budgets_budgetline.id, c.id, budgets_budget.period_end, responsible.recipient_id
    FROM budgets_budget
    JOIN budgets_budgetline ON budgets_budgetline.budget_id = budgets_budget.id
    JOIN clients_client c ON c.id = budgets_budget.client_id
    {RESPONSIBLE}
    WHERE budgets_budget.client_id >= %(lo)s AND budgets_budget.client_id < %(hi)s
      AND {IN_SCOPE.format(column="budgets_budget.client_id")} AND {OPEN_CLIENT}
      AND budgets_budget.status = 'accepted'
      AND budgets_budget.period_start <= %(today)s AND budgets_budget.period_end >= %(today)s
      AND (
        ({over_threshold})
        OR (budgets_budgetline.allocated > 0
            AND %(today)s - budgets_budget.period_start >= {RUNNING_OUT_AFTER_DAYS}
            AND (budgets_budgetline.spent + budgets_budgetline.committed)
                * (budgets_budget.period_end - budgets_budget.period_start + 1)
                > budgets_budgetline.allocated * (%(today)s - budgets_budget.period_start + 1))
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
