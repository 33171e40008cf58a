"""The reminder inbox in a real browser: the header's badge counts the unread reminders (htmx
on load), the inbox lists them, marking one read and another done updates the list and the
badge without a page load; axe-core on the inbox and the settings page."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from reminders import services
from reminders.models import Reminder
from tests.conftest import World

from .conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def fi(message: str) -> str:
    with translation.override("fi"):
        return translation.gettext(message)


def test_the_inbox_shows_new_reminders_and_marks_them_read(page: Page, base_url: str, world: World) -> None:
    services.sweep(queue=False)  # today's meeting of own_client: a second reminder
    mine = list(Reminder.objects.filter(recipient=world.coordinator).order_by("due_on", "pk"))
    assert len(mine) == 2
    sign_in(page, base_url, "coordinator")

    badge = page.locator("#reminder-badge .badge")
    expect(badge).to_have_text("2")
    page.get_by_role("navigation", name=fi("Main")).get_by_role("link", name=fi("Reminders")).click()
    expect(page).to_have_url(f"{base_url}/reminders/")
    cards = page.locator(".reminder-row")
    expect(cards).to_have_count(2)
    expect(page.locator(".reminder-row.is-unread")).to_have_count(2)
    expect(cards.first).to_contain_text(world.own_client.last_name)
    assert_accessible(page)

    first, second = mine
    page.locator(f"#reminder-{first.pk}").get_by_role("button", name=fi("Mark read")).click()
    expect(page.locator(f"#reminder-{first.pk}")).not_to_have_class(re.compile(r"\bis-unread\b"))
    expect(page.locator(".reminder-row.is-unread")).to_have_count(1)
    expect(badge).to_have_text("1")
    first.refresh_from_db()
    assert first.read_at is not None

    page.locator(f"#reminder-{second.pk}").get_by_role("button", name=fi("Done")).click()
    expect(page.locator(f"#reminder-{second.pk}")).to_have_count(0)
    expect(badge).to_have_count(0)
    second.refresh_from_db()
    assert second.done_at is not None
    assert_accessible(page)

    # Filtering by kind swaps the list in place (htmx) and keeps the address.
    page.get_by_label(fi("Kind")).select_option(first.kind)
    expect(page).to_have_url(re.compile(rf"kind={first.kind}"))
    expect(page.locator(".reminder-row")).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("link", name=fi("Choose which reminders also come by email")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fi("Reminder settings"))
    assert_accessible(page)
