"""``__any`` and ``among``: a list of ids as one array parameter, a queryset as a subquery."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.factories import ReferralFactory
from clients.models import Client, Referral
from core.lookups import among, int_array

pytestmark = pytest.mark.django_db


def test_a_list_is_one_array_parameter_and_finds_the_same_rows_as_in() -> None:
    referrals = ReferralFactory.create_batch(3)
    wanted = [referrals[0].client_id, referrals[2].client_id]
    with CaptureQueriesContext(connection) as captured:
        found = set(Referral.objects.filter(among("client", wanted)).values_list("pk", flat=True))
    assert found == set(Referral.objects.filter(client__in=wanted).values_list("pk", flat=True))
    assert found == {referrals[0].pk, referrals[2].pk}
    assert "= ANY(" in captured.captured_queries[0]["sql"]


def test_an_empty_list_finds_nothing() -> None:
    ReferralFactory()
    assert not Referral.objects.filter(among("client", [])).exists()
    assert not Client.objects.filter(pk__any=[]).exists()


def test_a_queryset_stays_a_subquery() -> None:
    referral = ReferralFactory()
    clients = Client.objects.filter(pk=referral.client_id).values("pk")
    query = str(Referral.objects.filter(among("client", clients)).query)
    assert "ANY" not in query
    assert list(Referral.objects.filter(among("client", clients))) == [referral]


def test_ids_go_in_the_array_syntax_and_other_values_as_a_list() -> None:
    assert int_array([3, 1, 2]) == "{3,1,2}"
    assert int_array(iter([])) == "{}"
    assert int_array([True, 2]) == [True, 2]  # a bool is no id
    assert int_array(["a", "b"]) == ["a", "b"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_length(%s::bigint[], 1), (%s::bigint[])[2]", [int_array([7, 8, 9])] * 2)
        assert cursor.fetchone() == (3, 8)
