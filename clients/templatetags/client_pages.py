"""Template helpers of the client pages: deadlines in words, and the steps a referral can take."""

from datetime import date
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from access import policy
from clients.models import Client, ReferralStatus
from clients.services import REFERRAL_ORDER

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


@register.simple_tag(takes_context=True)
def sections_open(context: template.Context, client: Client) -> frozenset[str]:
    """The sections of ``client``'s record the signed-in user may open (as ``access.policy``
    decides on their ground), so that a navigation shows exactly the links that open."""
    ground = getattr(client, "access_ground", None)
    request = context.get("request")
    if ground is None or request is None:
        return frozenset()
    return policy.sections_for(request.user, ground)
