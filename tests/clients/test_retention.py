"""Retention acted on: the nightly job lists the closed clients past their retention and, with
the setting on, anonymises them in place, keeping what the statistics count. The day is
injected: the retention end date plus one."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from clients import selectors, services
from clients.models import (
    Anonymisation,
    Assignment,
    Client,
    ClientMessage,
    Contact,
    CoordinationReview,
    RelationshipPeriod,
    RetentionRun,
)
from clients.tasks import apply_retention
from tests.conftest import World

DAY = datetime.timedelta(days=1)


def past(world: World) -> datetime.date:
    """The first day past the closed client's retention."""
    period = world.closed_client.relationship_periods.get()
    assert period.retention_ends_on is not None
    return period.retention_ends_on + DAY


def endings(world: World, today: datetime.date) -> dict[int, selectors.Endings]:
    return selectors.endings_by_team(team_ids=[world.team_a.pk], since=today - 20 * 365 * DAY, until=today)


class TestRetention:
    def test_nothing_is_past_retention_before_its_end(self, world: World) -> None:
        assert list(selectors.past_retention(past(world) - DAY)) == []
        assert [c.pk for c in selectors.past_retention(past(world))] == [world.closed_client.pk]

    def test_a_dry_run_lists_and_changes_nothing(self, world: World) -> None:
        before = Client.objects.values_list("first_name", "identity_code").get(pk=world.closed_client.pk)
        result = services.apply_retention(today=past(world), anonymise=False)
        assert [c.pk for c in result.listed] == [world.closed_client.pk]
        assert (result.run.applied, result.run.found, result.run.anonymised) == (False, 1, 0)
        after = Client.objects.values_list("first_name", "identity_code").get(pk=world.closed_client.pk)
        assert after == before
        assert not Anonymisation.objects.exists()

    def test_the_setting_is_off_by_default(self, world: World) -> None:
        apply_retention()  # the beat task: today is long before the end, and it only lists
        run = RetentionRun.objects.get()
        assert (run.applied, run.found) == (False, 0)

    def test_anonymises_keeping_the_counts(self, world: World) -> None:
        client = world.closed_client
        period = client.relationship_periods.get()
        RelationshipPeriod.objects.filter(pk=period.pk).update(client_view_words="Kiitos avusta.")
        ClientMessage.objects.create(client=client, subject="Hei", body="Viesti")
        Contact.objects.filter(client=client).update(reason="Kaatuili kotona")
        counted = endings(world, past(world))
        born = client.date_of_birth

        result = services.apply_retention(today=past(world), anonymise=True)

        assert (result.run.applied, result.run.anonymised) == (True, 1)
        client.refresh_from_db()
        assert (client.first_name, client.last_name, client.identity_code, client.phone, client.email) == (
            "",
            "",
            "",
            "",
            "",
        )
        assert client.date_of_birth == datetime.date(born.year, 1, 1)
        assert client.anonymised_on == past(world)
        assert str(client.pk) in client.full_name
        period.refresh_from_db()
        assert (period.closing_summary, period.reached, period.client_view_words) == ("", "", "")
        assert (period.closure_reason, period.client_view, period.planned_ending) != ("", "", None)
        assert not ClientMessage.objects.filter(client=client).exists()
        assert set(Contact.objects.filter(client=client).values_list("reason", flat=True)) <= {""}
        assert set(Assignment.objects.filter(client=client).values_list("handover_note", flat=True)) <= {""}
        # The history that kept the old values is gone.
        assert not apps.get_model("clients", "ClientEvent").objects.filter(pgh_obj_id=client.pk).exists()
        assert endings(world, past(world)) == counted
        audit = Anonymisation.objects.get(client=client)
        assert (audit.run, audit.retention_ended_on) == (result.run, past(world) - DAY)
        # A rerun finds nothing left to do.
        assert services.apply_retention(today=past(world), anonymise=True).listed == []

    def test_open_and_reopened_clients_are_kept(self, world: World) -> None:
        day = past(world)
        services.reopen_client(
            client=world.closed_client, by=world.lead, ground="team_lead", opened_on=timezone.localdate()
        )
        assert services.apply_retention(today=day, anonymise=True).listed == []
        assert Client.objects.filter(anonymised_on__isnull=False).count() == 0

    def test_anonymises_reviews_words(self, world: World) -> None:
        period = world.closed_client.relationship_periods.get()
        CoordinationReview.objects.create(
            period=period,
            client=world.closed_client,
            reviewed_on=period.opened_on,
            decision="close",
            client_view="helped",
            client_view_words="Omat sanat",
            note="Perusteet",
            recorded_by=world.coordinator,
        )
        services.apply_retention(today=past(world), anonymise=True)
        assert list(CoordinationReview.objects.values_list("client_view", "client_view_words", "note")) == [
            ("helped", "", "")
        ]


class TestCommand:
    def test_lists_with_an_injected_day(self, world: World) -> None:
        out = StringIO()
        call_command("apply_retention", "--today", past(world).isoformat(), stdout=out)
        assert f"client {world.closed_client.pk}" in out.getvalue()
        assert "dry run" in out.getvalue()
        assert Client.objects.get(pk=world.closed_client.pk).anonymised_on is None

    @override_settings(RETENTION_ANONYMISE=True)
    def test_the_setting_turns_anonymising_on_and_dry_run_still_only_lists(self, world: World) -> None:
        call_command("apply_retention", "--today", past(world).isoformat(), "--dry-run", stdout=StringIO())
        assert Client.objects.get(pk=world.closed_client.pk).anonymised_on is None
        call_command("apply_retention", "--today", past(world).isoformat(), stdout=StringIO())
        assert Client.objects.get(pk=world.closed_client.pk).anonymised_on == past(world)

    def test_a_bad_day_is_refused(self, world: World) -> None:
        from django.core.management import CommandError

        with pytest.raises(CommandError):
            call_command("apply_retention", "--today", "٢٠٢٦-01-01", stdout=StringIO())
