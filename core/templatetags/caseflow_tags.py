import calendar
from datetime import date
from urllib.parse import urlencode

from django import template
from django.forms import BoundField
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def toggle_sort(current: str, column: str) -> str:
    """The sort a column header links to: this column, reversed if it is already sorted by."""
    return f"-{column}" if current == column else column


@register.simple_tag
def sort_state(current: str, column: str) -> str:
    """The aria-sort value of a column header."""
    if current == column:
        return "ascending"
    if current == f"-{column}":
        return "descending"
    return "none"


@register.simple_tag
def caseload_query(**params: object) -> str:
    return urlencode({name: value for name, value in params.items() if value not in ("", None)})


@register.filter
def span(start: date | None, end: date) -> str:
    """The time from ``start`` to ``end`` in one humane format everywhere: "4 v 2 kk", "2 kk",
    "12 pv" (years and months once there is a month, days before)."""
    if start is None:
        return "–"
    years, months = divmod(whole_months(start, end), 12)
    if years or months:
        parts = [pgettext("duration", "%(years)s y") % {"years": years}] if years else []
        if months:
            parts.append(pgettext("duration", "%(months)s mo") % {"months": months})
        return " ".join(parts)
    return pgettext("duration", "%(days)s d") % {"days": max((end - start).days, 0)}


def whole_months(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``, as ``relativedelta(end, start)`` counts them (a
    month from 31 January is 28 February), without building one: the caseload writes two
    spans a row."""
    months = (end.year - start.year) * 12 + end.month - start.month
    year, month = divmod(start.month - 1 + months, 12)
    last_day = calendar.monthrange(start.year + year, month + 1)[1]
    if months > 0 and date(start.year + year, month + 1, min(start.day, last_day)) > end:
        months -= 1
    return max(months, 0)


@register.filter
def days(count: int | None) -> str:
    """A count of days in the same humane format as ``span``: "12 pv", or "–" for none."""
    if not count:
        return "–"
    return pgettext("duration", "%(days)s d") % {"days": count}


# Widgets drawn as the design system's text input (hds-core's .hds-text-input__input); a
# select gets the same frame from app.css, which hds-core leaves to its React component.
TEXT_WIDGETS = frozenset({"text", "email", "number", "date", "password", "url", "tel", "time", "datetime", "search"})


@register.filter
def hds_widget(field: BoundField) -> str:
    """The field's widget with the design system's class added to the classes it has."""
    kind = field.widget_type
    if kind in TEXT_WIDGETS or kind == "textarea":
        extra = "hds-text-input__input"
    elif kind in ("select", "selectmultiple", "nullbooleanselect"):
        extra = "cf-select"
    else:
        return str(field)
    classes = " ".join(filter(None, [field.field.widget.attrs.get("class", ""), extra]))
    return str(field.as_widget(attrs={"class": classes}))
