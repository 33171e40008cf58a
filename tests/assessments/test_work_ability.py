"""The work-ability track in the assessment (issue 18): the domain of work, studies and work
ability with its own scale, for working-age adults, and each professional's own conclusion —
the employment specialist's of a work-ability team beside the coordinator's and the client's."""

import datetime
import html
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import ProgrammingError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.policy import Ground
from accounts.factories import TeamMemberFactory
from accounts.models import Profession, User
from assessments import selectors, services
from assessments.configuration import WORK_DOMAIN, WORK_SCALE
from assessments.models import Assessment, LifeDomain, ProfessionalConclusion, ScaleLevel
from clients.models import Client as ClientRecord
from core.errors import ConflictError
from networks import services as network_services
from tests.assessments.test_assessments import fill_and_complete
from tests.conftest import World

COORDINATOR = Ground.DESIGNATED_COORDINATOR


def work() -> LifeDomain:
    return LifeDomain.objects.get(code=WORK_DOMAIN)


def aged(client: ClientRecord, years: int) -> ClientRecord:
    """``client`` made ``years`` old today (the assessment offers domains by age)."""
    born = timezone.localdate() - datetime.timedelta(days=years * 365 + 30)
    ClientRecord.objects.filter(pk=client.pk).update(date_of_birth=born)
    client.refresh_from_db()
    return client


def specialist_on_team(world: World, client: ClientRecord | None = None, username: str = "employment") -> User:
    """An employment specialist on ``client``'s care team (own_client's by default)."""
    specialist = TeamMemberFactory(username=username, profession=Profession.EMPLOYMENT_SPECIALIST)
    client = client or world.own_client
    network_services.add_to_care_team(
        client=client,
        professional=specialist,
        role="Työllisyysasiantuntija",
        started_on=timezone.localdate() - datetime.timedelta(days=10),
        by=world.coordinator if client == world.own_client else world.colleague,
        ground=COORDINATOR,
    )
    return specialist


