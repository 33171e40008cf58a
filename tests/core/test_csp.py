"""The Content Security Policy refuses inline scripts, so no page may rely on one: the
admin's pages included (django-celery-beat's periodic task form had one)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.factories import AdministratorFactory

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    ["admin:index", "admin:django_celery_beat_periodictask_add", "admin:accounts_user_changelist"],
)
def test_an_admin_page_has_no_inline_script(route: str) -> None:
    browser = Client()
    browser.force_login(AdministratorFactory(username="setup", is_superuser=True))
    response = browser.get(reverse(route))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for attributes in SCRIPT.findall(response.content.decode()):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        source = re.search(r'src="(/static/js/[^"]+)"', attributes)
        if source is not None:
            served = browser.get(source.group(1))
            served.close()
            assert served.status_code == 200, source.group(1)
