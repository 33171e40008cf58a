# ruff: noqa: S608  # the SQL is assembled from constants; values go as parameters
"""The reminders this app declares: each kind one SQL query over the app's own tables (see
``reminders.kinds``), registered when the reminders app starts."""

from reminders.kinds import OPEN_CLIENT, RESPONSIBLE, KindSpec, register
from reminders.models import Kind

_PENDING_CONTACT = f"""
SELECT ct.id AS subject_id, c.id AS client_id, ct.assessment_due_on AS due_on, responsible.recipient_id
FROM clients_contact ct
JOIN clients_client c ON c.id = ct.client_id
{RESPONSIBLE}
WHERE ct.assessment_started_on IS NULL AND ct.cancelled_on IS NULL AND {OPEN_CLIENT}
"""

register(
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
            JOIN teams_teammembership tm ON tm.team_id = c.team_id AND tm.kind = 'lead'
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
    # Service coordination is time-limited: at the review point the coordinator asks whether
    # it is still needed. A review moves the point on (a new subject due date) or ends it.
    KindSpec(
        Kind.COORDINATION_REVIEW_DUE,
        "clients.relationshipperiod",
        f"""
            SELECT p.id, c.id, p.review_due_on, responsible.recipient_id
            FROM clients_relationshipperiod p
            JOIN clients_client c ON c.id = p.client_id
            {RESPONSIBLE}
            WHERE p.closed_on IS NULL AND p.review_due_on <= %(horizon)s
              AND p.client_id >= %(lo)s AND p.client_id < %(hi)s AND {OPEN_CLIENT}
            """,
        lead_days=14,
        escalation_days=14,
        by_email=True,
    ),
)
