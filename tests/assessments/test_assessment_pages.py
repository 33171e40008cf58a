"""The assessment pages: the list, one assessment with the week grid, domain editing in place
with htmx, completing, comparison, and the due list on the caseload."""

import datetime
import html
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.policy import Ground
from assessments import services
from assessments.models import Assessment, DomainNeed, LifeDomain
from networks.models import NetworkMember
from tests.assessments.test_assessments import fill_and_complete
from tests.conftest import World

COORDINATOR = Ground.DESIGNATED_COORDINATOR
HTMX = {"hx-request": "true"}


def signed_in(world: World) -> Client:
    """The coordinator, reading in English so that the assertions read plainly."""
    world.coordinator.language = "en"
    world.coordinator.save(update_fields=["language"])
    client = Client()
    client.force_login(world.coordinator)
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_list_shows_each_assessment_in_a_constant_number_of_queries(world: World) -> None:
    browser = signed_in(world)
    url = reverse("client-assessments", args=[world.own_client.pk])
    with CaptureQueriesContext(connection) as one:
        assert browser.get(url).status_code == 200
    fill_and_complete(world, world.assessment, timezone.localdate())
    for _ in range(3):
        fill_and_complete(
            world, services.start_assessment(client=world.own_client, by=world.coordinator, ground=COORDINATOR)
        )
    with CaptureQueriesContext(connection) as four:
        response = browser.get(url)
    assert text(response).count(reverse("assessment-detail", args=[world.assessment.pk])) == 1
    assert len(four) <= len(one) + 1  # + the compare form's choices, shown from two assessments on


def test_the_page_marks_and_counts_uncovered_times(world: World) -> None:
    services.set_need(
        assessment=world.assessment,
        domain=LifeDomain.objects.get(code="health"),
        by=world.coordinator,
        ground=COORDINATOR,
        level=1,
        slots=[{"weekday": 0, "time_of_day": "morning"}, {"weekday": 4, "time_of_day": "night"}],
    )
    response = signed_in(world).get(reverse("assessment-detail", args=[world.assessment.pk]))
    page = text(response)
    # Monday morning: one need covered by a relative, another by no one; Friday night: no one.
    assert "2 of the 2 times when help is needed are not covered" in page
    assert page.count('<td class="uncovered">') == 2
    assert "Not covered" in page


def test_a_domain_opens_and_saves_in_place_and_the_grid_follows(world: World) -> None:
    browser = signed_in(world)
    url = reverse("assessment-need", args=[world.assessment.pk, "safety"])
    form = browser.get(url, headers=HTMX)
    assert form.status_code == 200
    assert 'name="need-safety-slot_0_morning"' in text(form)
    member = NetworkMember.objects.filter(client=world.own_client).first()
    assert member is not None
    saved = browser.post(
        url,
        {
            "need-safety-level": "2",
            "need-safety-client_text": "Portaat ovat vaikeat.",
            "need-safety-slot_0_morning": f"network-{member.pk}",
            "need-safety-slot_1_evening": "uncovered",
            "need-safety-slot_2_night": "service",
            "need-safety-service": "Yöpartio",
        },
        headers=HTMX,
    )
    assert saved.status_code == 200
    body = text(saved)
    assert 'hx-swap-oob="true"' in body
    assert "Portaat ovat vaikeat." in body
    need = DomainNeed.objects.get(assessment=world.assessment, domain__code="safety")
    slots = {(s.weekday, s.time_of_day): s for s in need.slots.all()}
    assert slots[(0, "morning")].network_member == member
    assert slots[(1, "evening")].coverage == ""
    assert slots[(2, "night")].service == "Yöpartio"


def test_bad_input_shows_the_form_again_and_saves_nothing(world: World) -> None:
    browser = signed_in(world)
    url = reverse("assessment-need", args=[world.assessment.pk, "safety"])
    response = browser.post(url, {"need-safety-level": "9", "need-safety-slot_0_morning": "nobody"})
    assert response.status_code == 400
    assert 'class="error"' in text(response)
    assert not DomainNeed.objects.filter(assessment=world.assessment, domain__code="safety").exists()
    rai = browser.post(
        reverse("assessment-detail", args=[world.assessment.pk]),
        {"action": "save", "rai_instrument": "", "rai_cps": "3", "client_view": "Ei tallennu"},
    )
    assert rai.status_code == 400
    world.assessment.refresh_from_db()
    assert world.assessment.client_view == ""


