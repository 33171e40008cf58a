"""Referral partners as data (issue 18, part 3): typed partners with free text only as
"other", answer dates, bounces (came back unanswered, refused, redirected with the new
referral linked), and the figures per partner that the coordinator's page, the API and the
team lead's review share."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from access.policy import Ground
from accounts.models import User
from clients import configuration, selectors, services
from clients.factories import ReferralFactory
from clients.models import (
    BounceKind,
    PartnerKind,
    Referral,
    ReferralBounce,
    ReferralPartner,
    ReferralStatus,
)
from core.errors import ConflictError
from teams import review
from tests.conftest import World

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def signed_in(user: User) -> Browser:
    user.language = "en"  # the assertions read English
    user.save(update_fields=["language"])
    browser = Browser()
    browser.force_login(user)
    return browser


def partner(code: str) -> ReferralPartner:
    return ReferralPartner.objects.get(code=code)


def send(world: World, code: str, sent: int, **changes: Any) -> Referral:
    return services.create_referral(
        client=world.own_client,
        by=world.coordinator,
        ground=Ground.DESIGNATED_COORDINATOR,
        partner=partner(code),
        reason="Työkyvyn arviointi",
        sent_on=days(sent),
        **changes,
    )


def bounce(world: World, referral: Referral, kind: str, on: int, **changes: Any) -> ReferralBounce:
    return services.record_referral_bounce(
        referral=referral,
        by=world.coordinator,
        ground=Ground.DESIGNATED_COORDINATOR,
        kind=kind,
        bounced_on=days(on),
        **changes,
    )


class TestConfiguration:
    def test_the_defaults_name_kela_rehabilitation_and_employment_services(self, db: None) -> None:
        rehabilitation = partner("kela_rehabilitation")
        assert (str(rehabilitation), rehabilitation.kind) == ("Kela, Kelan ammatillinen kuntoutus", PartnerKind.KELA)
        assert partner("employment").kind == PartnerKind.EMPLOYMENT
        assert {p.kind for p in ReferralPartner.objects.all()} == set(PartnerKind.values) - {PartnerKind.OTHER}

    def test_installing_again_adds_nothing(self, db: None) -> None:
        before = ReferralPartner.objects.count()
        configuration.install(ReferralPartner)
        assert ReferralPartner.objects.count() == before

    def test_earlier_free_text_is_matched_to_a_partner_or_kept_as_other(self, world: World) -> None:
        te = ReferralFactory(client=world.own_client, counterpart=" TE-palvelut ")
        unknown = ReferralFactory(client=world.own_client, counterpart="Seurakunnan diakoniatyö")
        configuration.match_free_text(ReferralPartner, Referral)
        te.refresh_from_db()
        unknown.refresh_from_db()
        world.own_referral.refresh_from_db()
        assert (te.partner, te.counterpart) == (partner("employment"), "")
        assert (world.own_referral.partner, world.own_referral.counterpart) == (partner("kela"), "")
        assert (unknown.partner, unknown.counterpart) == (None, "Seurakunnan diakoniatyö")

    def test_the_database_refuses_both_or_neither(self, world: World) -> None:
        referral = world.own_referral
        for partner_id, counterpart in [(partner("kela").pk, "Kela"), (None, "")]:
            with pytest.raises(IntegrityError), transaction.atomic():
                Referral.objects.filter(pk=referral.pk).update(partner_id=partner_id, counterpart=counterpart)


class TestServices:
    def test_a_partner_or_other_text_not_both_nor_neither(self, world: World) -> None:
        with pytest.raises(ValidationError) as both:
            send(world, "kela", -1, counterpart="Kela")
        assert "counterpart" in both.value.message_dict
        with pytest.raises(ValidationError) as neither:
            services.create_referral(
                client=world.own_client,
                by=world.coordinator,
                ground=Ground.DESIGNATED_COORDINATOR,
                reason="x",
                sent_on=TODAY,
            )
        assert "partner" in neither.value.message_dict

    def test_a_retired_partner_takes_no_new_referral(self, world: World) -> None:
        ReferralPartner.objects.filter(code="kela").update(active=False)
        with pytest.raises(ValidationError) as error:
            send(world, "kela", -1)
        assert "partner" in error.value.message_dict

    def test_answering_records_the_day(self, world: World) -> None:
        referral = send(world, "kela_rehabilitation", -20)
        services.advance_referral(
            referral=referral,
            status=ReferralStatus.ANSWERED,
            by=world.coordinator,
            ground=Ground.DESIGNATED_COORDINATOR,
        )
        referral.refresh_from_db()
        assert referral.answered_on == TODAY

    def test_a_redirection_closes_the_referral_and_links_the_new_one(self, world: World) -> None:
        referral = send(world, "employment_work_ability", -30)
        made = bounce(
            world, referral, BounceKind.REDIRECTED, -10, partner=partner("kela_rehabilitation"), follow_up_on=days(5)
        )
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.CLOSED
        new = made.redirected_to
        assert new is not None
        assert (new.partner, new.sent_on, new.reason, new.follow_up_on) == (
            partner("kela_rehabilitation"),
            days(-10),
            referral.reason,
            days(5),
        )
        assert new.redirected_from == made

    @pytest.mark.parametrize(
        ("kind", "on", "changes", "field"),
        [
            (BounceKind.REDIRECTED, -1, {}, "partner"),
            (BounceKind.RETURNED, -1, {"counterpart": "Kela"}, "partner"),
            (BounceKind.RETURNED, 1, {}, "bounced_on"),
            (BounceKind.RETURNED, -40, {}, "bounced_on"),
            ("bounced", -1, {}, "kind"),
        ],
    )
    def test_bad_bounces_change_nothing(
        self, world: World, kind: str, on: int, changes: dict[str, Any], field: str
    ) -> None:
        referral = send(world, "kela", -30)
        before = Referral.objects.count()
        with pytest.raises(ValidationError) as error:
            bounce(world, referral, kind, on, **changes)
        assert field in error.value.message_dict
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.SENT
        assert (Referral.objects.count(), ReferralBounce.objects.count()) == (before, 0)

    def test_a_closed_or_incoming_referral_does_not_bounce(self, world: World) -> None:
        referral = send(world, "kela", -30)
        bounce(world, referral, BounceKind.RETURNED, -1)
        with pytest.raises(ConflictError):
            bounce(world, referral, BounceKind.REFUSED, -1)
        incoming = ReferralFactory(client=world.own_client, direction=Referral.Direction.INCOMING)
        with pytest.raises(ConflictError):
            bounce(world, incoming, BounceKind.RETURNED, 0)


class TestFigures:
    def test_counts_answer_times_bounces_and_unanswered_per_partner(self, world: World) -> None:
        for sent, answered in [(-100, -90), (-60, -40), (-50, -20)]:
            ReferralFactory(
                client=world.own_client,
                partner=partner("kela_rehabilitation"),
                counterpart="",
                sent_on=days(sent),
                answered_on=days(answered),
                status=ReferralStatus.ANSWERED,
            )
        te = send(world, "employment_work_ability", -45)
        bounce(world, te, BounceKind.REDIRECTED, -35, partner=partner("kela_rehabilitation"))
        send(world, "employment_work_ability", -5)
        ReferralFactory(client=world.own_client, counterpart="Kela", sent_on=days(-400))  # before the period
        ReferralFactory(client=world.other_client, partner=partner("kela"), counterpart="")  # not in scope
        figures = selectors.referral_figures_by_partner(
            clients=[world.own_client.pk], since=days(-365), unanswered_before=days(-30)
        )
        by_name = {f.name: f for f in figures}
        rehabilitation = by_name["Kela, Kelan ammatillinen kuntoutus"]
        # 10, 20 and 30 days; the redirected one (sent 35 days ago) waits, unanswered only after 30 days.
        assert (rehabilitation.referrals, rehabilitation.answered) == (4, 3)
        assert (rehabilitation.median_answer_days, rehabilitation.mean_answer_days) == (20.0, 20.0)
        assert (rehabilitation.bounces, rehabilitation.unanswered) == (0, 1)
        employment = by_name["Työllisyyspalvelut (TE), Työkykyä tukevat palvelut"]
        assert (employment.referrals, employment.bounces, employment.redirected, employment.unanswered) == (2, 1, 1, 0)
        assert employment.median_answer_days is None
        # own_referral (free text "Kela", 87 days unanswered): the others, last.
        assert figures[-1].partner is None
        with translation.override("en"):
            assert (figures[-1].name, figures[-1].referrals, figures[-1].unanswered) == ("Other", 1, 1)


class TestPages:
    def test_sends_a_referral_to_a_partner(self, world: World) -> None:
        response = signed_in(world.coordinator).post(
            reverse("client-referral-create", args=[world.own_client.pk]),
            {
                "direction": "outgoing",
                "outgoing-partner": partner("employment").pk,
                "outgoing-reason": "Työkokeilu",
                "outgoing-sent_on": TODAY.isoformat(),
            },
        )
        assert response.status_code == 302
        assert world.own_client.referrals.get(partner__code="employment").counterpart == ""

    def test_records_a_redirection_and_the_client_page_shows_it(self, world: World) -> None:
        url = reverse("referral-bounce", args=[world.own_referral.pk])
        browser = signed_in(world.coordinator)
        assert "Came back unanswered" in browser.get(url).content.decode()
        response = browser.post(
            url,
            {
                "kind": "redirected",
                "bounced_on": days(-2).isoformat(),
                "note": "Ei kuulu Kelalle",
                "partner": partner("municipality_social").pk,
            },
        )
        assert response.status_code == 302
        assert response["Location"].endswith("#referrals")
        page = browser.get(reverse("client-detail", args=[world.own_client.pk])).content.decode()
        assert "Redirected to another partner" in page
        assert "Ei kuulu Kelalle" in page
        assert "Redirected here by Kela" in page
        assert "Kunta, Sosiaalipalvelut" in page

    def test_bad_input_is_a_400_and_saves_nothing(self, world: World) -> None:
        url = reverse("referral-bounce", args=[world.own_referral.pk])
        response = signed_in(world.coordinator).post(url, {"kind": "redirected", "bounced_on": TODAY.isoformat()})
        assert response.status_code == 400
        assert "partner" in response.context["form"].errors
        response = signed_in(world.coordinator).post(
            url, {"kind": "returned", "bounced_on": TODAY.isoformat(), "note": "x" * 5000}
        )
        assert response.status_code == 400
        assert "note" in response.context["form"].errors
        assert ReferralBounce.objects.count() == 0

    def test_a_closed_referral_is_a_409(self, world: World) -> None:
        bounce(world, world.own_referral, BounceKind.RETURNED, 0)
        response = signed_in(world.coordinator).post(
            reverse("referral-bounce", args=[world.own_referral.pk]), {"kind": "refused", "bounced_on": TODAY}
        )
        assert response.status_code == 409

    def test_the_partner_page_counts_the_caseload_in_fixed_queries(self, world: World) -> None:
        browser = signed_in(world.coordinator)
        url = reverse("referral-partners")
        assert url in browser.get(reverse("referrals-overdue")).content.decode()
        with CaptureQueriesContext(connection) as few:
            browser.get(url)
        for code in ("kela", "employment", "county_health", "third_sector"):
            send(world, code, -40)
        with CaptureQueriesContext(connection) as many:
            response = browser.get(url)
        assert len(many) == len(few)
        text = response.content.decode()
        assert "Työllisyyspalvelut (TE)" in text
        assert world.own_client.last_name not in text


class TestApi:
    def test_partners_and_a_referral_to_one(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        partners = api.get(reverse("api-referral-partners")).json()
        rehabilitation = next(p for p in partners if p["code"] == "kela_rehabilitation")
        response = api.post(
            reverse("api-client-referrals", args=[world.own_client.pk]),
            {"direction": "outgoing", "partner": rehabilitation["id"], "reason": "Kuntoutus", "sent_on": TODAY},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["counterpart_name"] == "Kela, Kelan ammatillinen kuntoutus"

    @pytest.mark.parametrize(
        "data",
        [
            {"partner": 2**40},
            {"partner": "x"},
            {"partner": 1, "counterpart": "Kela"},
            {"counterpart": "x" * 201},
            {"counterpart": ""},
        ],
    )
    def test_bad_partner_is_a_400(self, world: World, api: APIClient, data: dict[str, Any]) -> None:
        api.force_login(world.coordinator)
        before = Referral.objects.count()
        response = api.post(
            reverse("api-client-referrals", args=[world.own_client.pk]),
            {"direction": "outgoing", "reason": "x", "sent_on": TODAY, **data},
            format="json",
        )
        assert response.status_code == 400
        assert Referral.objects.count() == before

    def test_records_a_bounce(self, world: World, api: APIClient) -> None:
        api.force_login(world.coordinator)
        response = api.post(
            reverse("api-referral-bounce", args=[world.own_referral.pk]),
            {"kind": "refused", "bounced_on": days(-1), "note": "Ei täytä ehtoja"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "closed"
        assert body["bounce"] == {
            "kind": "refused",
            "bounced_on": days(-1).isoformat(),
            "note": "Ei täytä ehtoja",
            "redirected_to": None,
        }
        again = api.post(
            reverse("api-referral-bounce", args=[world.own_referral.pk]),
            {"kind": "refused", "bounced_on": days(-1)},
            format="json",
        )
        assert again.status_code == 409

    def test_the_caseload_figures(self, world: World, api: APIClient) -> None:
        send(world, "kela", -10)
        world.coordinator.language = "en"  # "Other" in English
        world.coordinator.save(update_fields=["language"])
        api.force_login(world.coordinator)
        body = api.get(reverse("api-referral-partner-figures")).json()
        assert [(row["name"], row["referrals"]) for row in body] == [("Kela", 1), ("Other", 1)]
        api.force_login(world.other_coordinator)
        assert api.get(reverse("api-referral-partner-figures")).json() == []


class TestReview:
    def _bounced(self, world: World) -> None:
        te = send(world, "employment_work_ability", -60)
        bounce(world, te, BounceKind.RETURNED, -50)
        send(world, "employment_work_ability", -45)

    def test_the_review_page_api_and_export_have_the_partner_table(self, world: World, api: APIClient) -> None:
        self._bounced(world)
        page = signed_in(world.lead).get(reverse("team-review-figures"))
        rows = {row.name: row for row in page.context["review"].referral_partners}
        employment = rows["Työllisyyspalvelut (TE), Työkykyä tukevat palvelut"]
        assert (employment.referrals, employment.bounces, employment.returned, employment.unanswered) == (2, 1, 1, 1)
        assert 'id="partners-heading"' in page.content.decode()
        api.force_login(world.lead)
        body = api.get(reverse("api-team-review-figures")).json()
        assert {(r["name"], r["bounces"], r["unanswered"]) for r in body["referral_partners"]} == {
            ("Työllisyyspalvelut (TE), Työkykyä tukevat palvelut", 1, 1),
            ("Other", 0, 1),
        }
        exported = signed_in(world.lead).get(reverse("team-review-export", args=["partners", "csv"]))
        lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
        assert lines[-2][:3] == ["Työllisyyspalvelut (TE), Työkykyä tukevat palvelut", "Employment services", "2"]

    def test_unanswered_referrals_drill_down_by_partner(self, world: World) -> None:
        self._bounced(world)
        result = review.build_review(review.reviewed_teams(world.lead))
        waiting = {r["counterpart"]: r for r in result.referrals_unanswered}
        employment = waiting["Työllisyyspalvelut (TE), Työkykyä tukevat palvelut"]
        assert (employment["n"], employment["partner"]) == (1, partner("employment_work_ability").pk)
        assert waiting["Kela"]["partner"] is None
        teams = review.reviewed_teams(world.lead)
        figure = review.Figure(metric="referrals", partner=employment["partner"])
        assert [c.pk for c in review.clients_behind(world.lead, teams, figure)] == [world.own_client.pk]
        with translation.override("en"):
            described = review.describe_figure(figure)
        assert ("Partner", "Työllisyyspalvelut (TE), Työkykyä tukevat palvelut") in described
        page = signed_in(world.lead).get(reverse("team-review-figures")).content.decode()
        assert f"metric=referrals&amp;partner={employment['partner']}" in page
        other = review.Figure(metric="referrals", partner=partner("kela").pk)
        assert review.clients_behind(world.lead, teams, other) == []
