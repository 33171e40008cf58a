"""The caseload's to-do as compact lines (issue 19, part 4): the due assessments are one line
whose list opens in place, fetched by htmx (``?show=due``) or, without script, on the page asked
for with it; a bad value is a 400, never a 500."""

import datetime
import html
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from tests.conftest import World

HTMX = {"hx-request": "true"}
DUE_ITEM = "Complete the assessment (child, 3 months)"


def signed_in(world: World) -> Client:
    world.coordinator.language = "en"
    world.coordinator.save(update_fields=["language"])
    client = Client()
    client.force_login(world.coordinator)
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def make_due(world: World) -> None:
    world.own_client.child_special_support = True
    world.own_client.save(update_fields=["child_special_support"])
    Assessment.objects.filter(pk=world.assessment.pk).update(complete_by=timezone.localdate() - datetime.timedelta(3))


def test_the_due_assessments_are_one_line_that_opens_in_place(world: World) -> None:
    make_due(world)
    browser = signed_in(world)
    page = text(browser.get(reverse("caseload")))
    assert 'id="due-line"' in page
    assert "overdue" in page[page.index('id="due-line"') :]
    assert DUE_ITEM not in page
    # The list of clients follows the lines on the same page.
    assert page.index('id="due-line"') < page.index('class="caseload hds-table')

    partial = browser.get(reverse("caseload"), {"show": "due"}, headers=HTMX)
    assert partial.status_code == 200
    assert DUE_ITEM in text(partial)
    assert "3 days overdue" in text(partial)
    assert "<html" not in text(partial)
    assert 'class="caseload' not in text(partial)


def test_without_script_the_line_opens_on_its_own_page(world: World) -> None:
    make_due(world)
    page = text(signed_in(world).get(reverse("caseload"), {"show": "due"}))
    assert "<html" in page
    assert '<details id="due-line"' in page
    assert " open>" in page[page.index('<details id="due-line"') :][:400]
    assert DUE_ITEM in page


def test_a_bad_line_is_refused(world: World) -> None:
    browser = signed_in(world)
    for value in ("x", "\x00", "١"):
        assert browser.get(reverse("caseload"), {"show": value}).status_code == 400
        assert browser.get(reverse("caseload"), {"show": value}, headers=HTMX).status_code == 400
