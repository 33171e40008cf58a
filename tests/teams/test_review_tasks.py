"""The review's periodic tasks: monthly snapshots (never rewriting history) and the weekly
digest (once per lead and ISO week, even with two schedulers)."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from teams import services, tasks
from teams.models import DigestDelivery, DigestSubscription, MonthlySnapshot
from tests.conftest import World


def _last_month() -> datetime.date:
    return services.last_month(timezone.localdate())


class TestMonthlySnapshots:
    def test_writes_last_month_for_each_team_and_coordinator(self, world: World) -> None:
        tasks.write_monthly_snapshots()
        team = MonthlySnapshot.objects.get(team=world.team_a, coordinator=None)
        assert team.month == _last_month()
        assert team.figures["open_clients"] == 2  # own_client and colleague_client
        coordinator = MonthlySnapshot.objects.get(team=world.team_a, coordinator=world.coordinator)
        assert coordinator.figures["overdue_by_kind"] == {"referral_follow_up": 1}

    def test_a_rerun_writes_nothing_and_keeps_what_was_written(self, world: World) -> None:
        services.write_monthly_snapshots()
        count = MonthlySnapshot.objects.count()
        world.give(world.colleague, 5)
        assert services.write_monthly_snapshots() == 0
        assert MonthlySnapshot.objects.count() == count
        assert MonthlySnapshot.objects.get(team=world.team_a, coordinator=None).figures["open_clients"] == 2

    def test_the_review_shows_12_months_from_snapshots_without_recomputing(self, world: World, client) -> None:
        first = timezone.localdate().replace(day=1)
        for back in range(1, 15):
            month = (first - datetime.timedelta(days=28 * back)).replace(day=1)
            MonthlySnapshot.objects.get_or_create(
                team=world.team_a, coordinator=None, month=month, defaults={"figures": {"open_clients": 100 + back}}
            )
        client.force_login(world.lead)
        trends = client.get(reverse("team-review-figures")).context["trends"]
        assert len(trends) == 12
        assert trends[-1]["month"] == _last_month()
        assert [m["month"] for m in trends] == sorted(m["month"] for m in trends)


class TestWeeklyDigest:
    def test_each_lead_gets_one_digest_a_week(self, world: World) -> None:
        world.lead.email, world.other_lead.email = "lead@example.org", "other@example.org"
        world.lead.save()
        world.other_lead.save()
        assert services.send_weekly_digests() == 2
        assert services.send_weekly_digests() == 0
        assert len(mail.outbox) == 2
        body = next(m.body for m in mail.outbox if m.to == ["lead@example.org"])
        assert world.coordinator.get_full_name() in body
        assert reverse("team-review-figures") in body
        assert world.own_client.last_name not in body

    def test_a_lead_who_turned_it_off_gets_none(self, world: World) -> None:
        world.lead.email = "lead@example.org"
        world.lead.save()
        DigestSubscription.objects.create(lead=world.lead, enabled=False)
        services.send_weekly_digests()
        assert [m for m in mail.outbox if m.to == ["lead@example.org"]] == []
        assert not DigestDelivery.objects.filter(lead=world.lead).exists()

    def test_next_week_sends_again(self, world: World) -> None:
        world.lead.email = "lead@example.org"
        world.lead.save()
        today = timezone.localdate()
        services.send_weekly_digests(today=today)
        services.send_weekly_digests(today=today)
        services.send_weekly_digests(today=today + datetime.timedelta(days=7))
        assert len([m for m in mail.outbox if m.to == ["lead@example.org"]]) == 2


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_each_digest_once() -> None:
    world = World()
    world.lead.email = "lead@example.org"
    world.lead.save()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.send_weekly_digests())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Two leads with an address (the other one's from the factory): two e-mails in all.
    assert sum(results) == DigestDelivery.objects.count() == 2
    assert len([m for m in mail.outbox if m.to == ["lead@example.org"]]) == 1
    assert DigestDelivery.objects.filter(lead=world.lead).count() == 1