def browser_for(user: User) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    browser = Client()
    browser.force_login(user)
    return browser


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def token_for(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


# The domain and its scale


def test_the_work_domain_is_configured_with_its_own_scale_for_working_age(world: World) -> None:
    domain = work()
    assert domain.ages == LifeDomain.Ages.WORKING_AGE
    assert domain.own_scale == WORK_SCALE
    levels = ScaleLevel.objects.filter(scale=WORK_SCALE).order_by("value")
    assert [level.value for level in levels] == [0, 1, 2, 3]
    assert all(level.name_fi and level.name_sv and level.name_en for level in levels)
    assert [domain.applies_at(age) for age in (17, 18, 40, 64, 65, 80)] == [False, True, True, True, False, False]
    # Before "other needs" in the order of the page.
    codes = [d.code for d in LifeDomain.objects.all()]
    assert codes.index(WORK_DOMAIN) < codes.index("other")


def test_the_assessment_offers_the_work_domain_to_working_age_clients_only(world: World) -> None:
    aged(world.own_client, 40)
    assessment = selectors.assessment_with_needs(world.assessment.pk)
    domains = selectors.configuration()["domains"]
    assert work() in selectors.domains_for(assessment, domains)
    aged(world.own_client, 78)
    assessment = selectors.assessment_with_needs(world.assessment.pk)
    assert work() not in selectors.domains_for(assessment, domains)


def test_the_need_in_the_work_domain_keeps_its_work_ability_level(world: World) -> None:
    need = services.set_need(
        assessment=world.assessment, domain=work(), by=world.coordinator, ground=COORDINATOR, level=2, own_level=2
    )
    assert need.own_level == 2
    fill_and_complete(world, world.assessment)
    # A new assessment starts from the previous one, the work-ability level too.
    again = services.start_assessment(client=world.own_client, by=world.coordinator, ground=COORDINATOR)
    assert again.needs.get(domain=work()).own_level == 2


@pytest.mark.parametrize(("domain_code", "own_level"), [("work", 9), ("health", 1)])
def test_a_level_off_the_domains_own_scale_is_refused(world: World, domain_code: str, own_level: int) -> None:
    with pytest.raises(ValidationError) as error:
        services.set_need(
            assessment=world.assessment,
            domain=LifeDomain.objects.get(code=domain_code),
            by=world.coordinator,
            ground=COORDINATOR,
            level=1,
            own_level=own_level,
        )
    assert "own_level" in error.value.message_dict


def test_the_page_edits_the_work_ability_level(world: World) -> None:
    aged(world.own_client, 40)
    browser = browser_for(world.coordinator)
    url = reverse("assessment-detail", args=[world.assessment.pk])
    page = text(browser.get(url, {"edit": WORK_DOMAIN}))
    assert "Work, studies and work ability" in page
    assert 'name="need-work-own_level"' in page
    assert "Able to work or study with support" in page
    # The other domains have no scale of their own.
    assert 'name="need-health-own_level"' not in text(browser.get(url, {"edit": "health"}))
    response = browser.post(
        reverse("assessment-need", args=[world.assessment.pk, WORK_DOMAIN]),
        {"need-work-level": "2", "need-work-own_level": "1", "need-work-client_text": "Haluan töihin."},
    )
    assert response.status_code == 302
    assert world.assessment.needs.get(domain=work()).own_level == 1
    page = text(browser.get(url))
    assert "Work ability" in page
    assert "1 – Able to work or study with support" in page


def test_the_page_refuses_a_level_off_the_scale(world: World) -> None:
    aged(world.own_client, 40)
    response = browser_for(world.coordinator).post(
        reverse("assessment-need", args=[world.assessment.pk, WORK_DOMAIN]),
        {"need-work-level": "2", "need-work-own_level": "7"},
    )
    assert response.status_code == 400
    assert not world.assessment.needs.filter(domain=work()).exists()


def test_the_api_records_and_shows_the_work_ability_level(world: World) -> None:
    api = token_for(world.coordinator)
    url = reverse("api-assessment-need", args=[world.assessment.pk, WORK_DOMAIN])
    assert api.put(url, {"level": 2, "own_level": 3}, format="json").status_code == 200
    detail = api.get(reverse("api-assessment-detail", args=[world.assessment.pk])).json()
    assert next(n for n in detail["needs"] if n["domain"] == WORK_DOMAIN)["own_level"] == 3
    refused = api.put(url, {"level": 2, "own_level": 8}, format="json")
    assert refused.status_code == 400
    assert "own_level" in refused.json()
    assert api.put(url, {"level": 2, "own_level": "x\x00"}, format="json").status_code == 400
    config = api.get(reverse("api-assessment-config")).json()
    assert [level["value"] for level in config["work_levels"]] == [0, 1, 2, 3]
    assert next(d for d in config["domains"] if d["code"] == WORK_DOMAIN)["own_scale"] == WORK_SCALE


# The professionals' own conclusions


def test_the_employment_specialist_writes_her_conclusion_beside_the_others(world: World) -> None:
    specialist = specialist_on_team(world)
    services.update_assessment(
        assessment=world.assessment,
        by=world.coordinator,
        ground=COORDINATOR,
        fields={"professional_conclusion": "Kotihoito aamuisin.", "client_view": "Haluan töihin."},
    )
    browser = browser_for(specialist)
    url = reverse("assessment-detail", args=[world.assessment.pk])
    page = text(browser.get(url))
    # She reads the assessment and gets her own form, not the coordinator's.
    assert 'action="{}"'.format(reverse("assessment-conclusion", args=[world.assessment.pk])) in page
    assert 'name="situation_summary"' not in page
    response = browser.post(
        reverse("assessment-conclusion", args=[world.assessment.pk]), {"text": "Työkokeilu kaupan alalla."}
    )
    assert response.status_code == 302
    conclusion = ProfessionalConclusion.objects.get(assessment=world.assessment)
    assert (conclusion.author, conclusion.profession) == (specialist, Profession.EMPLOYMENT_SPECIALIST)
    page = text(browser_for(world.coordinator).get(url))
    assert "Employment specialist" in page
    assert "Työkokeilu kaupan alalla." in page
    assert "Kotihoito aamuisin." in page
    assert "Haluan töihin." in page
    # Saving again changes her one conclusion; an empty one takes it away.
    browser.post(reverse("assessment-conclusion", args=[world.assessment.pk]), {"text": "Palkkatuki."})
    assert list(ProfessionalConclusion.objects.values_list("text", flat=True)) == ["Palkkatuki."]
    browser.post(reverse("assessment-conclusion", args=[world.assessment.pk]), {"text": "  "})
    assert not ProfessionalConclusion.objects.exists()


def test_the_conclusions_of_several_professionals_stand_side_by_side(world: World) -> None:
    specialist = specialist_on_team(world)
    for user, words in ((specialist, "Työkokeilu."), (world.member, "Selkä kestää osa-aikatyön.")):
        services.record_conclusion(assessment=world.assessment, by=user, ground=Ground.CARE_TEAM, text=words)
    services.record_conclusion(assessment=world.assessment, by=world.coordinator, ground=COORDINATOR, text="Sovittu.")
    assessment = selectors.assessment_with_needs(world.assessment.pk)
    assert {c.author for c in selectors.conclusions_of(assessment)} == {specialist, world.member, world.coordinator}


def test_the_api_takes_and_shows_her_conclusion(world: World) -> None:
    specialist = specialist_on_team(world)
    api = token_for(specialist)
    url = reverse("api-assessment-conclusion", args=[world.assessment.pk])
    response = api.put(url, {"text": "Ammatillinen kuntoutus Kelalta."}, format="json")
    assert response.status_code == 200
    assert response.json()["profession"] == Profession.EMPLOYMENT_SPECIALIST
    detail = api.get(reverse("api-assessment-detail", args=[world.assessment.pk])).json()
    assert [c["text"] for c in detail["conclusions"]] == ["Ammatillinen kuntoutus Kelalta."]
    assert api.put(url, {"text": ""}, format="json").status_code == 204
    assert not ProfessionalConclusion.objects.exists()


@pytest.mark.parametrize("body", [{"text": "a\x00b"}, {"text": "x" * 20_000}, {"text": [1]}, {"text": "x", "y": 1}, {}])
def test_bad_conclusions_are_refused_by_the_api_and_nothing_is_saved(world: World, body: dict[str, Any]) -> None:
    specialist = specialist_on_team(world)
    response = token_for(specialist).put(
        reverse("api-assessment-conclusion", args=[world.assessment.pk]), body, format="json"
    )
    assert response.status_code == 400
    assert not ProfessionalConclusion.objects.exists()


@pytest.mark.parametrize("body", [{"text": "a\x00b"}, {"text": "x" * 20_000}])
def test_bad_conclusions_are_refused_by_the_page_and_nothing_is_saved(world: World, body: dict[str, Any]) -> None:
    specialist = specialist_on_team(world)
    page = browser_for(specialist).post(reverse("assessment-conclusion", args=[world.assessment.pk]), body)
    assert page.status_code == 400
    assert not ProfessionalConclusion.objects.exists()


def test_a_completed_assessment_freezes_the_conclusions(world: World) -> None:
    specialist = specialist_on_team(world)
    services.record_conclusion(assessment=world.assessment, by=specialist, ground=Ground.CARE_TEAM, text="Työkokeilu.")
    fill_and_complete(world, world.assessment)
    assessment = Assessment.objects.get(pk=world.assessment.pk)
    with pytest.raises(ConflictError):
        services.record_conclusion(assessment=assessment, by=specialist, ground=Ground.CARE_TEAM, text="Muu.")
    response = token_for(specialist).put(
        reverse("api-assessment-conclusion", args=[assessment.pk]), {"text": "Muu."}, format="json"
    )
    assert response.status_code == 409
    with pytest.raises(ProgrammingError), transaction.atomic():
        ProfessionalConclusion.objects.filter(assessment=assessment).update(text="Muu.")
    # The page shows it without her form.
    page = text(browser_for(specialist).get(reverse("assessment-detail", args=[assessment.pk])))
    assert "Työkokeilu." in page
    assert 'name="text"' not in page


def test_who_may_write_a_conclusion(world: World) -> None:
    """Care-team professionals and the worker write their own; the lead and the substitute
    read only; a professional whose sections leave out the assessment does not get in."""
    url = reverse("api-assessment-conclusion", args=[world.assessment.pk])
    body = {"text": "Näkemys."}
    assert token_for(world.lead).put(url, body, format="json").status_code == 403
    assert token_for(world.substitute).put(url, body, format="json").status_code == 403
    assert token_for(world.other_coordinator).put(url, body, format="json").status_code == 404
    other = TeamMemberFactory(username="other-profession", profession=Profession.OTHER)
    network_services.add_to_care_team(
        client=world.own_client,
        professional=other,
        role="Muu",
        started_on=timezone.localdate() - datetime.timedelta(days=1),
        by=world.coordinator,
        ground=COORDINATOR,
    )
    assert token_for(other).put(url, body, format="json").status_code == 403
    # The employment specialist of another client's team does not see this one.
    outsider = specialist_on_team(world, world.colleague_client, username="outsider")
    assert token_for(outsider).put(url, body, format="json").status_code == 404
    assert not ProfessionalConclusion.objects.exists()
    # Her lead reads it: the page lists the conclusions without a form.
    services.record_conclusion(assessment=world.assessment, by=world.member, ground=Ground.CARE_TEAM, text="Hoito.")
    page = text(browser_for(world.lead).get(reverse("assessment-detail", args=[world.assessment.pk])))
    assert "Hoito." in page
    assert "Save your conclusion" not in page
