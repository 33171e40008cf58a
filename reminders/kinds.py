# the SQL is assembled from constants of this module; values go as parameters
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

# The named worker, or the leads of the client's team while there is none: someone is always
# told. Joined on ``c`` (clients_client), it gives ``responsible.recipient_id``. Outer joins
# rather than a LATERAL union, so that the planner may hash the open assignments once for a
# batch's thousands of rows instead of probing them twice per row (bench/explain/sweep-*.txt).
# Both user columns are NOT NULL: a row without a recipient is one with neither.
RESPONSIBLE = """
LEFT JOIN clients_assignment responsible_a ON responsible_a.client_id = c.id AND responsible_a.ended_on IS NULL
LEFT JOIN teams_teammembership responsible_lead
  ON responsible_a.id IS NULL AND responsible_lead.team_id = c.team_id AND responsible_lead.kind = 'lead'
 AND responsible_lead.started_on <= %(today)s
 AND (responsible_lead.ended_on IS NULL OR responsible_lead.ended_on >= %(today)s)
JOIN LATERAL (SELECT COALESCE(responsible_a.coordinator_id, responsible_lead.user_id) AS recipient_id) responsible
  ON responsible.recipient_id IS NOT NULL
"""
OPEN_CLIENT = "c.closed_on IS NULL AND c.id >= %(lo)s AND c.id < %(hi)s"
# Narrows a kind's inner query (a latest assessment or plan version per client) to the clients
# ``%(client_ids)s`` when the team review asks for its own clients' work (the sweep passes NULL,
# which the planner folds away): the batch bounds of a team's clients span the whole county,
# and the latest row of every client was read before narrowing (bench/explain/team-review*.txt).
IN_SCOPE = "(%(client_ids)s::bigint[] IS NULL OR {column} = ANY(%(client_ids)s::bigint[]))"


@dataclass(frozen=True)
class KindSpec:
    kind: str
    subject_type: str
    # The query, or a function of the day that writes it (to include another app's selector).
    sql: str | Callable[[date], str]
    lead_days: int
    escalation_days: int | None
    by_email: bool


REGISTRY: dict[str, KindSpec] = {}


def register(*specs: KindSpec) -> None:
    """Each app declares its kinds in its own ``reminders.py``; the reminders app imports those
    modules when it starts (``RemindersConfig.ready``)."""
    for spec in specs:
        REGISTRY[spec.kind] = spec


# The team leads of a reminder's client and of its recipient's teams, for an escalation. The
# teams come first (the client's, and the recipient's as a member), each row's few by LATERAL,
# and the leads are joined on them by equality: a join condition of "the client's team OR one
# of the recipient's" was a correlated subquery for every pair of overdue row and lead
# (bench/explain/sweep*.txt). The client's team is read in the LATERAL too, by its key: joined
# to the rows, all 100,000 clients were hashed for a few thousand overdue rows. It reads the
# kind's rows from ``due`` (``services.SWEEP``).
ESCALATE_TO = """
SELECT DISTINCT s.subject_id, s.client_id, s.due_on, tm.user_id AS recipient_id
FROM due AS s
JOIN LATERAL (
    SELECT ec.team_id AS team_id FROM clients_client ec WHERE ec.id = s.client_id
    UNION
    SELECT m.team_id FROM teams_teammembership m
    WHERE m.user_id = s.recipient_id AND m.kind = 'member'
      AND m.started_on <= %(today)s AND (m.ended_on IS NULL OR m.ended_on >= %(today)s)
) teams ON true
JOIN teams_teammembership tm
  ON tm.team_id = teams.team_id AND tm.kind = 'lead'
 AND tm.started_on <= %(today)s AND (tm.ended_on IS NULL OR tm.ended_on >= %(today)s)
WHERE s.due_on <= %(escalate_before)s
"""


def available_kinds() -> list[KindSpec]:
    return list(REGISTRY.values())


def source_sql(spec: KindSpec, today: date) -> str:
    return spec.sql if isinstance(spec.sql, str) else spec.sql(today)
