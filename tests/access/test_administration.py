"""Administrators run the organisation and see no client data; the access log is read by the
data-protection role, whose reads are themselves logged."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client as Browser
from django.urls import reverse

from access.models import AccessEvent
from access.policy import visible_clients
from accounts.factories import AdministratorFactory, DataProtectionFactory
from accounts.models import User
from tests.conftest import World


def browser_of(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def client_data(world: World) -> list[str]:
    """The clients' names (made unmistakable: a staff member may share a surname) and codes."""
    clients = (world.own_client, world.other_client, world.closed_client, world.colleague_client)
    values = []
    for number, client in enumerate(clients):
        client.last_name = f"Asiakassukunimi{number}"
        client.save(update_fields=["last_name"])
        values += [client.last_name, client.identity_code]
    return [value for value in values if value]


def test_no_admin_list_change_page_or_search_shows_client_data(world: World) -> None:
    setup = AdministratorFactory(username="setup", is_superuser=True)
    browser = browser_of(setup)
    secrets = client_data(world)
    pages = 0
    for model, model_admin in admin.site._registry.items():
        # No search reaches into clients.
        assert not [name for name in model_admin.search_fields if "client" in name], model_admin
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        urls = [changelist]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk]))
        for url in urls:
            response = browser.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            for secret in secrets:
                assert secret not in page, f"{secret!r} on {url} ({model_admin})"
            pages += 1
    assert pages > 10


def test_the_reminders_admin_shows_the_client_by_number(world: World) -> None:
    setup = AdministratorFactory(username="setup", is_superuser=True)
    page = browser_of(setup).get(reverse("admin:reminders_reminder_change", args=[world.reminder.pk]))
    assert str(world.own_client.pk) in page.content.decode()


def test_the_access_log_is_not_on_the_admin_site(world: World) -> None:
    assert AccessEvent not in admin.site._registry


@pytest.mark.parametrize("superuser", [True, False])
def test_no_administrator_opens_client_pages(world: World, superuser: bool) -> None:
    administrator = AdministratorFactory(username="setup" if superuser else "admin2", is_superuser=superuser)
    assert not visible_clients(administrator).exists()
    assert browser_of(administrator).get(reverse("client-detail", args=[world.own_client.pk])).status_code == 404


def test_the_day_to_day_administrator_cannot_raise_anyone(world: World) -> None:
    assert not world.admin.is_superuser
    model_admin = admin.site._registry[User]
    request = type("Request", (), {"user": world.admin})()
    readonly = model_admin.get_readonly_fields(request, world.admin)
    assert {"is_superuser", "is_staff", "groups", "user_permissions", "role"} <= set(readonly)


def test_only_the_setup_superuser_sets_another_users_password(world: World) -> None:
    # The day-to-day administrator manages users (as the seed's group lets them).
    world.admin.user_permissions.add(Permission.objects.get(codename="change_user", content_type__app_label="accounts"))
    url = reverse("admin:auth_user_password_change", args=[world.coordinator.pk])
    data = {"password1": "uusi-salasana-123", "password2": "uusi-salasana-123"}
    assert (
        browser_of(world.admin).get(reverse("admin:accounts_user_change", args=[world.coordinator.pk])).status_code
        == 200
    )
    assert browser_of(world.admin).post(url, data).status_code == 403
    world.coordinator.refresh_from_db()
    assert world.coordinator.check_password("caseflow-demo")
    setup = AdministratorFactory(username="setup", is_superuser=True)
    assert browser_of(setup).get(url).status_code == 200


class TestAccessLog:
    def test_the_data_protection_role_reads_a_clients_log_and_the_read_is_logged(self, world: World) -> None:
        officer = DataProtectionFactory(username="dpo")
        response = browser_of(officer).get(reverse("access-log"), {"client": world.own_client.pk})
        assert response.status_code == 200
        events = response.context["events"]
        assert events
        assert {event.client_id for event in events} == {world.own_client.pk}
        assert world.own_client.last_name not in response.content.decode()
        read = AccessEvent.objects.filter(actor=officer, client=world.own_client, what="access_log").get()
        assert read.ground == "data_protection"
        # The officer sees the log, not the record.
        assert browser_of(officer).get(reverse("client-detail", args=[world.own_client.pk])).status_code == 404

    @pytest.mark.parametrize(("role", "status"), [("lead", 403), ("member", 403), ("admin", 404), ("colleague", 404)])
    def test_nobody_else_reads_it(self, world: World, role: str, status: int) -> None:
        response = browser_of(getattr(world, role)).get(reverse("access-log"), {"client": world.own_client.pk})
        assert response.status_code == status
        assert not AccessEvent.objects.filter(what="access_log").exists()

    def test_the_named_worker_reads_their_clients_log_from_the_clients_page(self, world: World) -> None:
        browser = browser_of(world.coordinator)
        url = f"{reverse('access-log')}?client={world.own_client.pk}"
        assert url in browser.get(reverse("client-detail", args=[world.own_client.pk])).content.decode()
        response = browser.get(url)
        assert response.status_code == 200
        assert response.context["events"]
        assert AccessEvent.objects.filter(actor=world.coordinator, what="access_log").exists()

    def test_bad_input_is_400_and_an_unknown_client_404(self, world: World) -> None:
        browser = browser_of(DataProtectionFactory(username="dpo"))
        assert browser.get(reverse("access-log"), {"client": "x\x00"}).status_code == 400
        assert browser.get(reverse("access-log"), {"client": "99999999"}).status_code == 404

    def test_the_officer_starts_on_the_log(self, world: World) -> None:
        response = browser_of(DataProtectionFactory(username="dpo")).get(reverse("home"))
        assert response["Location"] == reverse("access-log")
