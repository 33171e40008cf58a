"""Template helpers of the client pages: the client's header and tabs, deadlines in words, and
the steps a referral can take."""

from collections.abc import Container, Iterable
from datetime import date, timedelta
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from access import policy
from access.models import Section
from assessments import selectors as assessment_selectors
from budgets import selectors as budget_selectors
from care_plans import selectors as plan_selectors
from clients import selectors
from clients.models import Client, ReferralStatus
from clients.services import REFERRAL_ORDER
from core.templatetags.caseflow_tags import days, span
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


@register.simple_tag
def deadline(due_on: date | None, today: date) -> SafeString:
    """A deadline with the days left or overdue written out, not shown by colour alone.
    Written in Python, not by an included template: the caseload shows one on every row."""
    if due_on is None:
        return mark_safe('<span class="muted">–</span>')
    left = (due_on - today).days
    if left < 0:
        state, words = " overdue", ngettext("%(days)s day overdue", "%(days)s days overdue", -left) % {"days": -left}
    elif left == 0:
        state, words = " today", gettext("due today")
    else:
        state, words = "", ngettext("%(days)s day left", "%(days)s days left", left) % {"days": left}
    # Today and overdue are said louder.
    tag = "span" if left > 0 else "strong"
    return format_html(
        '<span class="deadline{}"><span class="deadline-date">{}</span> <{} class="deadline-words">{}</{}></span>',
        state,
        date_format(due_on, "j.n.Y"),
        tag,
        words,
        tag,
    )


@register.simple_tag
def caseload_rows(
    assignments: Iterable[Any], today: date, *, selectable: object, select_all: bool, selected: Container[int]
) -> SafeString:
    """The caseload's rows, written in Python: through the template, a row's two dozen tags and
    filters took about a third of the page's time with 50 rows. Rows can be ticked for a
    handover when ``selectable`` (the handover form); ``select_all`` or ``selected`` tick them."""
    age, municipality, must_start = gettext("Age"), gettext("Municipality"), gettext("Assessment must start by")
    changes, gap = gettext("Worker changes in 12 months"), gettext("Days without a named worker")
    client_for, with_coordinator = gettext("Client for"), gettext("With this coordinator")
    identity_code = gettext("Identity code")
    rows = []
    for assignment in assignments:
        client = assignment.client
        select = (
            format_html(
                '<td class="select"><input type="checkbox" name="clients" value="{pk}" form="handover-form"'
                ' id="select-{pk}"{checked}><label for="select-{pk}" class="visually-hidden">{label}</label></td>',
                pk=client.pk,
                checked=mark_safe(" checked") if select_all or client.pk in selected else "",
                label=gettext("Select %(name)s") % {"name": client.full_name},
            )
            if selectable
            else ""
        )
        due_on = assignment.assessment_due_on
        rows.append(
            format_html(
                "<tr{}>{}"
                '<td class="name"><a href="{}">{}, {}</a> <span class="meta identity-code">'
                '<span class="visually-hidden">{}: </span>{}</span></td>'
                '<td data-label="{}">{}</td><td data-label="{}">{}</td><td data-label="{}">{}</td>'
                '<td class="number" data-label="{}">{}</td><td class="number{}" data-label="{}">{}</td>'
                '<td class="number" data-label="{}">{}</td><td class="number" data-label="{}">{}</td></tr>',
                mark_safe(' class="overdue-row"') if due_on is not None and due_on < today else "",
                select,
                reverse("client-detail", args=[client.pk]),
                client.last_name,
                client.first_name,
                identity_code,
                client.masked_identity_code,
                age,
                client.age_on(today),
                municipality,
                client.municipality,
                must_start,
                deadline(due_on, today),
                changes,
                assignment.worker_changes_12m,
                " has-gap" if assignment.days_without_worker else "",
                gap,
                days(assignment.days_without_worker),
                client_for,
                span(client.relationship_started_on, today),
                with_coordinator,
                span(assignment.started_on, today) if assignment.started_on < today else gettext("from today"),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308  # each row escaped by format_html


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
