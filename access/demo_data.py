"""The access log of the medium and large data sets, by COPY: every client's record read and
listed by their named workers (now and earlier) and now and then by the team lead, over the
last 18 months of the relationship. Written into the parent table, whatever its partitions."""

import datetime
import random
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from core.bulk import Loader

from .models import AccessEvent
from .partitions import ensure_partitions
from .policy import Ground

HISTORY_DAYS = 540
CHUNK = 200_000
COLUMNS = ("id", "at", "action", "what", "ground", "actor_id", "client_id", "grantee_id", "reason", "until")
VIEWED = ["client", "client", "client", "assessment", "care_plan", "budget", "network"]


def bulk_access_log(
    loader: Loader,
    *,
    rng: random.Random,
    today: datetime.date,
    people: Sequence[Any],
    lead_of: dict[int, int],
    target: int,
) -> int:
    """About ``target`` access events over ``people``; returns how many. The months' partitions
    are made first, so that the history does not wait in the DEFAULT partition to be moved."""
    ensure_partitions(first=today - datetime.timedelta(days=HISTORY_DAYS), last=today)
    zone = timezone.get_current_timezone()
    midnight = datetime.datetime.combine(today, datetime.time(0), tzinfo=zone)
    bar = loader.bar("access log", total=target)
    written = 0
    rows: list[tuple[Any, ...]] = []
    for index, person in enumerate(people):
        mean = max(0.0, (target - written - len(rows)) / (len(people) - index))
        count = int(mean) + (1 if rng.random() < mean - int(mean) else 0)
        until = person.closed_on or today
        since = min(max(person.opened_on, today - datetime.timedelta(days=HISTORY_DAYS)), until)
        span = max(1, (until - since).days) * 86_400
        start = datetime.datetime.combine(since, datetime.time(7), tzinfo=zone)
        workers = person.workers or [lead_of[person.team]]
        for pk in loader.ids(AccessEvent, count):
            at = min(start + datetime.timedelta(seconds=rng.randrange(span)), midnight)
            roll = rng.random()
            if roll < 0.05 or not person.workers:
                actor, ground = lead_of[person.team], Ground.TEAM_LEAD
            else:
                actor, ground = rng.choice(workers), Ground.DESIGNATED_COORDINATOR
            if roll < 0.3:
                action, what = AccessEvent.Action.LIST, "caseload"
            elif roll < 0.95:
                action, what = AccessEvent.Action.VIEW, rng.choice(VIEWED)
            else:
                action, what = AccessEvent.Action.CHANGE, "client"
            rows.append((pk, at, action, what, ground, actor, person.id, None, "", None))
        if len(rows) >= CHUNK:
            written += loader.copy(AccessEvent, COLUMNS, rows, bar=bar)
            rows = []
    written += loader.copy(AccessEvent, COLUMNS, rows, bar=bar)
    bar.close()
    return written
