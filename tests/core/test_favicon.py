"""Every page family (staff, portal, admin) names Caseflow's icon, and the icon is served."""

import re

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["login", "portal-sign-in", "admin:login"])
def test_the_page_links_an_icon_that_is_served(route: str) -> None:
    browser = Client()
    page = browser.get(reverse(route))
    assert page.status_code == 200
    found = re.search(r'<link rel="icon" href="([^"]+)"', page.content.decode())
    assert found is not None, route
    icon = browser.get(found.group(1))
    content = icon.getvalue()
    icon.close()
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in content
