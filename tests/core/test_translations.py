"""Finnish is the default; Swedish and English are complete. (make test checks that the
catalogues are up to date with the source; this checks every entry is translated.)"""

from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_ui_string_is_translated(language: str) -> None:
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(catalogue) > 50
    untranslated = [entry.msgid for entry in catalogue if not entry.translated()]
    assert untranslated == []


def test_finnish_by_default_and_switchable(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    assert '<html lang="fi">' in client.get(reverse("caseload")).content.decode()
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    page = client.get(reverse("caseload")).content.decode()
    assert '<html lang="sv">' in page
    assert "Mina klienter" in page


def test_a_signed_in_user_gets_their_saved_language_not_the_browsers(world: World) -> None:
    world.coordinator.language = "sv"
    world.coordinator.save()
    client = Client(headers={"accept-language": "en"})
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()  # before sign-in: the browser's
    client.force_login(world.coordinator)
    assert '<html lang="sv">' in client.get(reverse("caseload")).content.decode()


def test_the_switcher_saves_the_choice_on_the_account(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    world.coordinator.refresh_from_db()
    assert world.coordinator.language == "en"
    other_browser = Client(headers={"accept-language": "fi"})
    other_browser.force_login(world.coordinator)
    assert '<html lang="en">' in other_browser.get(reverse("caseload")).content.decode()
