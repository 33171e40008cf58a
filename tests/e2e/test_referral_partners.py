"""In the browser: a coordinator refers a client to a partner, records that the partner sent
the client on elsewhere, sees the bounce in the client's referrals and the partner figures;
the team lead's review shows the partner table. axe-core on each page."""

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from clients.models import Referral, ReferralBounce, ReferralPartner
from tests.conftest import World

from .conftest import NewContext, assert_accessible, sign_in

pytestmark = pytest.mark.browser


def fi(message: str, **values: object) -> str:
    """The UI string as the server shows it in Finnish, the default language."""
    with translation.override("fi"):
        text = translation.gettext(message)
    return text % values if values else text


def test_a_referral_redirected_elsewhere(page: Page, base_url: str, world: World, new_context: NewContext) -> None:
    rehabilitation = ReferralPartner.objects.get(code="kela_rehabilitation")
    employment = ReferralPartner.objects.get(code="employment_work_ability")
    sign_in(page, base_url, "coordinator")
    page.goto(f"{base_url}/clients/{world.own_client.pk}/#referrals")
    page.locator("#referrals details.form-panel > summary").first.click()
    page.locator("#id_outgoing-partner").select_option(str(employment.pk))
    page.locator("#id_outgoing-reason").fill("Työkokeilu")
    page.locator("#id_outgoing-partner").locator("xpath=ancestor::form").locator("button.primary").click()
    expect(page.locator("#referrals")).to_contain_text(str(employment))

    sent = Referral.objects.get(partner=employment)
    page.locator(f'a[href="/referrals/{sent.pk}/bounce/"]').click()
    assert_accessible(page)
    page.get_by_label(fi("Redirected to another partner")).check()
    page.locator("#id_partner").select_option(str(rehabilitation.pk))
    page.locator("#id_note").fill("Ensin kuntoutustarveselvitys")
    page.get_by_role("button", name=fi("Record the bounce")).click()
    expect(page.locator("#referrals")).to_contain_text(fi("Redirected to another partner"))
    expect(page.locator("#referrals")).to_contain_text(str(rehabilitation))
    bounce = ReferralBounce.objects.get()
    assert bounce.bounced_on == timezone.localdate()
    assert bounce.redirected_to is not None
    assert bounce.redirected_to.partner == rehabilitation
    assert_accessible(page)

    page.goto(f"{base_url}/referrals/overdue/")
    page.get_by_role("link", name=fi("Referral partners: answer times and bounces")).click()
    expect(page.get_by_role("table")).to_contain_text(str(employment))
    assert_accessible(page)

    lead = new_context().new_page()
    sign_in(lead, base_url, "lead")
    lead.goto(f"{base_url}/team/review/")
    expect(lead.locator("section[aria-labelledby=partners-heading]")).to_contain_text(str(employment))
    assert_accessible(lead)
