from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import User
from portal.demo_data import CLIENT_USERNAMES, GUARDIAN_USERNAME
from portal.models import Basis, PortalAccount, Representative


@pytest.mark.django_db
def test_the_seed_gives_demo_clients_the_portal_one_through_a_guardian() -> None:
    call_command("seed", size="small", stdout=StringIO())
    for username in CLIENT_USERNAMES:
        assert PortalAccount.objects.get(user__username=username).enabled
    guardian = User.objects.get(username=GUARDIAN_USERNAME)
    representation = Representative.objects.get(user=guardian)
    assert representation.basis == Basis.GUARDIAN_OF_MINOR
    assert PortalAccount.objects.get(client=representation.client).enabled
    listed = HttpClient().get(reverse("portal-demo-sign-in")).content.decode()
    assert representation.client.full_name in listed
    assert representation.identity_code not in listed
    browser = HttpClient()
    assert browser.post(reverse("portal-demo-sign-in"), {"user": guardian.pk}).status_code == 302
    assert browser.get(reverse("portal-plan")).status_code == 200
