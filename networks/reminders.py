# ruff: noqa: S608  # the SQL is assembled from constants; values go as parameters
"""The reminders this app declares: each kind one SQL query over the app's own tables (see
``reminders.kinds``), registered when the reminders app starts."""

from reminders.kinds import OPEN_CLIENT, KindSpec, register
from reminders.models import Kind

register(
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
)
