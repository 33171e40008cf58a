"""The care plan as HTML for WeasyPrint: in the client's language, a header naming the client,
the version and the date on every page, and "page X of Y" at the foot. The task turns it into
a PDF (WeasyPrint is imported there, in the worker only)."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import PlanVersion

BASE_DIR = Path(settings.BASE_DIR)
# Tagged PDF/UA for screen readers, with the document's language and title.
WRITE_OPTIONS = {"pdf_variant": "pdf/ua-1"}


def css_string(text: str) -> str:
    """``text`` as a CSS string literal for a page-margin box."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def plan_html(version: PlanVersion, *, contacts: Mapping[str, Any] | None = None) -> str:
    """The version (loaded with ``plan_selectors.version_with_content``) as a printable page in
    the language it was published in (the client's), with ``contacts``: the named worker and
    today's substitute as ``portal.selectors.worker_contacts`` gives them when it is rendered."""
    client = version.plan.client
    language = version.language or client.preferred_language
    with translation.override(language):
        day = timezone.localtime(version.published_at).date() if version.published_at else timezone.localdate()
        header = _("Care plan, version %(number)s, %(date)s") % {
            "number": version.number,
            "date": date_format(day, "SHORT_DATE_FORMAT"),
        }
        # "Page {page} of {pages}" as CSS: the counters between the translated words.
        page = css_string(_("Page {page} of {pages}")).replace("{page}", '" counter(page) "')
        page = page.replace("{pages}", '" counter(pages) "')
        context = {
            "version": version,
            "client": client,
            "language": language,
            "day": day,
            "header_client": css_string(client.full_name),
            "header_version": css_string(header),
            "page_counter": page,
            "contacts": contacts or {},
            "rendered_on": timezone.localdate(),
        }
        return render_to_string("care_plans/pdf/plan.html", context)
