from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template.exceptions import TemplateDoesNotExist
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """A widget's attributes as ``django/forms/widgets/attrs.html`` writes them."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )


class _PythonOptions:
    """Writes a select's options in Python instead of one template include per option: a
    picker of the county's 1,500 professionals took about 1.5 s to render through the
    widget templates (two includes an option), and takes a few milliseconds so. The HTML is
    the same as Django's own templates write."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts: list[str] = [format_html('<select name="{}"{}>', widget["name"], _attributes(widget["attrs"]))]
        for group_name, group, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    "" if option["value"] is None else option["value"],
                    _attributes(option["attrs"]),
                    option["label"],
                )
                for option in group
            )
            if group_name:
                parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return mark_safe("".join(parts))  # noqa: S308  # every part escaped by format_html


class FastSelect(_PythonOptions, forms.Select):
    """``forms.Select`` for long lists (pickers of people)."""


class FastSelectMultiple(_PythonOptions, forms.SelectMultiple):
    """``forms.SelectMultiple`` for long lists (pickers of people)."""


class WidgetRenderer(Jinja2):
    """Form widgets drawn by Jinja2 from Django's own widget templates (the same HTML): through
    the Django template engine each option of a select, each box of a choice, was two or three
    template renders, a sixth of a client page. The admin's widget templates exist for the
    Django engine only: those are drawn by it."""

    fallback = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
