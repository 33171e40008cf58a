# ruff: noqa: S608  # the SQL is assembled from constants; values go as parameters
"""The reminders this app declares: each kind one SQL query over the app's own tables (see
``reminders.kinds``), registered when the reminders app starts."""

from reminders.kinds import IN_SCOPE, OPEN_CLIENT, RESPONSIBLE, KindSpec, register
from reminders.models import Kind

register(
    # SHL §36.3: a child needing special support is assessed within 3 months.
    KindSpec(
        Kind.CHILD_ASSESSMENT_DUE,
        "assessments.assessment",
        f"""
            SELECT asm.id, c.id, asm.complete_by, responsible.recipient_id
            FROM assessments_assessment asm
            JOIN clients_client c ON c.id = asm.client_id
            {RESPONSIBLE}
            WHERE asm.status <> 'completed' AND asm.complete_by IS NOT NULL
              AND asm.complete_by <= %(horizon)s AND {OPEN_CLIENT}
              AND {IN_SCOPE.format(column="asm.client_id")}
            """,
        lead_days=14,
        escalation_days=7,
        by_email=True,
    ),
    # Vanhuspalvelulaki §15a: the latest completed RAI assessment is due again.
    KindSpec(
        Kind.RAI_REASSESSMENT_DUE,
        "assessments.assessment",
        f"""
            SELECT latest.id, c.id, latest.reassess_on, responsible.recipient_id
            FROM (
                SELECT DISTINCT ON (asm.client_id) asm.id, asm.client_id, asm.reassess_on
                FROM assessments_assessment asm
                WHERE asm.status = 'completed' AND asm.client_id >= %(lo)s AND asm.client_id < %(hi)s
                  AND {IN_SCOPE.format(column="asm.client_id")}
                ORDER BY asm.client_id, asm.completed_on DESC, asm.id DESC
            ) latest
            JOIN clients_client c ON c.id = latest.client_id
            {RESPONSIBLE}
            WHERE latest.reassess_on IS NOT NULL AND latest.reassess_on <= %(horizon)s AND {OPEN_CLIENT}
              AND NOT EXISTS (
                SELECT 1 FROM assessments_assessment o WHERE o.client_id = c.id AND o.status <> 'completed'
              )
            """,
        lead_days=30,
        escalation_days=14,
        by_email=True,
    ),
)
