"""Money: euros with cents, as ``Decimal``, never float.

Rounding: an amount is rounded to whole cents once, where it is calculated (a line's proposed
allocation, a spending entered with more decimals is refused rather than rounded), half away
from zero (``ROUND_HALF_UP``: 0.005 → 0.01, the way people round on paper and as Finnish
invoices do). A budget's total is the sum of its lines' rounded amounts, so the total always
equals the sum of its parts; nothing is rounded twice."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(value: Decimal) -> Decimal:
    """Rounds to whole cents, half up (away from zero)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def has_cents_only(value: Decimal) -> bool:
    """True when ``value`` has at most two decimals (a sum someone can actually pay)."""
    try:
        return value == value.quantize(CENT)
    except InvalidOperation:
        return False


def euros(value: Decimal) -> str:
    """``1234.5`` → ``1 234,50 €``, as the Finnish and Swedish pages write money."""
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(to_cents(value)):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", "\u00a0")
    return f"{sign}{grouped},{cents}\u00a0€"
