"""The admin in the user's language (issue 19): section titles, model and field names, choices
by their labels and the permissions in Finnish and Swedish, with no English model name or raw
code left on the index and the main lists; the staff's access log names what and on which
ground in words, not by the stored codes."""

import html
import re

import pytest
from django.contrib import admin
from django.test import Client as Browser
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import override

from accounts.factories import AdministratorFactory, DataProtectionFactory
from accounts.models import Profession, Role
from tests.conftest import World


def text_of(page: bytes) -> str:
    """The page's words, without its markup, scripts and styles."""
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", page.decode(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content)))


def english_names() -> set[str]:
    """The admin's section titles and model names in English."""
    with override("en"):
        names = {str(capfirst(model._meta.verbose_name_plural)) for model in admin.site._registry}
        names |= {str(model._meta.app_config.verbose_name) for model in admin.site._registry}
    return names


def translated_names(language: str) -> set[str]:
    with override(language):
        names = {str(capfirst(model._meta.verbose_name_plural)) for model in admin.site._registry}
        return names | {str(model._meta.app_config.verbose_name) for model in admin.site._registry}


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_admin_index_and_lists_hold_no_english_names_or_raw_codes(world: World, language: str) -> None:
    setup = AdministratorFactory(username="setup", is_superuser=True, language=language)
    browser = Browser(headers={"Accept-Language": language})
    browser.force_login(setup)
    # Names that are the same in both languages ("Tiimi A", a brand) are no sign of English.
    english = english_names() - translated_names(language)
    assert english, "the comparison needs names that differ"
    pages = [
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:reminders_reminder_changelist"),
        reverse("admin:reminders_reminderkindsetting_changelist"),
        reverse("admin:budgets_servicetype_changelist"),
        reverse("admin:teams_loadweight_changelist"),
        reverse("admin:otp_totp_totpdevice_changelist"),
    ]
    for url in pages:
        text = text_of(browser.get(url).content)
        assert not sorted(name for name in english if re.search(rf"\b{re.escape(name)}\b", text)), url
        # Choices by their labels, never their codes.
        for code in (Role.TEAM_LEAD, Role.DATA_PROTECTION, Profession.SOCIAL_COUNSELLOR, "referral_follow_up"):
            assert code not in text, (url, code)
    users = text_of(browser.get(reverse("admin:accounts_user_changelist")).content)
    with override(language):
        assert str(Role.TEAM_LEAD.label) in users
        assert str(Role.DATA_PROTECTION.label) in users


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_permissions_and_a_reminder_are_named_in_the_users_language(world: World, language: str) -> None:
    setup = AdministratorFactory(username="setup", is_superuser=True, language=language)
    browser = Browser(headers={"Accept-Language": language})
    browser.force_login(setup)
    for url in (
        reverse("admin:auth_group_add"),
        reverse("admin:accounts_user_change", args=[world.coordinator.pk]),
    ):
        text = text_of(browser.get(url).content)
        # The stored names of the permissions are English ("Can add user").
        assert not re.search(r"\bCan (add|change|delete|view) ", text), url
    reminder = text_of(browser.get(reverse("admin:reminders_reminder_change", args=[world.reminder.pk])).content)
    assert world.reminder.kind not in reminder
    assert world.reminder.subject_type not in reminder


def test_the_staff_access_log_names_what_and_the_ground_in_words(world: World) -> None:
    officer = DataProtectionFactory(username="officer", language="fi")
    # The named worker reads the client's page: an event of "client.overview" on their ground.
    worker = Browser()
    worker.force_login(world.coordinator)
    assert worker.get(reverse("client-detail", args=[world.own_client.pk])).status_code == 200
    browser = Browser(headers={"Accept-Language": "fi"})
    browser.force_login(officer)
    text = text_of(browser.get(reverse("access-log"), {"client": world.own_client.pk}).content)
    assert "client.overview" not in text
    assert "designated_coordinator" not in text
    assert "perustiedot" in text
