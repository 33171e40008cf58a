from urllib.parse import urlencode

from django import template

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
