"""The network's voice in the needs assessment: a relative's view in their own words beside the
client's own view and the professional's conclusion, only with the client's consent to share
the assessment in force, and frozen with the assessment. ``world`` gives own_client an
assessment in progress and the daughter Liisa, whose consent covers meetings only."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.test import Client as PageClient
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from access.models import Section
from access.policy import Ground
from assessments import services as assessment_services
from assessments.models import Assessment, NetworkView
from core.errors import ConflictError
from networks import services as network_services
from networks.models import Consent
from tests.conftest import World

COORDINATOR = Ground.DESIGNATED_COORDINATOR


def share_the_assessment(world: World) -> Consent:
    today = timezone.localdate()
    return network_services.give_consent(
        client=world.own_client,
        by=world.coordinator,
        ground=COORDINATOR,
        network_member=world.relative,
        sections=[Section.ASSESSMENT],
        purpose="Palvelutarpeen arviointi",
        given_on=today,
        valid_until=today + datetime.timedelta(days=90),
    )


def record(world: World, words: str = "Äiti ei enää jaksa käydä kaupassa.") -> NetworkView:
    return assessment_services.record_network_view(
        assessment=world.assessment,
        network_member=world.relative,
        words=words,
        by=world.coordinator,
        ground=COORDINATOR,
    )


def test_without_consent_the_view_is_refused_with_a_clear_message(world: World) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        record(world)
    assert "no consent in force to share the needs assessment with Liisa Virtanen" in str(refused.value)
    assert not NetworkView.objects.exists()


def test_with_consent_it_is_recorded_beside_the_clients_view_and_replaced_while_open(world: World) -> None:
    consent = share_the_assessment(world)
    view = record(world)
    assert view.consent == consent
    record(world, "Tarkemmin: kauppa-asiat ja siivous.")
    [kept] = NetworkView.objects.filter(assessment=world.assessment)
    assert kept.words == "Tarkemmin: kauppa-asiat ja siivous."
    world.assessment.refresh_from_db()
    assert world.assessment.client_view == ""  # the client's own view is their own field


def test_a_withdrawn_consent_refuses_it(world: World) -> None:
    consent = share_the_assessment(world)
    network_services.withdraw_consent(consent=consent, by=world.coordinator, ground=COORDINATOR)
    with pytest.raises(ValidationError):
        record(world)


def test_it_is_frozen_with_the_completed_assessment(world: World) -> None:
    share_the_assessment(world)
    view = record(world)
    Assessment.objects.filter(pk=world.assessment.pk).update(
        status=Assessment.Status.COMPLETED, completed_on=timezone.localdate()
    )
    world.assessment.refresh_from_db()
    with pytest.raises(ConflictError):
        record(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        NetworkView.objects.filter(pk=view.pk).update(words="Muutettu")
    with pytest.raises(DatabaseError), transaction.atomic():
        NetworkView.objects.filter(pk=view.pk).delete()


def test_the_page_shows_and_records_it(world: World) -> None:
    share_the_assessment(world)
    page = PageClient()
    page.force_login(world.coordinator)
    url = reverse("assessment-detail", kwargs={"pk": world.assessment.pk})
    response = page.post(
        url,
        {"action": "network_view", "network-network_member": world.relative.pk, "network-words": "Äiti on yksinäinen."},
    )
    assert response.status_code == 302
    html = page.get(url).content.decode()
    assert "Äiti on yksinäinen." in html
    assert 'id="network-views-heading"' in html
    empty = page.post(url, {"action": "network_view", "network-network_member": world.relative.pk})
    assert empty.status_code == 400


def test_the_api_lists_and_records_it(world: World, api: APIClient) -> None:
    api.force_login(world.coordinator)
    url = reverse("api-assessment-network-views", kwargs={"pk": world.assessment.pk})
    body = {"network_member": world.relative.pk, "words": "Kaupassakäynti on raskasta."}
    assert api.post(url, body, format="json").status_code == 400
    share_the_assessment(world)
    response = api.post(url, body, format="json")
    assert response.status_code == 201, response.content
    assert api.get(url).json()[0]["words"] == "Kaupassakäynti on raskasta."
    assert api.post(url, {**body, "words": "x" * 5000}, format="json").status_code == 400
