"""Granting a consultation on a page of its own: the overview only links to it (it rendered
every professional of a county in a select, over a second on each view of a client), and the
page's search narrows the professionals to the first few matches, never offering the granter."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from access.models import AccessEvent, Consultation
from accounts import selectors as account_selectors
from accounts.factories import CoordinatorFactory, TeamMemberFactory
from accounts.models import Profession, User
from tests.conftest import World

CHOICE = re.compile(r'name="consultation-professional" value="(\d+)"')


def _browser(user: User, *, language: str = "en") -> Browser:
    user.language = language
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


def _page(world: World) -> str:
    return reverse("client-consultation-create", args=[world.own_client.pk])


def _offered(html: str) -> list[int]:
    return [int(pk) for pk in CHOICE.findall(html)]


def _professionals(count: int, last_name: str) -> list[User]:
    return [CoordinatorFactory(first_name=f"Testi{n}", last_name=last_name) for n in range(count)]


def test_the_overview_links_to_the_page_instead_of_listing_every_professional(world: World) -> None:
    html = _browser(world.coordinator).get(reverse("client-detail", args=[world.own_client.pk])).content.decode()
    assert 'name="consultation-professional"' not in html
    assert f'href="{_page(world)}"' in html
    # Those who see the client without managing it get no link.
    html = _browser(world.member).get(reverse("client-detail", args=[world.own_client.pk])).content.decode()
    assert _page(world) not in html


def test_no_search_lists_no_one(world: World) -> None:
    response = _browser(world.coordinator).get(_page(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert _offered(html) == []
    assert "Search by name to choose the professional." in html
    assert f'href="{reverse("client-detail", args=[world.own_client.pk])}#consultations"' in html


def test_the_search_finds_by_name_username_and_profession(world: World) -> None:
    wanted = CoordinatorFactory(first_name="Hilkka", last_name="Zetterberg", username="hzet")
    psychologist = TeamMemberFactory(first_name="Pauli", last_name="Mielinen", profession="psychologist")
    browser = _browser(world.coordinator)
    for query in ("zetter", "HILKKA", "hilkka zett", "hzet"):
        assert _offered(browser.get(_page(world), {"q": query}).content.decode()) == [wanted.pk], query
    assert _offered(browser.get(_page(world), {"q": "hilkka mielinen"}).content.decode()) == []
    assert psychologist.pk in _offered(browser.get(_page(world), {"q": "psychologist"}).content.decode())
    # The profession as it is named in the user's language ("Psykologi" where compiled).
    browser = _browser(world.coordinator, language="fi")
    with translation.override("fi"):
        named = str(Profession.PSYCHOLOGIST.label)
    assert psychologist.pk in _offered(browser.get(_page(world), {"q": named.lower()}).content.decode())
    html = browser.get(_page(world), {"q": "ei-ketään"}).content.decode()
    assert _offered(html) == []


def test_the_search_caps_the_list_and_says_so(world: World) -> None:
    _professionals(account_selectors.PICKER_LIMIT + 5, "Monilainen")
    html = _browser(world.coordinator).get(_page(world), {"q": "monilainen"}).content.decode()
    assert len(_offered(html)) == account_selectors.PICKER_LIMIT
    assert "More professionals match than are shown; narrow the search." in html
    found = account_selectors.search_professionals("monilainen")
    assert (len(found.people), found.more) == (account_selectors.PICKER_LIMIT, True)


def test_the_granter_and_those_refused_a_grant_are_never_offered(world: World) -> None:
    browser = _browser(world.coordinator)
    for user in (world.coordinator, world.admin, world.data_protection, world.citizen):
        assert user.pk not in _offered(browser.get(_page(world), {"q": user.username}).content.decode()), user.username
    # The page refuses a self-grant sent anyway; the service would too.
    response = browser.post(
        _page(world), {"consultation-professional": world.coordinator.pk, "consultation-reason": "Itselle"}
    )
    assert response.status_code == 400
    assert not Consultation.objects.exists()


def test_with_htmx_the_search_answers_with_the_choices_alone(world: World) -> None:
    response = _browser(world.coordinator).get(_page(world), {"q": world.colleague.username}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert _offered(html) == [world.colleague.pk]
    assert "HX-Request" in response["Vary"]


def test_granted_through_the_page_and_audited(world: World) -> None:
    browser = _browser(world.coordinator)
    ends_on = timezone.localdate() + datetime.timedelta(days=10)
    response = browser.post(
        f"{_page(world)}?q={world.other_coordinator.username}",
        {
            "consultation-professional": world.other_coordinator.pk,
            "consultation-reason": "Lääkärin arvio",
            "consultation-ends_on": ends_on.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("client-detail", args=[world.own_client.pk]) + "#consultations"
    consultation = Consultation.objects.get()
    assert (consultation.professional, consultation.granted_by, consultation.ends_on) == (
        world.other_coordinator,
        world.coordinator,
        ends_on,
    )
    [event] = AccessEvent.objects.filter(
        pk__gt=world.last_event_pk, action=AccessEvent.Action.GRANT, what="consultation"
    )
    assert (event.actor_id, event.grantee_id, event.client_id, event.reason, event.until) == (
        world.coordinator.pk,
        world.other_coordinator.pk,
        world.own_client.pk,
        "Lääkärin arvio",
        ends_on,
    )


@pytest.mark.parametrize("ends_on", ["2026-02-30", "huomenna", "9" * 30])
def test_a_bad_date_is_400_and_keeps_the_one_chosen(world: World, ends_on: str) -> None:
    response = _browser(world.coordinator).post(
        _page(world),
        {
            "consultation-professional": world.other_coordinator.pk,
            "consultation-reason": "Lääkärin arvio",
            "consultation-ends_on": ends_on,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _offered(html) == [world.other_coordinator.pk]
    assert re.search(rf'value="{world.other_coordinator.pk}"[^>]*checked', html)
    assert not Consultation.objects.exists()


def test_a_date_the_service_refuses_is_400_and_keeps_the_one_chosen(world: World) -> None:
    too_late = timezone.localdate() + datetime.timedelta(days=1000)
    response = _browser(world.coordinator).post(
        _page(world),
        {
            "consultation-professional": world.other_coordinator.pk,
            "consultation-reason": "Lääkärin arvio",
            "consultation-ends_on": too_late.isoformat(),
        },
    )
    assert response.status_code == 400
    assert re.search(rf'value="{world.other_coordinator.pk}"[^>]*checked', response.content.decode())
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("query", ["a\x00b", "x" * 1_000_000, "x" * 101, "\x1b[2J"])
def test_a_hostile_search_is_400(world: World, query: str) -> None:
    browser = _browser(world.coordinator)
    assert browser.get(_page(world), {"q": query}).status_code == 400
    assert browser.get(_page(world), {"q": query}, HTTP_HX_REQUEST="true").status_code == 400


def test_a_search_for_wildcards_finds_them_literally(world: World) -> None:
    html = _browser(world.coordinator).get(_page(world), {"q": "%_%"}).content.decode()
    assert _offered(html) == []


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("substitute", 403), ("colleague", 404)])
def test_those_who_do_not_manage_the_client_are_refused(world: World, role: str, status: int) -> None:
    browser = _browser(getattr(world, role))
    assert browser.get(_page(world), {"q": "a"}).status_code == status
    response = browser.post(
        _page(world), {"consultation-professional": world.other_coordinator.pk, "consultation-reason": "x"}
    )
    assert response.status_code == status
    assert not Consultation.objects.exists()


def test_a_closed_client_offers_no_grant(world: World) -> None:
    browser = _browser(world.coordinator)
    page = reverse("client-consultation-create", args=[world.closed_client.pk])
    html = browser.get(reverse("client-detail", args=[world.closed_client.pk])).content.decode()
    assert page not in html
    # Its former coordinator no longer manages it.
    assert browser.get(page).status_code == 403
    response = browser.post(page, {"consultation-professional": world.other_coordinator.pk, "consultation-reason": "x"})
    assert response.status_code == 403
    assert not Consultation.objects.exists()


def _queries(browser: Browser, url: str, **headers: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(url, {"q": "Kyselylainen"}, **headers)  # type: ignore[arg-type]
    assert response.status_code == 200
    return len(captured)


def test_the_search_costs_the_same_for_5_and_40_professionals(world: World) -> None:
    browser = _browser(world.coordinator)
    _professionals(5, "Kyselylainen")
    with translation.override("en"):
        page_5, fragment_5 = _queries(browser, _page(world)), _queries(browser, _page(world), HTTP_HX_REQUEST="true")
    _professionals(35, "Kyselylainen")
    with translation.override("en"):
        page_40, fragment_40 = _queries(browser, _page(world)), _queries(browser, _page(world), HTTP_HX_REQUEST="true")
    assert (page_40, fragment_40) == (page_5, fragment_5)
    assert fragment_5 < page_5
