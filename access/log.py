"""Reading the access log for the client: who processed their data, what, when and on which
ground, in plain words (asiakastietolaki 703/2023 §11; GDPR Art. 15). The portal shows it to
the client; the staff side may show the same rows. Two years back by default: older entries
only on a special request, which is not made through this list."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clients.models import Client

from . import portal
from .models import AccessEvent
from .policy import Ground

LOOK_BACK_DAYS = 2 * 365 + 1
PAGE_SIZE = 50

# What part of the record an entry's ``what`` is about, by the first word that matches.
_WHAT_WORDS: tuple[tuple[str, Promise], ...] = (
    ("portal", _("your portal pages")),
    ("care_plan", _("your care plan")),
    ("assessment", _("your needs assessment")),
    ("budget", _("your personal budget")),
    ("meeting", _("network meetings")),
    ("decision", _("network meeting decisions")),
    ("consent", _("your consents")),
    ("consultation", _("a consultation about you")),
    ("network", _("your network")),
    ("care_team", _("your care team")),
    ("referral", _("contacts and referrals")),
    ("contact", _("contacts and referrals")),
    ("intake", _("contacts and referrals")),
    ("named_worker", _("who your named worker is")),
    ("handover", _("who your named worker is")),
    ("assignment", _("who your named worker is")),
    ("closure", _("the end of your client relationship")),
    ("close", _("the end of your client relationship")),
    ("reopen", _("the start of your client relationship")),
    ("reminder", _("a reminder about your matters")),
    ("caseload", _("a list of the worker's clients")),
    ("search", _("a search of clients")),
    ("client", _("your basic details")),
)
GROUND_LABELS: dict[str, Promise] = {**Ground.LABELS, **portal.LABELS}
# The same parts in the staff's words, for the staff's access log page (by the same keys).
_STAFF_WORDS: dict[str, Promise] = {
    "portal": _("the client's portal pages"),
    "care_plan": _("care plan"),
    "assessment": _("needs assessment"),
    "budget": _("personal budget"),
    "meeting": _("network meetings"),
    "decision": _("network meeting decisions"),
    "consent": _("consents"),
    "consultation": _("a consultation"),
    "network": _("network"),
    "care_team": _("care team"),
    "referral": _("contacts and referrals"),
    "contact": _("contacts and referrals"),
    "intake": _("contacts and referrals"),
    "named_worker": _("named worker"),
    "handover": _("named worker"),
    "assignment": _("named worker"),
    "closure": _("the end of the client relationship"),
    "close": _("the end of the client relationship"),
    "reopen": _("the start of the client relationship"),
    "reminder": _("a reminder"),
    "caseload": _("a list of the worker's clients"),
    "search": _("a search of clients"),
    "access_log": _("the access log"),
    "client": _("basic details"),
}


def what_label(what: str) -> Promise:
    """``what`` of an access event in plain words."""
    key = _what_key(what)
    return _("your data") if key is None else dict(_WHAT_WORDS)[key]


def staff_what_label(what: str) -> Promise:
    """``what`` of an access event in the staff's words (the access log page)."""
    if what == "access_log":
        return _STAFF_WORDS["access_log"]
    key = _what_key(what)
    return _("the client's data") if key is None else _STAFF_WORDS[key]


def _what_key(what: str) -> str | None:
    words = what.removeprefix("api.").replace(".", " ").replace("_version", "").split()
    for key, _label in _WHAT_WORDS:
        if key in words or any(word.startswith(key) for word in words):
            return key
    return None


def ground_label(ground: str) -> Promise:
    return GROUND_LABELS.get(ground, _("another ground"))


@dataclass(frozen=True)
class LogRow:
    at: datetime
    name: str
    profession: str
    action: str
    what: str
    why: str


def _since() -> datetime:
    return timezone.now() - timedelta(days=LOOK_BACK_DAYS)


def events_about(client: Client, *, month: date | None = None) -> QuerySet[AccessEvent]:
    """Every read, change and disclosure of the client's data in the look-back period, newest
    first; the client's own portal reads are left out (a representative's are not)."""
    events = AccessEvent.objects.filter(client=client, at__gte=_since()).exclude(ground=portal.OWN_PORTAL)
    if month is not None:
        start = datetime(month.year, month.month, 1, tzinfo=timezone.get_current_timezone())
        following = (start + timedelta(days=32)).replace(day=1)
        events = events.filter(at__gte=start, at__lt=following)
    return events.select_related("actor").order_by("-at", "-pk")


def months_in_look_back() -> list[date]:
    """The months of the look-back period, newest first, for the month filter (no query)."""
    today = timezone.localdate()
    month = today.replace(day=1)
    months = []
    for _step in range(LOOK_BACK_DAYS // 30 + 1):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def _row(event: AccessEvent) -> LogRow:
    actor = event.actor
    representative = event.ground == portal.REPRESENTATIVE
    return LogRow(
        at=event.at,
        name=actor.get_full_name() or str(_("a user")),
        profession=str(_("your representative")) if representative else actor.get_profession_display(),
        action=event.get_action_display(),
        what=str(what_label(event.what)),
        why=str(ground_label(event.ground)),
    )


def who_has_looked(
    client: Client, *, month: date | None = None, page: int = 1
) -> tuple[Page[AccessEvent], list[LogRow]]:
    """One page of the log in plain words: two queries (the count and the page) whatever the
    number of entries."""
    paginator = Paginator(events_about(client, month=month), PAGE_SIZE)
    shown = paginator.get_page(page)
    return shown, [_row(event) for event in shown.object_list]