def test_completing_lists_what_is_missing_and_a_completed_one_is_frozen(world: World) -> None:
    browser = signed_in(world)
    url = reverse("assessment-detail", args=[world.assessment.pk])
    refused = browser.post(url, {"action": "complete"})
    assert refused.status_code == 400
    assert "Record the client's own view" in text(refused)
    saved = browser.post(
        url,
        {
            "action": "save",
            "client_took_part": "on",
            "situation_summary": "Asuu yksin.",
            "client_view": "Haluan pärjätä kotona.",
            "professional_conclusion": "Kotihoito aamuisin.",
            "rai_instrument": "interrai_hc",
            "rai_maple": "3",
        },
    )
    assert saved.status_code == 302
    assert browser.post(url, {"action": "complete"}).status_code == 302
    assessment = Assessment.objects.get(pk=world.assessment.pk)
    assert assessment.status == Assessment.Status.COMPLETED
    assert assessment.reassess_on is not None
    frozen = browser.post(url, {"action": "save", "client_view": "Muutos"})
    assert frozen.status_code == 409
    page = text(browser.get(url))
    assert "can no longer be changed" in page
    assert 'name="action" value="save"' not in page


def test_the_comparison_page_says_which_domains_got_better_or_worse(world: World) -> None:
    fill_and_complete(world, world.assessment, timezone.localdate())
    newer = services.start_assessment(client=world.own_client, by=world.coordinator, ground=COORDINATOR)
    old_level = DomainNeed.objects.get(assessment=newer, domain__code="daily_living").level
    services.set_need(
        assessment=newer,
        domain=LifeDomain.objects.get(code="daily_living"),
        by=world.coordinator,
        ground=COORDINATOR,
        level=old_level + 1 if old_level < 3 else old_level - 1,
    )
    response = signed_in(world).get(
        reverse("assessment-compare", args=[world.own_client.pk]),
        {"older": str(world.assessment.pk), "newer": str(newer.pk)},
    )
    page = text(response)
    assert response.status_code == 200
    assert ("Worse: more support needed" if old_level < 3 else "Better: less support needed") in page
    bad = signed_in(world).get(
        reverse("assessment-compare", args=[world.own_client.pk]), {"older": "x", "newer": str(newer.pk)}
    )
    assert bad.status_code == 400


def test_the_caseload_shows_assessments_due(world: World) -> None:
    world.own_client.child_special_support = True
    world.own_client.save(update_fields=["child_special_support"])
    Assessment.objects.filter(pk=world.assessment.pk).update(complete_by=timezone.localdate() - datetime.timedelta(3))
    page = text(signed_in(world).get(reverse("caseload")))
    assert "Needs assessments due" in page
    # The summary line's list opens in place (htmx), or on the page asked for with it.
    page = text(signed_in(world).get(reverse("caseload"), {"show": "due"}))
    assert "Complete the assessment (child, 3 months)" in page
    assert "3 days overdue" in page


def test_with_htmx_a_refused_domain_comes_back_in_place_with_its_message(world: World) -> None:
    browser = signed_in(world)
    url = reverse("assessment-need", args=[world.assessment.pk, "safety"])
    bad = browser.post(url, {"need-safety-level": "9"}, headers=HTMX)
    assert bad.status_code == 400
    assert 'id="domain-safety"' in text(bad)
    assert "data-swap-errors" in text(bad)
    assert "<html" not in text(bad)
    fill_and_complete(world, world.assessment, timezone.localdate())
    frozen = browser.post(url, {"need-safety-level": "1"}, headers=HTMX)
    assert frozen.status_code == 409
    assert "A completed assessment cannot be changed" in text(frozen)
    assert "<html" not in text(frozen)


def test_only_the_domains_for_the_clients_age_are_offered(world: World) -> None:
    """A child's growth is assessed for children, not for an adult, unless a need in it was
    already recorded: recorded work is never hidden."""
    browser = signed_in(world)
    child_domain = LifeDomain.objects.get(code="child_development")
    url = reverse("assessment-detail", args=[world.assessment.pk])
    client = world.assessment.client

    def aged(years: int) -> str:
        client.date_of_birth = world.assessment.started_on - datetime.timedelta(days=365 * years + 30)
        client.save(update_fields=["date_of_birth"])
        return text(browser.get(url))

    assert child_domain.name_en in aged(10)
    adult = aged(40)
    assert child_domain.name_en not in adult
    assert LifeDomain.objects.get(code="health").name_en in adult
    DomainNeed.objects.create(assessment=world.assessment, domain=child_domain, level=1)
    assert child_domain.name_en in aged(40)
