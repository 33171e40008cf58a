"""Every route × every role × own / other's object → the expected status.

The routes come from the URL resolver and the OpenAPI schema: a route added without a row
here fails ``test_every_route_is_in_the_matrix``.
"""

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from access import grants
from access.models import AccessEvent, ReturningClient
from access.policy import Ground, visible_clients
from accounts.models import User
from care_plans.models import PlanReview
from clients import services as client_services
from clients.identity_code import make_identity_code
from clients.services import EDITABLE_FIELDS
from networks.models import Consent, NetworkMember, Relationship
from tests.conftest import World

ROLES = (
    "anonymous",
    "coordinator",
    "colleague",
    "other_coordinator",
    "lead",
    "other_lead",
    "substitute",
    "past_substitute",
    "member",
    "admin",
    "data_protection",
    "citizen",
    "representative",
)
STAFF = ROLES[1:-2]
# The portal's users: own_client and the representative acting for them. A staff route they
# are not in a row for answers them as it answers anyone outside the staff: 404 a page, 403 the API.
PORTAL_USERS = ROLES[-2:]
# The admin site is Django's own, guarded by is_staff; its index stands for all of it.
NOT_IN_MATRIX_NAMESPACES = {"admin"}


def day(n: int) -> str:
    """The day ``n`` days from today, as the forms and the API take it: a date written out
    would age (a substitution that has ended can no longer be arranged)."""
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def _client_payload() -> dict[str, Any]:
    born = timezone.localdate() - datetime.timedelta(days=78 * 365)
    return {
        "first_name": "Eino",
        "last_name": "Laine",
        "date_of_birth": born.isoformat(),
        "identity_code": make_identity_code(born, 954),
        "municipality": "Kuopio",
        "preferred_language": "fi",
    }


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, status) for role in ROLES}


def staff_only(status: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        **{role: overrides.get(role, status) for role in STAFF},
        **{role: overrides[role] for role in PORTAL_USERS if role in overrides},
    }


def portal_only(status: int, anonymous: int = 302, staff: int = 404) -> dict[str, int]:
    """A portal route: the client and their representative get ``status``; staff nothing."""
    return {"anonymous": anonymous, **dict.fromkeys(STAFF, staff), **dict.fromkeys(PORTAL_USERS, status)}


PORTAL_API = 403


def _review(w: World) -> dict[str, Any]:
    review = PlanReview.objects.create(
        version=w.plan_published, held_on=timezone.localdate(), reviewed_by=w.coordinator
    )
    return {"pk": review.pk}


def _shared_with_the_relative(w: World, section: str) -> None:
    """own_client's consent to share ``section`` with the daughter, in force today."""
    Consent.objects.get_or_create(
        client=w.own_client,
        network_member=w.relative,
        sections=[section],
        defaults={
            "purpose": "Läheisen näkemys",
            "given_on": timezone.localdate(),
            "valid_until": timezone.localdate(),
            "recorded_by": w.coordinator,
        },
    )


def _review_shared(w: World) -> dict[str, Any]:
    """A review of own_client's plan, which the client has agreed to share with the daughter."""
    _shared_with_the_relative(w, "plan")
    return _review(w)


def _assessment_shared(w: World) -> dict[str, Any]:
    """own_client's assessment, which the client has agreed to share with the daughter."""
    _shared_with_the_relative(w, "assessment")
    return {"pk": w.assessment.pk}


def _other_clients_consent(w: World) -> dict[str, Any]:
    member = NetworkMember.objects.create(client=w.other_client, name="Matti Muu", relationship=Relationship.FRIEND)
    consent = Consent.objects.create(
        client=w.other_client,
        network_member=member,
        sections=["basic"],
        purpose="Muu",
        given_on=timezone.localdate(),
        valid_until=timezone.localdate(),
        recorded_by=w.other_coordinator,
    )
    return {"pk": consent.pk}


@dataclass(frozen=True)
class Row:
    method: str
    kwargs: Callable[[World], dict[str, Any]]
    expected: dict[str, int]
    data: Callable[[], dict[str, Any]] = field(default=dict)
    query: Callable[[World], dict[str, Any]] = field(default=lambda w: {})


def no_kwargs(_: World) -> dict[str, Any]:
    return {}


def _own_client_form() -> dict[str, Any]:
    """own_client's details as its edit form sends them, with a new phone number."""
    client = World.current.own_client
    fields = {name: getattr(client, name) for name in EDITABLE_FIELDS}
    fields["phone"] = "040 765 4321"
    return {name: value for name, value in fields.items() if value not in (False, None)}


def _contact_payload() -> dict[str, Any]:
    return {"contacted_on": day(-25), "channel": "phone", "source": "relative", "reason": "Kotona pärjääminen"}


def closed_client(w: World) -> dict[str, Any]:
    return {"pk": w.closed_client.pk}


def own_client(w: World) -> dict[str, Any]:
    return {"pk": w.own_client.pk}


def other_client(w: World) -> dict[str, Any]:
    return {"pk": w.other_client.pk}


def a_consultation(w: World) -> dict[str, Any]:
    """A running consultation of own_client by other_coordinator, granted by the coordinator."""
    consultation = grants.grant_consultation(
        client=w.own_client,
        professional=w.other_coordinator,
        by=w.coordinator,
        ground=Ground.DESIGNATED_COORDINATOR,
        reason="Lääkärin arvio",
    )
    return {"pk": consultation.pk}


def a_returning_client(w: World) -> dict[str, Any]:
    """closed_client (team A) reopened by other_coordinator (team B) as a returning client."""
    existing = ReturningClient.objects.filter(client=w.closed_client).first()
    if existing is not None:
        return {"pk": existing.pk}
    client_services.intake(
        by=w.other_coordinator,
        contact={**_contact_payload(), "contacted_on": timezone.localdate()},
        identity_code=w.closed_client.identity_code,
        returning_reason="Muutti takaisin",
    )
    return {"pk": ReturningClient.objects.get(client=w.closed_client).pk}


# The lead of the client's team confirms; the new worker and the other lead are told why not.
CONFIRMS_RETURN = staff_only(404, lead=302, other_coordinator=403, other_lead=403)

# The designated coordinator sees and edits; the team lead of the coordinator sees; nobody else.
SEES_OWN = staff_only(404, coordinator=200, lead=200, substitute=200, member=200)
SEES_OTHER = staff_only(404, other_coordinator=200, other_lead=200)
EDITS_OWN = staff_only(404, coordinator=200, lead=403, substitute=403, member=403)
EDITS_OTHER = staff_only(404, other_coordinator=200, other_lead=403)
API_DENIES_ANONYMOUS = {"anonymous": 403}
LEADS_ONLY = staff_only(403, lead=200, other_lead=200)
# Team A's page is its members' and the administrator's; its lead and the administrator manage it.
TEAM_A_MANAGED = staff_only(403, other_coordinator=404, other_lead=404, lead=400, admin=400, data_protection=404)
TEAM_A_ADMIN_ONLY = staff_only(403, other_coordinator=404, other_lead=404, admin=400, data_protection=404)


def coordinators_membership(w: World) -> dict[str, Any]:
    membership = w.coordinator.team_memberships.get(team=w.team_a, kind="member")
    return {"pk": w.team_a.pk, "membership_pk": membership.pk}


def _coordination_review() -> dict[str, Any]:
    return {"reviewed_on": day(0), "decision": "continue", "next_review_on": day(90), "client_view": "helped"}


# Those who manage the client (its coordinator and their lead); the others who see it are refused.
MANAGES_OWN_SEEN = staff_only(404, coordinator=200, lead=200, substitute=403, member=403)

