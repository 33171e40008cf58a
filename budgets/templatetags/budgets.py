from decimal import Decimal

from django import template

from access import policy
from access.models import Section
from accounts.models import User
from budgets.money import euros
from clients.models import Client

register = template.Library()


@register.filter
def eur(value: Decimal | None) -> str:
    """Euros with cents, grouped: ``1 234,50 €``."""
    return "–" if value is None else euros(Decimal(value))


@register.filter
def shows_budget(client: Client, user: User) -> bool:
    """Whether the user's ground on the client lets them see the budget section."""
    ground = getattr(client, "access_ground", None)
    return ground is not None and Section.BUDGET in policy.sections_for(user, ground)
