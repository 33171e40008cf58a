"""Walks through the app in a real browser: sign-in, the caseload, a client, the language
switch, sign-out, the keyboard, axe-core and narrow or zoomed screens."""

import re
import tempfile
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from clients.models import Client
from tests.conftest import World

from .conftest import PASSWORD, NewContext, assert_accessible, sign_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir()) / "caseflow-e2e"  # looked at by people, not committed


def translated(message: str, language: str) -> str:
    """The UI string as the server shows it in ``language``, from the same catalogues."""
    with translation.override(language):
        return translation.gettext(message)


def client_link_name(client: Client) -> str:
    return f"{client.last_name}, {client.first_name}"


def test_coordinator_walkthrough(page: Page, base_url: str, world: World) -> None:
    client = world.own_client
    page.goto(f"{base_url}/caseload/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    assert_accessible(page)

    sign_in(page, base_url, "coordinator")
    expect(page).to_have_url(f"{base_url}/caseload/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("My caseload", "fi"))
    expect(page.get_by_role("link", name=client_link_name(client))).to_be_visible()
    # Another coordinator's client is not in this caseload.
    expect(page.get_by_role("link", name=client_link_name(world.other_client))).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name=client_link_name(client)).click()
    expect(page).to_have_url(f"{base_url}/clients/{client.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(client.full_name)
    history = page.locator("section[aria-labelledby=assignments-heading]")
    expect(history.get_by_role("heading")).to_have_text(translated("Designated coordinators", "fi"))
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(world.coordinator.get_full_name())
    since = world.relationships_since
    expect(rows.first).to_contain_text(f"{since.day}.{since.month}.{since.year}")
    expect(rows.first).to_contain_text(translated("current", "fi"))
    assert_accessible(page)

    # The language switch in the header: Swedish, then English, staying on the same page.
    assert len({translated("My caseload", language) for language in ("fi", "sv", "en")}) == 3, (
        "the caseload heading is not translated into both Finnish and Swedish"
    )
    nav_link = page.get_by_role("navigation").get_by_role("link").first
    expect(nav_link).to_have_text(translated("My caseload", "fi"))
    for language in ("sv", "en"):
        page.locator("#language-select").select_option(language)
        page.locator("form.language-switch button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page).to_have_url(f"{base_url}/clients/{client.pk}/")
        expect(nav_link).to_have_text(translated("My caseload", language))
        expect(history.get_by_role("heading")).to_have_text(translated("Designated coordinators", language))
    expect(nav_link).to_have_text("My caseload")

    page.locator("form.logout button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("form.logout")).to_have_count(0)
    # Signed out for real: the caseload asks for a sign-in again.
    page.goto(f"{base_url}/caseload/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_sign_in_with_the_keyboard_only(page: Page, base_url: str, world: World) -> None:
    page.goto(f"{base_url}/login/")
    username = page.locator("#id_username")
    # The login form focuses the username field itself; the keyboard path is then the shortest.
    expect(username).to_be_focused()
    # Start again from the top of the page, as after tabbing in from the browser's toolbar: put
    # the sequential focus starting point before the first element, without focusing anything.
    page.evaluate(
        """() => {
            const start = document.createElement("span");
            start.tabIndex = -1;
            document.body.prepend(start);
            start.focus();
            start.blur();
            start.remove();
        }"""
    )
    assert page.evaluate("document.activeElement === document.body")

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    box = skip_link.bounding_box()
    assert box is not None
    assert box["x"] >= 0, f"the focused skip link is off screen: {box}"
    assert box["width"] > 1, f"the focused skip link is off screen: {box}"

    seen = []
    for _ in range(15):
        if page.evaluate("document.activeElement.id") == "id_username":
            break
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    else:
        pytest.fail(f"Tab never reached the username field; focus went through {seen}")
    expect(username).to_be_focused()

    page.keyboard.type("coordinator")
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base_url}/caseload/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("My caseload", "fi"))
    expect(page.get_by_role("link", name=client_link_name(world.own_client))).to_be_visible()


def test_forms_and_error_pages_pass_axe(page: Page, base_url: str, world: World) -> None:
    client = world.own_client
    sign_in(page, base_url, "coordinator")

    page.goto(f"{base_url}/clients/{client.pk}/edit/")
    expect(page.locator("#id_first_name")).to_have_value(client.first_name)
    assert_accessible(page)

    page.goto(f"{base_url}/clients/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("New client", "fi"))
    assert_accessible(page)
    # The form with its error messages, as sent empty.
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)

    # Another coordinator's client is "not found", like a page that does not exist.
    for path in (f"/clients/{world.other_client.pk}/", "/no-such-page/"):
        response = page.goto(f"{base_url}{path}")
        assert response is not None
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text(translated("Not found", "fi"))
        assert_accessible(page)


def test_team_lead_reviews_the_caseloads(page: Page, base_url: str, world: World) -> None:
    world.give(world.colleague, count=2)
    sign_in(page, base_url, "lead")
    expect(page).to_have_url(f"{base_url}/team/")
    expect(page.get_by_role("heading", level=1)).to_have_text(translated("Caseloads of my teams", "fi"))
    team = page.locator("section").filter(has=page.get_by_role("heading", name="Tiimi A"))
    sizes = {
        world.coordinator.get_full_name(): "1",
        world.colleague.get_full_name(): "3",
    }
    for name, size in sizes.items():
        row = team.locator("tbody tr").filter(has=page.get_by_role("link", name=name, exact=True))
        expect(row.locator("td.number")).to_have_text(size)
    # Coordinators only (the team's nurse has no caseload), and only the lead's own team.
    expect(page.get_by_role("link", name=world.member.get_full_name())).to_have_count(0)
    expect(page.get_by_role("heading", name="Tiimi B")).to_have_count(0)
    expect(page.get_by_role("link", name=world.other_coordinator.get_full_name())).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name=world.coordinator.get_full_name(), exact=True).click()
    expect(page).to_have_url(f"{base_url}/caseload/{world.coordinator.pk}/")
    with translation.override("fi"):
        heading = translation.gettext("Caseload of %(name)s") % {"name": world.coordinator.get_full_name()}
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("link", name=client_link_name(world.own_client))).to_be_visible()
    expect(page.get_by_role("link", name=client_link_name(world.colleague_client))).to_have_count(0)
    assert_accessible(page)


@pytest.mark.parametrize(
    ("name", "viewport", "scale"),
    [("phone", {"width": 375, "height": 800}, 3), ("zoom-200", {"width": 640, "height": 450}, 2)],
)
def test_caseload_fits_narrow_and_zoomed_screens(
    new_context: NewContext, base_url: str, world: World, name: str, viewport: dict[str, int], scale: int
) -> None:
    """A phone, and a 1280 × 900 window at 200 % zoom: 640 × 450 CSS pixels at scale 2."""
    world.give(world.coordinator, count=4)
    page = new_context(viewport=viewport, device_scale_factor=scale).new_page()
    sign_in(page, base_url, "coordinator")
    expect(page.get_by_role("link", name=client_link_name(world.own_client))).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    for path in ("/caseload/", f"/clients/{world.own_client.pk}/"):
        page.goto(f"{base_url}{path}")
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1] + 1, f"{path} overflows sideways at {name}: scrollWidth, innerWidth = {widths}"
        page.screenshot(path=SCREENSHOTS / f"{name}{path.replace('/', '-').rstrip('-')}.png", full_page=True)
        assert_accessible(page)

    # A table too wide for the screen scrolls inside its own box, and the keyboard can scroll it.
    page.goto(f"{base_url}/caseload/")
    table_box = page.locator(".table-wrap")
    if table_box.evaluate("box => box.scrollWidth > box.clientWidth"):
        table_box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.table-wrap').scrollLeft > 0")
