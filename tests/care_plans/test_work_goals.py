"""Goals of work and training in the care plan (issue 18): a goal names the domain of work,
studies and work ability, its actions the measure (a work trial, training, a pay subsidy,
Kela's vocational rehabilitation…); shown on the plan's page, in the PDF and in the portal,
carried into the next draft, and refused when unknown."""

import html
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from access.policy import Ground
from assessments.configuration import WORK_DOMAIN
from care_plans import pdf
from care_plans import selectors as plan_selectors
from care_plans.models import GoalAction, PlanGoal, PlanVersion, WorkMeasure
from tests.care_plans.test_plans import content_of, publish, save
from tests.conftest import World

COORDINATOR = Ground.DESIGNATED_COORDINATOR
WORK_GOAL = {
    "client_words": "Haluan päästä takaisin töihin osa-aikaisesti.",
    "professional_words": "Työllistymisen tuki",
    "domain": WORK_DOMAIN,
}


def with_work_goal(world: World) -> PlanVersion:
    """own_client's draft with a goal of work and training and two measures."""
    content = content_of(world.plan_draft)
    actions = [
        {"text": "Työkokeilu kaupassa", "responsible": "professional", "professional": world.member.pk},
        {"text": "Haetaan ammatillista kuntoutusta", "responsible": "client"},
    ]
    actions[0]["work_measure"] = WorkMeasure.WORK_TRIAL
    actions[1]["work_measure"] = WorkMeasure.VOCATIONAL_REHABILITATION
    goals = [*content["goals"], {**WORK_GOAL, "actions": actions}]
    return save(world, world.plan_draft, goals=goals)


def browser_for(world: World) -> Client:
    world.coordinator.language = "en"
    world.coordinator.save(update_fields=["language"])
    browser = Client()
    browser.force_login(world.coordinator)
    return browser


def test_the_work_goal_and_its_measures_are_saved_and_carried_to_the_next_draft(world: World) -> None:
    version = with_work_goal(world)
    goal = PlanGoal.objects.get(version=version, domain__code=WORK_DOMAIN)
    assert list(goal.actions.values_list("work_measure", flat=True)) == ["work_trial", "vocational_rehabilitation"]
    publish(world, version)
    draft = PlanVersion.objects.get(plan=version.plan, status=PlanVersion.Status.DRAFT)
    carried = PlanGoal.objects.get(version=draft, key=goal.key)
    assert carried.domain is not None
    assert carried.domain.code == WORK_DOMAIN
    assert list(carried.actions.values_list("work_measure", flat=True)) == ["work_trial", "vocational_rehabilitation"]


def test_the_page_shows_the_measures_and_the_pdf_too(world: World) -> None:
    version = with_work_goal(world)
    page = html.unescape(browser_for(world).get(reverse("plan-version", args=[version.pk])).content.decode())
    assert "Work trial:" in page
    assert "Vocational rehabilitation (Kela):" in page
    assert "Life domain: Work, studies and work ability" in page
    published = publish(world, version)
    loaded = plan_selectors.version_with_content(published.pk)
    loaded.language = "en"
    printed = html.unescape(pdf.plan_html(loaded))
    assert "Work trial:" in printed
    assert "Work, studies and work ability" in printed


def test_the_page_adds_a_work_goal_and_a_measure(world: World) -> None:
    browser = browser_for(world)
    url = reverse("plan-version", args=[world.plan_draft.pk])
    form = browser.get(url).content.decode()
    assert 'name="goal-domain"' in form
    assert 'name="action-work_measure"' in form
    world.plan_draft.refresh_from_db()
    response = browser.post(
        url,
        {
            "action": "goal",
            "prefix": "goal",
            "goal-revision": world.plan_draft.revision,
            "goal-client_words": "Haluan opiskella ammatin.",
            "goal-domain": WORK_DOMAIN,
        },
    )
    assert response.status_code == 302
    goal = PlanGoal.objects.get(version=world.plan_draft, client_words="Haluan opiskella ammatin.")
    assert goal.domain is not None
    assert goal.domain.code == WORK_DOMAIN
    world.plan_draft.refresh_from_db()
    response = browser.post(
        url,
        {
            "action": "action",
            "action-revision": world.plan_draft.revision,
            "action-goal": str(goal.key),
            "action-text": "Haetaan ammattikoulun yhteishaussa",
            "action-responsible": "client",
            "action-work_measure": WorkMeasure.TRAINING,
        },
    )
    assert response.status_code == 302
    # Saving writes the draft's goals anew; the goal keeps its key.
    saved = GoalAction.objects.get(goal__version=world.plan_draft, goal__key=goal.key)
    assert saved.work_measure == WorkMeasure.TRAINING


@pytest.mark.parametrize("measure", ["bonus", "\x00", ["work_trial"]])
def test_an_unknown_measure_is_a_400_and_nothing_is_saved(world: World, api: APIClient, measure: Any) -> None:
    api.force_authenticate(world.coordinator)
    world.plan_draft.refresh_from_db()
    body = {
        "revision": world.plan_draft.revision,
        "goals": [{**WORK_GOAL, "actions": [{"text": "x", "responsible": "client", "work_measure": measure}]}],
    }
    response = api.put(reverse("api-plan-version", kwargs={"pk": world.plan_draft.pk}), body, format="json")
    assert response.status_code == 400
    assert not GoalAction.objects.filter(goal__version=world.plan_draft, text="x").exists()


def test_the_api_hands_out_the_measures(world: World, api: APIClient) -> None:
    version = with_work_goal(world)
    api.force_authenticate(world.coordinator)
    body = api.get(reverse("api-plan-version", kwargs={"pk": version.pk})).json()
    goal = next(g for g in body["goals"] if g["domain"] == WORK_DOMAIN)
    assert [a["work_measure"] for a in goal["actions"]] == ["work_trial", "vocational_rehabilitation"]


def test_the_service_refuses_an_unknown_measure(world: World) -> None:
    content = content_of(world.plan_draft)
    goals = [*content["goals"], {**WORK_GOAL, "actions": [{"text": "x", "responsible": "client", "work_measure": "?"}]}]
    with pytest.raises(ValidationError):
        save(world, world.plan_draft, goals=goals)
