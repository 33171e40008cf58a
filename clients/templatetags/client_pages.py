"""Template helpers of the client pages: the client's header and tabs, deadlines in words, and
the steps a referral can take."""

from datetime import date, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access import policy
from access.models import Section
from assessments import selectors as assessment_selectors
from budgets import selectors as budget_selectors
from care_plans import selectors as plan_selectors
from clients import selectors
from clients.models import Client, ReferralStatus
from clients.services import REFERRAL_ORDER
from networks import selectors as network_selectors
from reminders import selectors as reminder_selectors
from reminders.selectors import DueWork

register = template.Library()


@register.filter
def age(client: Client, today: date) -> int:
    return client.age_on(today)


ADVANCE_LABELS = {
    ReferralStatus.RECEIVED: _("Mark as received"),
    ReferralStatus.ANSWERED: _("Mark as answered"),
    ReferralStatus.CLOSED: _("Close the referral"),
}


@register.inclusion_tag("clients/_deadline.html")
def deadline(due_on: date | None, today: date) -> dict[str, Any]:
    """A deadline with the days left or overdue written out, not shown by colour alone."""
    days = (due_on - today).days if due_on is not None else None
    return {
        "due_on": due_on,
        "days_left": days if days is not None and days > 0 else None,
        "days_overdue": -days if days is not None and days < 0 else None,
        "due_today": days == 0,
    }


@register.filter
def later_statuses(status: str) -> list[tuple[str, str]]:
    """The statuses a referral may still move to, each with its button text."""
    position = REFERRAL_ORDER.index(ReferralStatus(status))
    return [(step.value, str(ADVANCE_LABELS[step])) for step in REFERRAL_ORDER[position + 1 :]]


# The client's tabs in order: (tab, route, the section it opens, or None for every ground).
TABS = [
    ("overview", "client-detail", None, _("Overview")),
    ("assessments", "client-assessments", Section.ASSESSMENT, _("Needs assessments")),
    ("plan", "client-care-plan", Section.PLAN, _("Care plan")),
    ("budget", "client-budgets", Section.BUDGET, _("Personal budget")),
    ("network", "client-network", Section.NETWORK, _("Care team and network")),
    ("meetings", "client-meetings", Section.MEETINGS, _("Network meetings")),
    ("portal", "client-portal", None, _("My services (portal)")),
    ("coordination", "client-coordination", None, _("Coordination")),
]


# The header's next deadline looks a year ahead; the overview's summary lists 30 days of work.
NEXT_DUE_DAYS = 365
SUMMARY_WORK_DAYS = 30


def _year_of_work(context: template.Context, client: Client, today: date) -> list[DueWork]:
    """The client's work due within a year, read once a request: the header and the overview's
    summary both take theirs from it (each kind's query is the costliest of the page)."""
    memo: dict[tuple[int, date], list[DueWork]] = context["request"].__dict__.setdefault("_year_of_work", {})
    if (client.pk, today) not in memo:
        memo[client.pk, today] = reminder_selectors.due_work(client_ids=[client.pk], today=today, days=NEXT_DUE_DAYS)
    return memo[client.pk, today]


@register.inclusion_tag("clients/_client_header.html", takes_context=True)
def client_header(context: template.Context, client: Client, current: str = "overview") -> dict[str, Any]:
    """Who the client is and what is next, the same on every client page, and the tabs of the
    record the signed-in user may open, the current one marked: a tab that would not open is
    not shown. The next deadline only to those who see the whole record."""
    user = context["request"].user
    today = timezone.localdate()
    sections = policy.sections_for(user, client.access_ground)
    return {
        "client": client,
        "age": client.age_on(today),
        "named_worker": selectors.named_worker_of(client),
        "next_due": (
            reminder_selectors.next_due(_year_of_work(context, client, today))
            if sections == policy.ALL_SECTIONS
            else None
        ),
        "today": today,
        "tabs": [
            (tab, route, label, tab == current)
            for tab, route, section, label in TABS
            if section is None or section in sections
        ],
    }


@register.inclusion_tag("clients/_summary.html", takes_context=True)
def client_summary(context: template.Context, client: Client) -> dict[str, Any]:
    """The overview's summary, each part only to those who see its section: the latest
    assessment and its uncovered times, the plan's state and review date, what is left of the
    budget, the next meeting, and the open work with its deadlines (30 days ahead)."""
    user = context["request"].user
    today = timezone.localdate()
    sections = policy.sections_for(user, client.access_ground)
    summary: dict[str, Any] = {"client": client, "today": today, "sections": sections}
    if Section.ASSESSMENT in sections:
        summary["assessment"] = assessment_selectors.assessments_of(client).first()
    if Section.PLAN in sections:
        summary["version"] = plan_selectors.versions_of(client).first()
    if Section.BUDGET in sections:
        summary["budget"] = budget_selectors.running_budget_of(client, today)
    if Section.MEETINGS in sections:
        summary["meeting"] = network_selectors.next_meeting_of(client)
    summary["shows_work"] = sections == policy.ALL_SECTIONS
    if summary["shows_work"]:
        labels = reminder_selectors.work_kind_labels()
        until = today + timedelta(days=SUMMARY_WORK_DAYS)
        due = [item for item in _year_of_work(context, client, today) if item.due_on <= until]
        summary["work"] = [(labels[item.kind], item.due_on) for item in sorted(due, key=lambda w: w.due_on)]
    return summary