MATRIX: dict[tuple[str, str], Row] = {
    ("home", "-"): Row("GET", no_kwargs, staff_only(302, admin=200, citizen=302, representative=302)),
    ("healthz", "-"): Row("GET", no_kwargs, everyone(200)),
    ("login", "-"): Row("GET", no_kwargs, everyone(302, anonymous=200)),
    ("logout", "-"): Row("POST", no_kwargs, everyone(302)),
    ("set_language", "-"): Row("POST", no_kwargs, everyone(302), data=lambda: {"language": "sv", "next": "/"}),
    ("caseload", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("caseload-of", "own"): Row(
        "GET",
        lambda w: {"coordinator_id": w.coordinator.pk},
        staff_only(404, coordinator=200, lead=200, substitute=200),
    ),
    ("caseload-of", "other"): Row(
        "GET",
        lambda w: {"coordinator_id": w.other_coordinator.pk},
        staff_only(404, other_coordinator=200, other_lead=200),
    ),
    ("client-create", "-"): Row(
        "GET",
        no_kwargs,
        staff_only(403, coordinator=200, colleague=200, other_coordinator=200, substitute=200, past_substitute=200),
    ),
    ("client-detail", "own"): Row("GET", own_client, SEES_OWN),
    ("client-detail", "other"): Row("GET", other_client, SEES_OTHER),
    ("client-edit", "own"): Row("GET", own_client, EDITS_OWN),
    ("client-edit", "other"): Row("GET", other_client, EDITS_OTHER),
    ("team-review", "-"): Row("GET", no_kwargs, staff_only(403, lead=200, other_lead=200)),
    # The team lead's review: a lead sees their own teams' figures; nobody else has a review.
    ("team-review-figures", "-"): Row("GET", no_kwargs, LEADS_ONLY),
    ("team-review-figures", "own-team"): Row(
        "GET", no_kwargs, staff_only(403, lead=200, other_lead=400), query=lambda w: {"team": w.team_a.pk}
    ),
    ("team-review-threshold", "own-team"): Row(
        "POST",
        no_kwargs,
        staff_only(403, lead=302, other_lead=400),
        data=lambda: {"team": World.current.team_a.pk, "load_threshold": "40"},
    ),
    ("team-review-digest", "-"): Row("POST", no_kwargs, staff_only(403, lead=302, other_lead=302)),
    ("team-review-clients", "own-team"): Row(
        "GET", no_kwargs, LEADS_ONLY, query=lambda w: {"metric": "open", "coordinator": w.coordinator.pk}
    ),
    ("team-review-clients", "reassign-own"): Row(
        "POST",
        no_kwargs,
        staff_only(403, lead=302, other_lead=400),
        data=lambda: {"clients": World.current.colleague_client.pk, "to": World.current.coordinator.pk, "note": "x"},
        query=lambda w: {"metric": "open"},
    ),
    ("team-review-balance", "-"): Row("GET", no_kwargs, LEADS_ONLY),
    # Confirming no moves is refused; nobody but a lead gets that far.
    ("team-review-balance", "confirm-nothing"): Row("POST", no_kwargs, staff_only(403, lead=400, other_lead=400)),
    ("api-team-review-figures", "-"): Row("GET", no_kwargs, {**LEADS_ONLY, **API_DENIES_ANONYMOUS}),
    ("team-review-clients", "continuity"): Row(
        "GET", no_kwargs, LEADS_ONLY, query=lambda w: {"metric": "handovers", "kind": "closure"}
    ),
    # The drill-down's API twin: the same clients as the page, a lead's own teams only.
    ("api-team-review-clients", "own-team"): Row(
        "GET",
        no_kwargs,
        {**LEADS_ONLY, **API_DENIES_ANONYMOUS},
        query=lambda w: {"metric": "open", "coordinator": w.coordinator.pk},
    ),
    ("api-team-review-clients", "other-team"): Row(
        "GET",
        no_kwargs,
        {**staff_only(403, lead=404, other_lead=200), **API_DENIES_ANONYMOUS},
        query=lambda w: {"metric": "referrals", "team": w.team_b.pk},
    ),
    ("api-team-review-figures", "other-team"): Row(
        "GET",
        no_kwargs,
        {**staff_only(403, lead=404, other_lead=200), **API_DENIES_ANONYMOUS},
        query=lambda w: {"team": w.team_b.pk},
    ),
    # Everyone on the staff has a list of the clients whose care team they are on.
    ("my-clients", "-"): Row("GET", no_kwargs, staff_only(200)),
    # No orphaned clients: the coordinator still has a client, a reminder and a decision, so
    # whoever may end the membership or deactivate them is refused with what is left (400).
    ("team-membership-end", "with-work"): Row("POST", coordinators_membership, TEAM_A_MANAGED),
    ("team-member-deactivate", "with-work"): Row("POST", coordinators_membership, TEAM_A_ADMIN_ONLY),
    ("api-membership-end", "with-work"): Row(
        "POST", coordinators_membership, {**TEAM_A_MANAGED, **API_DENIES_ANONYMOUS}
    ),
    ("api-member-deactivate", "with-work"): Row(
        "POST", coordinators_membership, {**TEAM_A_ADMIN_ONLY, **API_DENIES_ANONYMOUS}
    ),
    ("team-review-export", "caseloads"): Row("GET", lambda w: {"table": "caseloads", "fmt": "csv"}, LEADS_ONLY),
    ("team-review-export", "endings"): Row("GET", lambda w: {"table": "endings", "fmt": "xlsx"}, LEADS_ONLY),
    ("api-team-review-endings", "-"): Row("GET", no_kwargs, {**LEADS_ONLY, **API_DENIES_ANONYMOUS}),
    ("api-team-review-endings", "other-team"): Row(
        "GET",
        no_kwargs,
        {**staff_only(403, lead=404, other_lead=200), **API_DENIES_ANONYMOUS},
        query=lambda w: {"team": w.team_b.pk},
    ),
    # Coordination that ends on purpose: whoever sees the client reads its reviews; those who
    # manage the client record one.
    ("client-coordination", "own"): Row("GET", own_client, SEES_OWN),
    ("client-coordination", "other"): Row("GET", other_client, SEES_OTHER),
    ("client-coordination", "own-post"): Row(
        "POST", own_client, MANAGES_OWN_SEEN | {"coordinator": 302, "lead": 302}, data=_coordination_review
    ),
    ("api-client-coordination", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-client-coordination", "own-post"): Row(
        "POST",
        own_client,
        {**MANAGES_OWN_SEEN, "coordinator": 201, "lead": 201, **API_DENIES_ANONYMOUS},
        data=_coordination_review,
    ),
    ("team-review-export", "clients"): Row(
        "GET", lambda w: {"table": "clients", "fmt": "xlsx"}, LEADS_ONLY, query=lambda w: {"metric": "open"}
    ),
    ("intake", "-"): Row("GET", no_kwargs, staff_only(200, member=403, admin=403, data_protection=403)),
    ("client-search", "-"): Row("GET", no_kwargs, staff_only(200), query=lambda w: {"q": w.own_client.last_name}),
    ("client-contact-create", "own"): Row(
        "POST",
        own_client,
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {
            "contact-contacted_on": day(-25),
            "contact-channel": "phone",
            "contact-source": "client",
            "contact-reason": "Uusi tarve",
        },
    ),
    ("client-named-worker", "own"): Row(
        "GET", own_client, staff_only(404, coordinator=200, lead=200, substitute=403, member=403)
    ),
    # Empty: the ones who may hand over are told what is missing.
    ("caseload-handover", "-"): Row("POST", no_kwargs, staff_only(400, member=403, admin=403, data_protection=403)),
    ("assignment-note-read", "own"): Row(
        "POST",
        lambda w: {"pk": w.own_client.assignments.get(ended_on__isnull=True).pk},
        staff_only(404, coordinator=302),
    ),
    ("client-referral-create", "own"): Row(
        "POST",
        own_client,
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {
            "direction": "outgoing",
            "outgoing-counterpart": "Kela",
            "outgoing-reason": "Hoitotuki",
            "outgoing-sent_on": day(-25),
        },
    ),
    ("referral-advance", "own"): Row(
        "POST",
        lambda w: {"pk": w.own_referral.pk},
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {"status": "received"},
    ),
    ("referrals-overdue", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("referral-bounce", "own"): Row("GET", lambda w: {"pk": w.own_referral.pk}, EDITS_OWN),
    ("referral-bounce", "own-record"): Row(
        "POST",
        lambda w: {"pk": w.own_referral.pk},
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {"kind": "returned", "bounced_on": day(0)},
    ),
    # Counts of the viewer's own caseload only: no client, so anyone on the staff.
    ("referral-partners", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("client-close", "own"): Row(
        "GET", own_client, staff_only(404, coordinator=200, lead=200, substitute=403, member=403)
    ),
    ("client-reopen", "closed"): Row("POST", closed_client, staff_only(404, coordinator=302, lead=302)),
    ("client-reopen", "open"): Row(
        "POST", own_client, staff_only(404, coordinator=409, lead=409, substitute=403, member=403)
    ),
    ("substitutions", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("teams", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("team-detail", "own"): Row(
        "GET",
        lambda w: {"pk": w.team_a.pk},
        staff_only(200, other_coordinator=404, other_lead=404, data_protection=404),
    ),
    ("client-network", "own"): Row("GET", own_client, SEES_OWN),
    ("client-network", "other"): Row("GET", other_client, SEES_OTHER),
    ("client-network-consent-withdraw", "own"): Row(
        "POST", lambda w: {"pk": w.relative_consent.pk}, {**EDITS_OWN, "coordinator": 302}
    ),
    ("client-meetings", "own"): Row("GET", own_client, SEES_OWN),
    ("meeting-detail", "own"): Row("GET", lambda w: {"pk": w.meeting.pk}, SEES_OWN),
    ("my-decisions", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("client-assessments", "own"): Row("GET", own_client, SEES_OWN),
    ("client-assessments", "other"): Row("GET", other_client, SEES_OTHER),
    # own_client has an assessment in progress: a second one is a conflict.
    ("client-assessments", "start-own"): Row(
        "POST", own_client, {**EDITS_OWN, "coordinator": 409}, data=lambda: {"started_on": str(timezone.localdate())}
    ),
    ("assessment-detail", "own"): Row("GET", lambda w: {"pk": w.assessment.pk}, SEES_OWN),
    # The relative's consent covers meetings, not the assessment: the view is refused (400).
    ("assessment-detail", "network-view-without-consent"): Row(
        "POST",
        lambda w: {"pk": w.assessment.pk},
        {**EDITS_OWN, "coordinator": 400},
        data=lambda: {
            "action": "network_view",
            "network-network_member": World.current.relative.pk,
            "network-words": "Äiti pärjää aamuisin huonosti.",
        },
    ),
    ("assessment-detail", "network-view"): Row(
        "POST",
        _assessment_shared,
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {
            "action": "network_view",
            "network-network_member": World.current.relative.pk,
            "network-words": "Äiti pärjää aamuisin huonosti.",
        },
    ),
    ("assessment-detail", "save"): Row(
        "POST",
        lambda w: {"pk": w.assessment.pk},
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {"action": "save", "client_took_part": "on", "client_view": "Haluan pärjätä kotona."},
    ),
    # Without script the domain's form opens on the assessment's page.
    ("assessment-need", "own"): Row(
        "GET",
        lambda w: {"pk": w.assessment.pk, "domain": "health"},
        {**SEES_OWN, "coordinator": 302, "lead": 302, "substitute": 302, "member": 302},
    ),
    ("assessment-need", "save"): Row(
        "POST",
        lambda w: {"pk": w.assessment.pk, "domain": "health"},
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {"need-health-level": "2", "need-health-slot_0_morning": "client"},
    ),
    ("assessment-compare", "own"): Row("GET", own_client, SEES_OWN),
    # Each professional writes their own conclusion: the worker, and the care team's nurse.
    ("assessment-conclusion", "own"): Row(
        "POST",
        lambda w: {"pk": w.assessment.pk},
        {**EDITS_OWN, "coordinator": 302, "member": 302},
        data=lambda: {"text": "Työkokeilu osa-aikaisesti."},
    ),
    ("api-caseload", "own"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-caseload", "of-own-team"): Row(
        "GET",
        no_kwargs,
        {**staff_only(404, coordinator=200, lead=200, substitute=200), **API_DENIES_ANONYMOUS},
        query=lambda w: {"coordinator": w.coordinator.pk},
    ),
    ("api-caseload", "of-other-team"): Row(
        "GET",
        no_kwargs,
        {**staff_only(404, other_coordinator=200, other_lead=200), **API_DENIES_ANONYMOUS},
        query=lambda w: {"coordinator": w.other_coordinator.pk},
    ),
    ("api-client-create", "-"): Row(
        "POST",
        no_kwargs,
        {
            **staff_only(
                403, coordinator=201, colleague=201, other_coordinator=201, substitute=201, past_substitute=201
            ),
            **API_DENIES_ANONYMOUS,
        },
        data=_client_payload,
    ),
    ("api-client-detail", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-client-detail", "other"): Row("GET", other_client, {**SEES_OTHER, **API_DENIES_ANONYMOUS}),
    ("api-client-detail", "own-change"): Row(
        "PATCH", own_client, {**EDITS_OWN, **API_DENIES_ANONYMOUS}, data=lambda: {"phone": "040 123 4567"}
    ),
    ("api-client-detail", "other-change"): Row(
        "PATCH", other_client, {**EDITS_OTHER, **API_DENIES_ANONYMOUS}, data=lambda: {"phone": "040 123 4567"}
    ),
    ("api-client-detail", "closed"): Row(
        "GET", closed_client, {**staff_only(404, coordinator=200, lead=200), **API_DENIES_ANONYMOUS}
    ),
    # Read-only once closed: nobody changes the record; a lead who may manage the client is
    # told why when trying to name a worker (below).
    ("api-client-detail", "closed-change"): Row(
        "PATCH",
        closed_client,
        {**staff_only(404, coordinator=403, lead=403), **API_DENIES_ANONYMOUS},
        data=lambda: {"phone": "040 123 4567"},
    ),
    ("api-client-search", "-"): Row(
        "GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}, query=lambda w: {"q": w.own_client.last_name}
    ),
    # A nurse on the care team does not see contacts and referrals: not her section.
    ("api-client-contacts", "own"): Row("GET", own_client, {**SEES_OWN, "member": 403, **API_DENIES_ANONYMOUS}),
    ("api-client-contacts", "other"): Row("GET", other_client, {**SEES_OTHER, **API_DENIES_ANONYMOUS}),
    ("api-client-contacts", "own-add"): Row(
        "POST",
        own_client,
        {**staff_only(404, coordinator=201, lead=403, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=_contact_payload,
    ),
    ("api-client-named-worker", "own"): Row(
        "POST",
        own_client,
        {**staff_only(404, coordinator=200, lead=200, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=lambda: {"coordinator_id": World.current.colleague.pk},
    ),
    ("api-client-named-worker", "closed"): Row(
        "POST",
        closed_client,
        {**staff_only(404, coordinator=403, lead=409), **API_DENIES_ANONYMOUS},
        data=lambda: {"coordinator_id": World.current.colleague.pk},
    ),
    ("api-client-referrals", "own"): Row("GET", own_client, {**SEES_OWN, "member": 403, **API_DENIES_ANONYMOUS}),
    ("api-client-referrals", "own-add"): Row(
        "POST",
        own_client,
        {**staff_only(404, coordinator=201, lead=403, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=lambda: {"direction": "outgoing", "counterpart": "Kela", "reason": "Hoitotuki", "sent_on": day(-25)},
    ),
    ("api-referral-detail", "own"): Row(
        "PATCH",
        lambda w: {"pk": w.own_referral.pk},
        {**staff_only(404, coordinator=200, lead=403, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=lambda: {"status": "received"},
    ),
    ("api-referrals-overdue", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-referral-bounce", "own"): Row(
        "POST",
        lambda w: {"pk": w.own_referral.pk},
        {**staff_only(404, coordinator=201, lead=403, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=lambda: {"kind": "redirected", "bounced_on": day(0), "counterpart": "Seurakunnan diakoniatyö"},
    ),
    ("api-referral-partners", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-referral-partner-figures", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-client-closure", "own"): Row(
        "POST",
        own_client,
        {**staff_only(404, coordinator=200, lead=200, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=lambda: {
            "closed_on": day(-25),
            "reason": "moved",
            "summary": "Muutti Ouluun.",
            "reached": "Tieto siirtyi.",
            "client_view": "partly",
        },
    ),
    ("api-client-reopen", "open"): Row(
        "POST",
        own_client,
        {**staff_only(404, coordinator=409, lead=409, substitute=403, member=403), **API_DENIES_ANONYMOUS},
    ),
    ("api-client-reopen", "closed"): Row(
        "POST", closed_client, {**staff_only(404, coordinator=201, lead=201), **API_DENIES_ANONYMOUS}
    ),
    # Anyone on the staff may try; only the client's coordinator, or a lead for their team's
    # clients and coordinators, succeeds. The others learn nothing but "not found".
    ("api-handover", "-"): Row(
        "POST",
        no_kwargs,
        {**staff_only(400, coordinator=201, lead=201), **API_DENIES_ANONYMOUS},
        data=lambda: {"client_ids": [World.current.own_client.pk], "to": [World.current.colleague.pk]},
    ),
    ("api-intake", "-"): Row(
        "POST",
        no_kwargs,
        {
            **staff_only(
                400,
                coordinator=201,
                colleague=201,
                lead=201,
                substitute=201,
                past_substitute=201,
                member=403,
                admin=403,
                data_protection=403,
            ),
            **API_DENIES_ANONYMOUS,
        },
        data=lambda: {
            "contact": _contact_payload(),
            "client": _client_payload(),
            "coordinator_id": World.current.coordinator.pk,
        },
    ),
    # Intake's lookup: the roles that do intake; to a caller without a ground it names no one.
    ("api-intake-lookup", "-"): Row(
        "POST",
        no_kwargs,
        {**staff_only(200, member=403, admin=403, data_protection=403), **API_DENIES_ANONYMOUS},
        data=lambda: {"identity_code": World.current.other_client.identity_code},
    ),
    ("api-substitutions", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-substitutions", "arrange"): Row(
        "POST",
        no_kwargs,
        # The colleague would be naming themselves the substitute: a self-grant, refused.
        {**staff_only(400, coordinator=201, lead=201, colleague=403), **API_DENIES_ANONYMOUS},
        data=lambda: {
            "absent": World.current.coordinator.pk,
            "substitute": World.current.colleague.pk,
            "starts_on": day(4),
            "ends_on": day(17),
        },
    ),
    ("api-teams", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-team-members", "own"): Row(
        "GET",
        lambda w: {"pk": w.team_a.pk},
        {**staff_only(200, other_coordinator=404, other_lead=404, data_protection=404), **API_DENIES_ANONYMOUS},
    ),
    ("api-team-members", "add"): Row(
        "POST",
        lambda w: {"pk": w.team_a.pk},
        # other_coordinator is in team B: only the organisation's administrator moves them; the
        # others who see the team are refused, the lead with the reason.
        {
            **staff_only(403, other_coordinator=404, other_lead=404, data_protection=404, admin=201),
            **API_DENIES_ANONYMOUS,
        },
        data=lambda: {"user": World.current.other_coordinator.pk, "started_on": day(-26)},
    ),
    ("api-client-care-team", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-client-care-team", "other"): Row("GET", other_client, {**SEES_OTHER, **API_DENIES_ANONYMOUS}),
    ("api-client-care-team", "add"): Row(
        "POST",
        own_client,
        {**staff_only(404, coordinator=201, lead=201, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=lambda: {
            "professional": World.current.colleague.pk,
            "role": "Sosiaaliohjaaja",
            "started_on": day(-26),
        },
    ),
    ("api-client-network", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-client-network", "add"): Row(
        "POST",
        own_client,
        {**EDITS_OWN, "coordinator": 201, **API_DENIES_ANONYMOUS},
        data=lambda: {"name": "Matti Naapuri", "relationship": "neighbour"},
    ),
    ("api-client-consents", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-client-consents", "give"): Row(
        "POST",
        own_client,
        {**EDITS_OWN, "coordinator": 201, **API_DENIES_ANONYMOUS},
        data=lambda: {
            "outside_party": "Kela",
            "sections": ["basic"],
            "purpose": "Hoitotuen hakemus",
            "given_on": day(-26),
            "valid_until": day(339),
        },
    ),
    ("api-consent-withdraw", "own"): Row(
        "POST", lambda w: {"pk": w.relative_consent.pk}, {**EDITS_OWN, **API_DENIES_ANONYMOUS}
    ),
    ("api-client-meetings", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-client-meetings", "other"): Row("GET", other_client, {**SEES_OTHER, **API_DENIES_ANONYMOUS}),
    ("api-client-meetings", "plan"): Row(
        "POST",
        own_client,
        {**staff_only(404, coordinator=201, lead=201, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=lambda: {
            "starts_at": f"{day(4)}T10:00:00+02:00",
            "ends_at": f"{day(4)}T11:00:00+02:00",
            "place": "Palvelukeskus",
        },
    ),
    ("api-meeting-detail", "own"): Row("GET", lambda w: {"pk": w.meeting.pk}, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-meeting-detail", "record"): Row(
        "PATCH",
        lambda w: {"pk": w.meeting.pk},
        {**staff_only(404, coordinator=200, lead=200, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=lambda: {
            "notes": "Sovittiin kotihoidon lisäkäynneistä.",
            "decisions": [{"text": "Soita", "responsible": "client"}],
        },
    ),
    ("api-meeting-ics", "own"): Row("GET", lambda w: {"pk": w.meeting.pk}, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-client-decisions", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-my-decisions", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-client-consultation", "own"): Row("GET", own_client, {**MANAGES_OWN_SEEN, **API_DENIES_ANONYMOUS}),
    ("api-client-consultation", "grant"): Row(
        "POST",
        own_client,
        {**staff_only(404, coordinator=201, lead=201, substitute=403, member=403), **API_DENIES_ANONYMOUS},
        data=lambda: {"professional": World.current.other_coordinator.pk, "reason": "Lääkärin arvio"},
    ),
    ("api-consultation-revoke", "own"): Row(
        "POST",
        a_consultation,
        {
            **staff_only(404, coordinator=200, lead=200, substitute=403, member=403, other_coordinator=403),
            **API_DENIES_ANONYMOUS,
        },
    ),
    # The grant's page, with its search of the professionals: those who manage the client.
    ("client-consultation-create", "own"): Row(
        "GET", own_client, MANAGES_OWN_SEEN, query=lambda w: {"q": w.other_coordinator.username}
    ),
    ("client-consultation-create", "other"): Row(
        "GET",
        other_client,
        staff_only(404, other_coordinator=200, other_lead=200),
        query=lambda w: {"q": w.colleague.username},
    ),
    ("client-consultation-create", "own-post"): Row(
        "POST",
        own_client,
        staff_only(404, coordinator=302, lead=302, substitute=403, member=403),
        data=lambda: {
            "consultation-professional": World.current.other_coordinator.pk,
            "consultation-reason": "Lääkärin arvio",
        },
    ),
    ("client-consultation-create", "other-post"): Row(
        "POST",
        other_client,
        staff_only(404, other_coordinator=302, other_lead=302),
        data=lambda: {"consultation-professional": World.current.colleague.pk, "consultation-reason": "Toinen arvio"},
    ),
    # The consultant (other_coordinator) sees the client but does not manage it.
    ("returning-client-confirm", "own"): Row("POST", a_returning_client, CONFIRMS_RETURN),
    ("api-returning-client-confirm", "own"): Row(
        "POST", a_returning_client, {**CONFIRMS_RETURN, "lead": 204, **API_DENIES_ANONYMOUS}
    ),
    ("consultation-revoke", "own"): Row(
        "POST",
        a_consultation,
        staff_only(404, coordinator=302, lead=302, substitute=403, member=403, other_coordinator=403),
    ),
    ("api-client-assessments", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-client-assessments", "other"): Row("GET", other_client, {**SEES_OTHER, **API_DENIES_ANONYMOUS}),
    # own_client has an assessment in progress: a second one is a conflict.
    ("api-client-assessments", "start-own"): Row(
        "POST", own_client, {**EDITS_OWN, "coordinator": 409, **API_DENIES_ANONYMOUS}
    ),
    ("api-client-assessments", "start-colleagues"): Row(
        "POST",
        lambda w: {"pk": w.colleague_client.pk},
        {**staff_only(404, colleague=201, lead=403), **API_DENIES_ANONYMOUS},
    ),
    ("api-assessment-detail", "own"): Row(
        "GET", lambda w: {"pk": w.assessment.pk}, {**SEES_OWN, **API_DENIES_ANONYMOUS}
    ),
    ("api-assessment-detail", "change"): Row(
        "PATCH",
        lambda w: {"pk": w.assessment.pk},
        {**EDITS_OWN, **API_DENIES_ANONYMOUS},
        data=lambda: {"client_view": "Haluan pärjätä kotona."},
    ),
    ("api-assessment-need", "own"): Row(
        "PUT",
        lambda w: {"pk": w.assessment.pk, "domain": "health"},
        {**EDITS_OWN, **API_DENIES_ANONYMOUS},
        data=lambda: {"level": 1, "slots": [{"weekday": 2, "time_of_day": "evening", "coverage": "client"}]},
    ),
    ("api-assessment-conclusion", "own"): Row(
        "PUT",
        lambda w: {"pk": w.assessment.pk},
        {**EDITS_OWN, "member": 200, **API_DENIES_ANONYMOUS},
        data=lambda: {"text": "Työkokeilu osa-aikaisesti."},
    ),
    # The statutory fields are still empty: completing is refused, to the one who may try.
    ("api-assessment-complete", "own"): Row(
        "POST", lambda w: {"pk": w.assessment.pk}, {**EDITS_OWN, "coordinator": 400, **API_DENIES_ANONYMOUS}
    ),
    ("api-assessment-network-views", "own"): Row(
        "GET", lambda w: {"pk": w.assessment.pk}, {**SEES_OWN, **API_DENIES_ANONYMOUS}
    ),
    ("api-assessment-network-views", "without-consent"): Row(
        "POST",
        lambda w: {"pk": w.assessment.pk},
        {**EDITS_OWN, "coordinator": 400, **API_DENIES_ANONYMOUS},
        data=lambda: {"network_member": World.current.relative.pk, "words": "Äiti pärjää aamuisin huonosti."},
    ),
    ("api-assessment-network-views", "with-consent"): Row(
        "POST",
        _assessment_shared,
        {**EDITS_OWN, "coordinator": 201, **API_DENIES_ANONYMOUS},
        data=lambda: {"network_member": World.current.relative.pk, "words": "Äiti pärjää aamuisin huonosti."},
    ),
    ("api-assessment-compare", "own"): Row(
        "GET",
        own_client,
        {**staff_only(404, coordinator=400, lead=400, substitute=400, member=400), **API_DENIES_ANONYMOUS},
    ),
    ("api-assessments-due", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-assessment-config", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    # Care plans: own_client has version 1 published (PDF ready) and version 2 as the draft.
    ("client-care-plan", "own"): Row("GET", own_client, SEES_OWN),
    ("client-care-plan", "other"): Row("GET", other_client, SEES_OTHER),
    # A draft exists already: starting another is a conflict.
    ("client-care-plan", "start-own"): Row("POST", own_client, {**EDITS_OWN, "coordinator": 409}),
    ("care-plan-compare", "own"): Row("GET", own_client, SEES_OWN),
    ("plan-version", "published"): Row("GET", lambda w: {"pk": w.plan_published.pk}, SEES_OWN),
    ("plan-version", "save-draft"): Row(
        "POST",
        lambda w: {"pk": w.plan_draft.pk},
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {
            "action": "save",
            "draft-revision": World.current.plan_draft.revision,
            "draft-client_wishes": "Haluan asua kotona.",
        },
    ),
    ("plan-version-review", "own"): Row("GET", lambda w: {"pk": w.plan_published.pk}, SEES_OWN),
    ("plan-version-review", "post-empty"): Row(
        "POST", lambda w: {"pk": w.plan_published.pk}, {**EDITS_OWN, "coordinator": 400}
    ),
    # One review with the network's views; the relative's consent covers meetings, not the plan.
    ("plan-review-detail", "own"): Row("GET", _review, SEES_OWN),
    ("plan-review-detail", "without-consent"): Row(
        "POST",
        _review,
        {**EDITS_OWN, "coordinator": 400},
        data=lambda: {"network-network_member": World.current.relative.pk, "network-words": "Hyvin menee."},
    ),
    ("plan-review-detail", "with-consent"): Row(
        "POST",
        _review_shared,
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {"network-network_member": World.current.relative.pk, "network-words": "Hyvin menee."},
    ),
    ("plan-version-pdf", "own"): Row("GET", lambda w: {"pk": w.plan_published.pk}, SEES_OWN),
    ("plan-version-pdf-status", "own"): Row("GET", lambda w: {"pk": w.plan_published.pk}, SEES_OWN),
    ("plan-version-pdf-render", "own"): Row(
        "POST", lambda w: {"pk": w.plan_published.pk}, {**EDITS_OWN, "coordinator": 302}
    ),
    ("api-client-care-plan", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-client-care-plan", "other"): Row("GET", other_client, {**SEES_OTHER, **API_DENIES_ANONYMOUS}),
    ("api-client-care-plan", "start-own"): Row(
        "POST", own_client, {**EDITS_OWN, "coordinator": 409, **API_DENIES_ANONYMOUS}
    ),
    ("api-care-plan-compare", "own"): Row("GET", own_client, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-plan-version", "own"): Row(
        "GET", lambda w: {"pk": w.plan_published.pk}, {**SEES_OWN, **API_DENIES_ANONYMOUS}
    ),
    ("api-plan-version", "save-draft"): Row(
        "PUT",
        lambda w: {"pk": w.plan_draft.pk},
        {**EDITS_OWN, **API_DENIES_ANONYMOUS},
        data=lambda: {"revision": World.current.plan_draft.revision, "strengths_client": "Huumorintaju"},
    ),
    ("api-plan-version-publish", "own"): Row(
        "POST",
        lambda w: {"pk": w.plan_draft.pk},
        {**EDITS_OWN, **API_DENIES_ANONYMOUS},
        data=lambda: {"revision": World.current.plan_draft.revision},
    ),
    ("api-plan-version-pdf", "own"): Row(
        "GET", lambda w: {"pk": w.plan_published.pk}, {**SEES_OWN, **API_DENIES_ANONYMOUS}
    ),
    ("api-plan-version-pdf", "request"): Row(
        "POST", lambda w: {"pk": w.plan_published.pk}, {**EDITS_OWN, "coordinator": 202, **API_DENIES_ANONYMOUS}
    ),
    ("api-plan-version-pdf-download", "own"): Row(
        "GET", lambda w: {"pk": w.plan_published.pk}, {**SEES_OWN, **API_DENIES_ANONYMOUS}
    ),
    ("api-plan-version-reviews", "own"): Row(
        "GET", lambda w: {"pk": w.plan_published.pk}, {**SEES_OWN, **API_DENIES_ANONYMOUS}
    ),
    ("api-plan-version-reviews", "post-empty"): Row(
        "POST", lambda w: {"pk": w.plan_published.pk}, {**EDITS_OWN, "coordinator": 400, **API_DENIES_ANONYMOUS}
    ),
    ("api-plan-review-network-views", "own"): Row("GET", _review, {**SEES_OWN, **API_DENIES_ANONYMOUS}),
    ("api-plan-review-network-views", "without-consent"): Row(
        "POST",
        _review,
        {**EDITS_OWN, "coordinator": 400, **API_DENIES_ANONYMOUS},
        data=lambda: {"network_member": World.current.relative.pk, "words": "Hyvin menee."},
    ),
    ("api-plan-review-network-views", "with-consent"): Row(
        "POST",
        _review_shared,
        {**EDITS_OWN, "coordinator": 201, **API_DENIES_ANONYMOUS},
        data=lambda: {"network_member": World.current.relative.pk, "words": "Hyvin menee."},
    ),
    ("api-team-review", "-"): Row(
        "GET", no_kwargs, {**staff_only(403, lead=200, other_lead=200), **API_DENIES_ANONYMOUS}
    ),
    # Reminders: everyone on the staff has an inbox; a reminder is its recipient's alone.
    ("reminders", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("reminders-unread-count", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("reminder-preferences", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("reminder-read", "own"): Row("POST", lambda w: {"pk": w.reminder.pk}, staff_only(404, coordinator=302)),
    ("reminder-done", "own"): Row("POST", lambda w: {"pk": w.reminder.pk}, staff_only(404, coordinator=302)),
    ("reminder-snooze", "own"): Row(
        "POST",
        lambda w: {"pk": w.reminder.pk},
        staff_only(404, coordinator=302),
        data=lambda: {"snoozed_until": (timezone.localdate() + datetime.timedelta(days=7)).isoformat()},
    ),
    ("api-reminders", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-reminders-unread-count", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-reminder-preferences", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-reminder-preferences", "change"): Row(
        "PUT",
        no_kwargs,
        {**staff_only(200), **API_DENIES_ANONYMOUS},
        data=lambda: {"by_email": {"referral_follow_up": True}},
    ),
    ("api-reminder-detail", "own"): Row(
        "GET", lambda w: {"pk": w.reminder.pk}, {**staff_only(404, coordinator=200), **API_DENIES_ANONYMOUS}
    ),
    ("api-reminder-detail", "change"): Row(
        "PATCH",
        lambda w: {"pk": w.reminder.pk},
        {**staff_only(404, coordinator=200), **API_DENIES_ANONYMOUS},
        data=lambda: {"read": True},
    ),
    # Personal budgets: the budget section of the record. A nurse on the care team does not see it.
    ("client-budgets", "own"): Row("GET", own_client, {**SEES_OWN, "member": 403}),
    ("client-budgets", "other"): Row("GET", other_client, SEES_OTHER),
    ("client-budgets", "offer"): Row(
        "POST", own_client, {**EDITS_OWN, "coordinator": 302}, data=lambda: {"period_start": day(1000)}
    ),
    ("budget-detail", "own"): Row("GET", lambda w: {"pk": w.budget.pk}, {**SEES_OWN, "member": 403}),
    # Already accepted: a second answer is a conflict, for the one who may give it.
    ("budget-decision", "own"): Row(
        "POST",
        lambda w: {"pk": w.budget.pk},
        {**EDITS_OWN, "coordinator": 409},
        data=lambda: {"decision": "accept", "decided_on": timezone.localdate().isoformat()},
    ),
    ("budget-calculation", "own"): Row("GET", lambda w: {"pk": w.budget.pk}, {**SEES_OWN, "member": 403}),
    ("budget-spending", "own"): Row(
        "POST",
        lambda w: {"pk": w.budget.pk},
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {
            "spending-line": World.current.budget_line.pk,
            "spending-kind": "invoice",
            "spending-amount": "10.00",
            "spending-delivered_on": timezone.localdate().isoformat(),
        },
    ),
    ("budget-reallocation", "own"): Row(
        "POST",
        lambda w: {"pk": w.budget.pk},
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {"move-to_line": World.current.budget_line.pk, "move-amount": "5.00", "move-reason": "Lisä"},
    ),
    ("budget-ledger-csv", "own"): Row("GET", lambda w: {"pk": w.budget.pk}, {**SEES_OWN, "member": 403}),
    ("budget-line-provider", "own"): Row(
        "POST",
        lambda w: {"pk": w.budget_line.pk},
        {**EDITS_OWN, "coordinator": 302},
        data=lambda: {f"line-{World.current.budget_line.pk}-provider": World.current.budget_provider.pk},
    ),
    ("budget-line-provider", "own-page"): Row("GET", lambda w: {"pk": w.budget_line.pk}, EDITS_OWN),
    ("api-client-budgets", "own"): Row("GET", own_client, {**SEES_OWN, "member": 403, **API_DENIES_ANONYMOUS}),
    ("api-client-budgets", "other"): Row("GET", other_client, {**SEES_OTHER, **API_DENIES_ANONYMOUS}),
    ("api-client-budgets", "offer"): Row(
        "POST",
        own_client,
        {**EDITS_OWN, "coordinator": 201, **API_DENIES_ANONYMOUS},
        data=lambda: {"period_start": day(1000)},
    ),
    ("api-budget-detail", "own"): Row(
        "GET", lambda w: {"pk": w.budget.pk}, {**SEES_OWN, "member": 403, **API_DENIES_ANONYMOUS}
    ),
    ("api-budget-decision", "own"): Row(
        "POST",
        lambda w: {"pk": w.budget.pk},
        {**EDITS_OWN, "coordinator": 409, **API_DENIES_ANONYMOUS},
        data=lambda: {"accepted": True},
    ),
    # own_client's assessment is still in progress: nothing to calculate from yet.
    ("api-budget-calculation", "own"): Row(
        "POST", lambda w: {"pk": w.budget.pk}, {**EDITS_OWN, "coordinator": 400, **API_DENIES_ANONYMOUS}
    ),
    ("api-budget-lines", "own"): Row(
        "GET", lambda w: {"pk": w.budget.pk}, {**SEES_OWN, "member": 403, **API_DENIES_ANONYMOUS}
    ),
    ("api-budget-reallocations", "own"): Row(
        "GET", lambda w: {"pk": w.budget.pk}, {**SEES_OWN, "member": 403, **API_DENIES_ANONYMOUS}
    ),
    ("api-budget-reallocations", "increase"): Row(
        "POST",
        lambda w: {"pk": w.budget.pk},
        {**EDITS_OWN, "coordinator": 201, **API_DENIES_ANONYMOUS},
        data=lambda: {"to_line": World.current.budget_line.pk, "amount": "5.00", "reason": "Lisätunnit"},
    ),
    ("api-budget-line", "own"): Row(
        "PATCH",
        lambda w: {"pk": w.budget_line.pk},
        {**EDITS_OWN, **API_DENIES_ANONYMOUS},
        data=lambda: {"provider": World.current.budget_provider.pk},
    ),
    ("api-budget-line-spending", "own"): Row(
        "GET", lambda w: {"pk": w.budget_line.pk}, {**SEES_OWN, "member": 403, **API_DENIES_ANONYMOUS}
    ),
    ("api-budget-line-spending", "record"): Row(
        "POST",
        lambda w: {"pk": w.budget_line.pk},
        {**EDITS_OWN, "coordinator": 201, **API_DENIES_ANONYMOUS},
        data=lambda: {"amount": "10.00", "delivered_on": timezone.localdate().isoformat()},
    ),
    ("api-providers", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    ("api-service-types", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    # Wrong credentials for everyone: a token is only ever handed for a correct password.
    ("api-token", "-"): Row("POST", no_kwargs, everyone(400), data=lambda: {"username": "x", "password": "y"}),
    ("second-factor", "-"): Row("GET", no_kwargs, staff_only(200)),
    ("second-factor", "wrong-code"): Row("POST", no_kwargs, staff_only(400), data=lambda: {"code": "000000"}),
    ("api-tokens", "-"): Row("GET", no_kwargs, {**staff_only(200), **API_DENIES_ANONYMOUS}),
    # Only one's own tokens are revoked: a key that is not theirs is not found.
    ("api-token-detail", "-"): Row(
        "DELETE", lambda w: {"key": "0123abcd"}, {**staff_only(404), **API_DENIES_ANONYMOUS}
    ),
    ("api-schema", "-"): Row("GET", no_kwargs, {**everyone(200), **API_DENIES_ANONYMOUS}),
    ("api-docs", "-"): Row("GET", no_kwargs, {**everyone(200), **API_DENIES_ANONYMOUS}),
    ("admin:index", "-"): Row("GET", no_kwargs, staff_only(302, admin=200, citizen=302, representative=302)),
    # The client's portal (portal/): the client and their representative; staff get nothing.
    ("portal-home", "-"): Row("GET", no_kwargs, portal_only(200)),
    ("portal-sign-in", "-"): Row("GET", no_kwargs, everyone(200, citizen=302, representative=302)),
    ("portal-demo-sign-in", "-"): Row("GET", no_kwargs, everyone(200)),
    ("portal-demo-sign-in", "nobody"): Row("POST", no_kwargs, everyone(400), data=lambda: {"client": "0"}),
    ("oidc_authentication_init", "-"): Row("GET", no_kwargs, everyone(302)),
    ("oidc_authentication_callback", "-"): Row("GET", no_kwargs, everyone(302)),
    ("portal-sign-out", "-"): Row("POST", no_kwargs, everyone(302)),
    # One client to open: straight on to its home.
    ("portal-choose", "-"): Row("GET", no_kwargs, portal_only(302)),
    ("portal-choose", "someone-elses"): Row("POST", no_kwargs, portal_only(400), data=lambda: {"client": "0"}),
    ("portal-plan", "-"): Row("GET", no_kwargs, portal_only(200)),
    ("portal-plan-version", "own"): Row("GET", lambda w: {"pk": w.plan_published.pk}, portal_only(200)),
    ("portal-plan-version", "draft"): Row("GET", lambda w: {"pk": w.plan_draft.pk}, portal_only(404)),
    ("portal-plan-pdf", "own"): Row("GET", lambda w: {"pk": w.plan_published.pk}, portal_only(200)),
    ("portal-plan-pdf", "draft"): Row("GET", lambda w: {"pk": w.plan_draft.pk}, portal_only(404)),
    ("portal-view", "-"): Row("GET", no_kwargs, portal_only(200)),
    ("portal-view", "write"): Row("POST", no_kwargs, portal_only(302), data=lambda: {"text": "Menee hyvin."}),
    ("portal-heard", "own"): Row("GET", _review, portal_only(200)),
    ("portal-heard", "answer"): Row("POST", _review, portal_only(302), data=lambda: {"rating": "4"}),
    ("portal-log", "-"): Row("GET", no_kwargs, portal_only(200)),
    ("portal-consents", "-"): Row("GET", no_kwargs, portal_only(200)),
    ("portal-consents", "give-nothing"): Row("POST", no_kwargs, portal_only(400)),
    ("portal-consent-withdraw", "own"): Row("POST", lambda w: {"pk": w.relative_consent.pk}, portal_only(302)),
    ("portal-consent-withdraw", "other"): Row("POST", _other_clients_consent, portal_only(404)),
    ("portal-messages", "-"): Row("GET", no_kwargs, portal_only(200)),
    ("portal-messages", "send"): Row("POST", no_kwargs, portal_only(302), data=lambda: {"text": "Soittakaa minulle."}),
    ("portal-assessments", "-"): Row("GET", no_kwargs, portal_only(200)),
    # Still in progress: the portal shows completed assessments only.
    ("portal-assessment", "in-progress"): Row("GET", lambda w: {"pk": w.assessment.pk}, portal_only(404)),
    # One budget: straight on to it.
    ("portal-budgets", "-"): Row("GET", no_kwargs, portal_only(302)),
    ("portal-budget", "own"): Row("GET", lambda w: {"pk": w.budget.pk}, portal_only(200)),
    # The meeting began an hour ago: no calendar invitation for the past.
    ("portal-meeting-ics", "past"): Row("GET", lambda w: {"pk": w.meeting.pk}, portal_only(404)),
    ("portal-meetings", "-"): Row("GET", no_kwargs, portal_only(200)),
    ("client-portal", "own"): Row("GET", own_client, SEES_OWN),
    ("client-portal", "other"): Row("GET", other_client, SEES_OTHER),
    ("client-portal", "switch"): Row(
        "POST", own_client, {**EDITS_OWN, "coordinator": 302}, data=lambda: {"action": "switch", "switch-enabled": ""}
    ),
    ("api-portal-home", "-"): Row("GET", no_kwargs, portal_only(200, anonymous=403, staff=PORTAL_API)),
    ("api-portal-plan", "-"): Row("GET", no_kwargs, portal_only(200, anonymous=403, staff=PORTAL_API)),
    ("api-portal-log", "-"): Row("GET", no_kwargs, portal_only(200, anonymous=403, staff=PORTAL_API)),
    # Pages that accept POST: a refused write changes nothing (``test_access`` compares the
    # database), and the anonymous land on the sign-in page.
    ("client-create", "post"): Row(
        "POST",
        no_kwargs,
        staff_only(403, coordinator=302, colleague=302, other_coordinator=302, substitute=302, past_substitute=302),
        data=_client_payload,
    ),
    ("client-edit", "own-post"): Row("POST", own_client, {**EDITS_OWN, "coordinator": 302}, data=_own_client_form),
    ("client-edit", "other-post"): Row(
        "POST", other_client, {**EDITS_OTHER, "other_coordinator": 400}, data=_own_client_form
    ),
    ("client-named-worker", "own-post"): Row(
        "POST",
        own_client,
        staff_only(404, coordinator=302, lead=302, substitute=403, member=403),
        data=lambda: {"assign-coordinator": World.current.colleague.pk, "assign-started_on": day(0)},
    ),
    ("client-close", "own-post"): Row(
        "POST",
        own_client,
        staff_only(404, coordinator=302, lead=302, substitute=403, member=403),
        data=lambda: {
            "reason": "moved",
            "summary": "Muutti Ouluun.",
            "reached": "Tieto siirtyi.",
            "client_view": "partly",
            "closed_on": day(-25),
            "confirm": "on",
        },
    ),
    ("intake", "post"): Row(
        "POST",
        no_kwargs,
        staff_only(
            400,
            coordinator=302,
            colleague=302,
            lead=302,
            substitute=302,
            past_substitute=302,
            member=403,
            admin=403,
            data_protection=403,
        ),
        data=lambda: {
            **_contact_payload(),
            **_client_payload(),
            "mode": "new",
            "coordinator": World.current.coordinator.pk,
        },
    ),
    ("substitutions", "post"): Row(
        "POST",
        no_kwargs,
        # The page offers the colleague only themselves as the absent: their choice is invalid.
        staff_only(400, coordinator=302, lead=302),
        data=lambda: {
            "absent": World.current.coordinator.pk,
            "substitute": World.current.colleague.pk,
            "starts_on": day(4),
            "ends_on": day(17),
        },
    ),
    ("team-detail", "post"): Row(
        "POST",
        lambda w: {"pk": w.team_a.pk},
        staff_only(403, other_coordinator=404, other_lead=404, data_protection=404, admin=302),
        data=lambda: {"user": World.current.other_coordinator.pk, "kind": "member", "started_on": day(-26)},
    ),
    ("client-network", "post"): Row(
        "POST",
        own_client,
        staff_only(404, coordinator=302, lead=302, substitute=403, member=403),
        data=lambda: {
            "action": "care-team",
            "care-professional": World.current.colleague.pk,
            "care-role": "Sosiaaliohjaaja",
            "care-started_on": day(-26),
        },
    ),
    ("client-meetings", "post"): Row(
        "POST", own_client, staff_only(404, coordinator=400, lead=400, substitute=403, member=403)
    ),
    ("meeting-detail", "post"): Row(
        "POST", lambda w: {"pk": w.meeting.pk}, staff_only(404, coordinator=400, lead=400, substitute=403, member=403)
    ),
    ("budget-calculation", "post"): Row(
        "POST", lambda w: {"pk": w.budget.pk}, {**EDITS_OWN, "coordinator": 400, "member": 403}
    ),
    ("reminder-preferences", "post"): Row("POST", no_kwargs, staff_only(302)),
    # The data-protection role reads any client's access log, the named worker their own
    # client's (and every read is logged); the others who see the client are refused.
    ("access-log", "-"): Row(
        "GET",
        no_kwargs,
        staff_only(404, data_protection=200, coordinator=200, lead=403, substitute=403, member=403),
        query=lambda w: {"client": w.own_client.pk},
    ),
    ("access-log", "no-client"): Row("GET", no_kwargs, staff_only(403, data_protection=200)),
}


def _route_names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in NOT_IN_MATRIX_NAMESPACES:
                continue
            names |= _route_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.add(f"{namespace}{pattern.name}")
        else:
            raise AssertionError(f"Route {pattern.pattern} has no name, so it cannot be in the access matrix.")
    return names


def test_every_route_is_in_the_matrix() -> None:
    routes = _route_names(get_resolver().url_patterns)
    covered = {name for name, _ in MATRIX}
    assert routes - covered == set(), "routes with no row in the access matrix"
    assert covered - routes - {"admin:index"} == set(), "matrix rows for routes that do not exist"


def test_every_api_operation_is_in_the_matrix() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    resolver = get_resolver()
    covered = {(name, row.method) for (name, _), row in MATRIX.items()}
    for path, operations in schema["paths"].items():
        sample = re.sub(r"\{\w+\}", "1", path)
        name = resolver.resolve(sample).url_name
        for method in operations:
            assert (name, method.upper()) in covered, f"{method.upper()} {path} has no row in the access matrix"


# Pages whose method is not the point of the row (the session's own pages).
# Signing out ends the probing user's session; the OIDC routes answer by redirecting to the provider.
NOT_PROBED = {
    "login",
    "logout",
    "set_language",
    "portal-sign-out",
    "oidc_authentication_init",
    "oidc_authentication_callback",
}
PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _is_api(name: str) -> bool:
    return name.startswith("api-") and name not in ("api-schema", "api-docs")


def test_every_method_a_page_accepts_is_in_the_matrix(world: World) -> None:
    """The methods each page accepts, derived from the view itself: a signed-in member of the
    staff passes ``staff_required``, so anything but 405 (which the method decorators answer
    before the view's own checks) means the view takes the method, and it needs its row."""
    urls = {
        name: reverse(name, kwargs=row.kwargs(world))
        for (name, _), row in MATRIX.items()
        if not _is_api(name) and ":" not in name and name not in NOT_PROBED
    }
    covered = {(name, row.method) for (name, _), row in MATRIX.items()}
    browser = APIClient()
    browser.force_login(world.data_protection)  # sees no client: a probe changes nothing
    missing = [
        f"{method} {name}"
        for name, url in urls.items()
        for method in PROBED_METHODS
        if browser.generic(method, url).status_code != 405 and (name, method) not in covered
    ]
    assert missing == [], "methods a page accepts with no row in the access matrix"


# What a refused write must leave as it was: every row of the project's own tables but the
# access log (a refusal may log the read that was refused) and row histories.
PROJECT_APPS = (
    "accounts",
    "teams",
    "access",
    "clients",
    "networks",
    "assessments",
    "care_plans",
    "budgets",
    "reminders",
)


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            if model is AccessEvent or hasattr(model, "pgh_obj") or model._meta.db_table.endswith("event"):
                continue
            names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("last_login",)]
            tables[model._meta.label] = sorted(model._default_manager.values_list(*names), key=repr)
    return tables


def _refused(role: str, status: int) -> bool:
    """A write answered with an error (refused, invalid or in conflict), or the anonymous
    sent to sign in."""
    return status >= 400 or (role == "anonymous" and status == 302)


CASES = [(name, variant, role) for (name, variant) in MATRIX for role in ROLES]


def _send(client: APIClient, row: Row, url: str, is_api: bool) -> Any:
    data = row.data()
    if row.method == "GET":
        return client.get(url)
    if is_api:
        return client.generic(row.method, url, data=json.dumps(data), content_type="application/json")
    return client.generic(row.method, url, data=urlencode(data), content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize(("name", "variant", "role"), CASES, ids=[f"{n}[{v}]-{r}" for n, v, r in CASES])
def test_access(world: World, name: str, variant: str, role: str) -> None:
    row = MATRIX[(name, variant)]
    client = APIClient()
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url = reverse(name, kwargs=row.kwargs(world))
    query = row.query(world)
    if query:
        url += "?" + urlencode(query)
    is_api = _is_api(name)
    expected = row.expected.get(role, 403 if is_api else 404)
    checks_write = row.method != "GET" and _refused(role, expected) and name not in NOT_PROBED
    before = _snapshot() if checks_write else None
    response = _send(client, row, url, is_api)
    assert response.status_code == expected, f"{row.method} {url} as {role}: {response.content[:300]!r}"
    if before is not None:
        assert _snapshot() == before, f"a refused {row.method} {url} as {role} changed the data"
    # The admin site (its own namespace) has its own sign-in page.
    if role == "anonymous" and not is_api and expected == 302 and name not in NOT_PROBED and ":" not in name:
        sign_in = reverse("portal-sign-in") if name.startswith("portal-") else reverse("login")
        assert response["Location"].startswith(sign_in), f"{url} sends the anonymous elsewhere"


# Every route that widens who sees a client, tried by every role on its own team's and the
# other team's people, and naming the caller themselves. Whatever the answer: nobody's access
# grows unless the answer is a success; the caller's own never grows (no self-grant); and each
# client someone newly sees has its GRANT event naming them.
@dataclass(frozen=True)
class GrantRoute:
    name: str
    kwargs: Callable[[World], dict[str, Any]]
    data: Callable[[World, User], dict[str, Any]]


def _team_a(w: World) -> dict[str, Any]:
    return {"pk": w.team_a.pk}


GRANT_ROUTES: dict[tuple[str, str], GrantRoute] = {
    ("api-team-members", "other-teams-coordinator"): GrantRoute(
        "api-team-members", _team_a, lambda w, me: {"user": w.other_coordinator.pk, "started_on": day(0)}
    ),
    ("api-team-members", "self-as-lead"): GrantRoute(
        "api-team-members", _team_a, lambda w, me: {"user": me.pk, "kind": "lead", "started_on": day(0)}
    ),
    ("api-team-members", "other-lead-as-lead"): GrantRoute(
        "api-team-members", _team_a, lambda w, me: {"user": w.other_lead.pk, "kind": "lead", "started_on": day(0)}
    ),
    ("api-team-members", "nurse-as-lead"): GrantRoute(
        "api-team-members", _team_a, lambda w, me: {"user": w.member.pk, "kind": "lead", "started_on": day(0)}
    ),
    ("team-detail", "self-as-member"): GrantRoute(
        "team-detail", _team_a, lambda w, me: {"user": me.pk, "kind": "member", "started_on": day(0)}
    ),
    ("api-substitutions", "self"): GrantRoute(
        "api-substitutions",
        no_kwargs,
        lambda w, me: {"absent": w.coordinator.pk, "substitute": me.pk, "starts_on": day(0), "ends_on": day(5)},
    ),
    ("api-substitutions", "colleague"): GrantRoute(
        "api-substitutions",
        no_kwargs,
        lambda w, me: {
            "absent": w.coordinator.pk,
            "substitute": w.colleague.pk,
            "starts_on": day(0),
            "ends_on": day(5),
        },
    ),
    ("api-client-named-worker", "self"): GrantRoute(
        "api-client-named-worker", own_client, lambda w, me: {"coordinator_id": me.pk}
    ),
    ("api-client-named-worker", "colleague"): GrantRoute(
        "api-client-named-worker", own_client, lambda w, me: {"coordinator_id": w.colleague.pk}
    ),
    ("api-handover", "to-self"): GrantRoute(
        "api-handover", no_kwargs, lambda w, me: {"client_ids": [w.own_client.pk], "to": [me.pk]}
    ),
    ("api-client-consultation", "self"): GrantRoute(
        "api-client-consultation", own_client, lambda w, me: {"professional": me.pk, "reason": "Oma"}
    ),
    ("api-client-consultation", "other-team"): GrantRoute(
        "api-client-consultation", other_client, lambda w, me: {"professional": w.coordinator.pk, "reason": "Arvio"}
    ),
    ("api-client-care-team", "self"): GrantRoute(
        "api-client-care-team",
        own_client,
        lambda w, me: {"professional": me.pk, "role": "Hoitaja", "started_on": day(0)},
    ),
    ("api-client-care-team", "colleague"): GrantRoute(
        "api-client-care-team",
        own_client,
        lambda w, me: {"professional": w.colleague.pk, "role": "Hoitaja", "started_on": day(0)},
    ),
    ("api-intake", "returning-to-self"): GrantRoute(
        "api-intake",
        no_kwargs,
        lambda w, me: {
            "contact": {**_contact_payload(), "contacted_on": day(0)},
            "identity_code": w.closed_client.identity_code,
            "returning_reason": "Palasi",
        },
    ),
}
GRANT_CASES = [(name, variant, role) for (name, variant) in GRANT_ROUTES for role in STAFF]


def _everyone_sees(world: World) -> dict[int, set[int]]:
    people = [getattr(world, role) for role in STAFF]
    return {user.pk: set(visible_clients(user).values_list("pk", flat=True)) for user in people}


@pytest.mark.parametrize(
    ("name", "variant", "role"), GRANT_CASES, ids=[f"grant:{n}[{v}]-{r}" for n, v, r in GRANT_CASES]
)
def test_grant_routes_widen_access_only_when_entitled_and_logged(
    world: World, name: str, variant: str, role: str
) -> None:
    route = GRANT_ROUTES[(name, variant)]
    me: User = getattr(world, role)
    client = APIClient()
    client.force_login(me)
    url = reverse(route.name, kwargs=route.kwargs(world))
    data = route.data(world, me)
    before = _everyone_sees(world)
    last_event = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if _is_api(route.name):
        response = client.post(url, data=json.dumps(data), content_type="application/json")
    else:
        response = client.post(url, data=urlencode(data), content_type="application/x-www-form-urlencoded")
    after = _everyone_sees(world)
    gained = {pk: after[pk] - before[pk] for pk in after if after[pk] - before[pk]}
    assert me.pk not in gained or route.name == "api-intake", f"{role} granted themselves access"
    if route.name == "api-intake" and me.pk in gained:
        # A returning client's new worker: on the restricted ground until the lead confirms.
        assert all(c.access_ground == Ground.RETURNING_CLIENT for c in visible_clients(me).filter(pk__in=gained[me.pk]))
    if response.status_code >= 400:
        assert after == before, f"refused ({response.status_code}) yet access changed"
    grants_written = set(
        AccessEvent.objects.filter(pk__gt=last_event, action=AccessEvent.Action.GRANT).values_list(
            "grantee_id", "client_id"
        )
    )
    for grantee, clients in gained.items():
        for client_pk in clients:
            assert (grantee, client_pk) in grants_written, f"no GRANT event for {grantee} on {client_pk}"
