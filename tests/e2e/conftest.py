"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

One browser for the whole run of these tests, a fresh context (cookies, storage, viewport) for
each test.

While Playwright's sync API is started, the main thread has a running asyncio loop, and Django
refuses ORM calls there (the live server's own thread is unaffected) unless
DJANGO_ALLOW_ASYNC_UNSAFE is set. So the browser is package-scoped: it starts with the first
test here and stops after the last, and the variable is set only meanwhile. Set for the whole
session it would leak into the other tests, for example into the subprocess of
``manage.py check --deploy``, which rightly fails on it (async.E001); and a browser kept until the
end of the session would keep the loop running under the tests that run after these.
"""

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import DEFAULT_DB_ALIAS, connection
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from core.db import REPLICA
from tests.conftest import World

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "caseflow-demo"
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with pytest.MonkeyPatch.context() as patch:
        # Safe: the loop is Playwright's and never runs Django code; see the module's docstring.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as driver:
            yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (or `make system-packages`)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, transactional_db: None) -> Iterator[NewContext]:
    """Makes browser contexts with the test's own settings; closes them after the test.
    The locale is Finnish, as in the field, so that the server's default language shows.
    Set up after the database, so torn down before its flush: a page still polling the live
    server while the tables are truncated can deadlock with the truncation."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        settings: dict[str, Any] = {"locale": "fi-FI", "timezone_id": "Europe/Helsinki", "viewport": DESKTOP, **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    _wait_for_the_server_to_finish()


def _wait_for_the_server_to_finish() -> None:
    """Waits (30 seconds at most; on a busy machine a request takes seconds) until no other
    connection to the test database is inside a statement or a transaction: a request the
    closed page sent may still be running."""
    with connection.cursor() as cursor:
        for _ in range(300):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            if (cursor.fetchone() or (0,))[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The live server reads the team lead's figures from the replica alias (core.db), a mirror
    of the test database in the tests: every browser test may use both."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]))


@pytest.fixture
def world(transactional_db: None) -> World:
    """The shared test world, committed so that the live server's thread sees it."""
    return World()


@pytest.fixture
def base_url(live_server: LiveServer) -> str:
    return str(live_server.url)


def sign_in(page: Page, base_url: str, username: str) -> None:
    """Signs in through the login form, with the mouse."""
    page.goto(f"{base_url}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(f"{base_url}/login/")


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Runs axe-core on the page as it is; fails on any serious or critical violation."""
    violations = _axe.run(page).response["violations"]
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} – {[node['target'] for node in v['nodes']]}" for v in bad
    )
    assert not bad, f"axe-core found serious or critical violations on {page.url}:\n{report}"
