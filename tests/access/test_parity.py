"""A use case offered as a page and as an API endpoint is one service that both call, so the
two answer alike: the same bad input is refused with the same status and message both ways,
nothing is saved either way, and the read of the client that the request needed is logged
alike. A list offered both ways logs the clients it shows alike."""

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import AccessEvent
from access.policy import Ground
from accounts.models import User
from assessments import services as assessment_services
from care_plans import services as plan_services
from clients import services as client_services
from clients.identity_code import make_identity_code
from clients.services import EDITABLE_FIELDS
from networks import services as network_services
from tests.conftest import World

HELSINKI = ZoneInfo("Europe/Helsinki")
COORDINATOR = Ground.DESIGNATED_COORDINATOR
OWN = ("own_client", COORDINATOR)
PROJECT_APPS = frozenset(
    {"accounts", "teams", "access", "clients", "networks", "assessments", "care_plans", "budgets", "reminders"}
)

Form = dict[str, Any]
PageRequest = Callable[[World, Form], tuple[str, Form]]
ApiRequest = Callable[[World, Form], tuple[str, str, Form]]


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


# What the test compares


def database() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the project's apps but the access log, which the read of
    the client rightly grows: a half-saved write anywhere shows as a difference."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model is not AccessEvent
    }


def last_event() -> int:
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_since(pk: int) -> list[tuple[int, int, str, str]]:
    """The access events written since ``pk``: who, which client, what was done, on what
    ground. ``what`` names the channel ("api." or not) and is left out; so are the LIST rows
    of a list that a page shows again around its form (the caseload does)."""
    return list(
        AccessEvent.objects.filter(pk__gt=pk)
        .exclude(action=AccessEvent.Action.LIST)
        .order_by("pk")
        .values_list("actor", "client", "action", "ground")
    )


def signed_in(user: User) -> tuple[Browser, APIClient]:
    """A browser for the pages and a client for the API, in English (the user's own language)."""
    user.language = "en"
    user.save(update_fields=["language"])
    browser, api = Browser(), APIClient()
    browser.force_login(user)
    api.force_login(user)
    return browser, api


# How one bad input is sent to a page and to the API


def _path(world: World, parts: tuple[str, ...]) -> list[object]:
    """A route's arguments: the primary key of a World attribute of that name, else the part."""
    return [getattr(world, part).pk if hasattr(world, part) else part for part in parts]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def on_page(route: str, *path: str, prefix: str = "", **extra: Any) -> PageRequest:
    """POSTs the input as the page's form does: its fields under the form's ``prefix``, with
    the ``extra`` fields that say which form it is or what the API has in its URL (a callable
    value is called with the world)."""

    def request(world: World, bad: Form) -> tuple[str, Form]:
        fields = {f"{prefix}-{name}" if prefix else name: value for name, value in bad.items()}
        plumbing = {name: value(world) if callable(value) else value for name, value in extra.items()}
        return reverse(route, args=_path(world, path)), {**fields, **plumbing}

    return request


def on_api(method: str, route: str, *path: str, rename: dict[str, str] | None = None, **extra: Any) -> ApiRequest:
    """Sends the input as JSON, its fields named as the endpoint names them."""

    def request(world: World, bad: Form) -> tuple[str, str, Form]:
        body = {(rename or {}).get(name, name): _plain(value) for name, value in bad.items()}
        return method, reverse(route, args=_path(world, path)), {**body, **extra}

    return request


@dataclass(frozen=True)
class UseCase:
    """One use case, refused: who sends which bad input, how the page and the API take it,
    the status and the message (English) both answer with, and whose read (a World client and
    the ground) each logs. ``arrange`` prepares the world first."""

    by: str
    bad: Callable[[World], Form]
    page: PageRequest
    api: ApiRequest
    says: str
    reads: tuple[str, str] | None = OWN
    status: int = 400
    arrange: Callable[[World], None] = field(default=lambda world: None)


# Inputs and arrangements


def contact() -> Form:
    return {"contacted_on": days(1), "channel": "phone", "source": "client", "reason": "Kaatuilu"}


def new_person() -> Form:
    born = today().replace(year=today().year - 80, day=1)
    return {
        "first_name": "Helmi",
        "last_name": "Salo",
        "date_of_birth": born,
        "identity_code": make_identity_code(born, 921),
        "municipality": "Oulu",
        "preferred_language": "fi",
    }


def intake_page(world: World, bad: Form) -> tuple[str, Form]:
    """The intake page has the contact, the client and the named worker on one form."""
    fields = {**bad["contact"], **bad["client"], "coordinator": bad["coordinator"], "mode": "new"}
    return reverse("intake"), fields


def intake_api(world: World, bad: Form) -> tuple[str, str, Form]:
    body = {
        "contact": {name: _plain(value) for name, value in bad["contact"].items()},
        "client": {name: _plain(value) for name, value in bad["client"].items()},
        "coordinator_id": bad["coordinator"],
    }
    return "post", reverse("api-intake"), body


def mismatched_birth(world: World) -> Form:
    """An identity code and a date of birth each valid alone that do not match: only the
    service sees it."""
    born = world.own_client.date_of_birth
    return {"identity_code": make_identity_code(born, 933), "date_of_birth": born - datetime.timedelta(days=1)}


def client_edit_page(world: World, bad: Form) -> tuple[str, Form]:
    """The page sends the whole client form: the record as it stands, with the bad input."""
    client = world.own_client
    data = {name: getattr(client, name) for name in EDITABLE_FIELDS} | bad
    fields = {name: "on" if value is True else value for name, value in data.items() if value not in (False, None)}
    return reverse("client-edit", args=[client.pk]), fields


def before_the_current_worker(world: World) -> Form:
    started = world.own_client.assignments.get(ended_on__isnull=True).started_on
    return {"coordinator": world.colleague.pk, "started_on": started - datetime.timedelta(days=1)}


def meeting_api(world: World, bad: Form) -> tuple[str, str, Form]:
    """The page takes a day and Helsinki wall-clock times; the API takes the moments."""

    def moment(at: str) -> str:
        return datetime.datetime.combine(bad["on"], datetime.time.fromisoformat(at), tzinfo=HELSINKI).isoformat()

    body = {"starts_at": moment(bad["starts"]), "ends_at": moment(bad["ends"]), "place": bad["place"]}
    return "post", reverse("api-client-meetings", args=[world.own_client.pk]), body


def the_budget_line(world: World) -> int:
    """The page records spending on the budget naming the line; the API on the line itself."""
    return world.budget_line.pk


def complete_the_assessment(world: World) -> None:
    assessment = assessment_services.update_assessment(
        assessment=world.assessment,
        by=world.coordinator,
        ground=COORDINATOR,
        fields={"situation_summary": "Asuu yksin.", "professional_conclusion": "Kotiapu.", "client_view": "Kotona."},
    )
    assessment_services.complete_assessment(assessment=assessment, by=world.coordinator, ground=COORDINATOR)


def a_meeting_tomorrow(world: World) -> None:
    start = timezone.now() + datetime.timedelta(days=1)
    world.meeting_tomorrow = network_services.plan_meeting(  # type: ignore[attr-defined]
        client=world.own_client,
        by=world.coordinator,
        ground=COORDINATOR,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        place="Koti",
    )


def withdraw_the_consent(world: World) -> None:
    network_services.withdraw_consent(consent=world.relative_consent, by=world.coordinator, ground=COORDINATOR)


def handover_before_the_current_worker(world: World) -> Form:
    started = world.own_client.assignments.get(ended_on__isnull=True).started_on
    return {
        "clients": [world.own_client.pk],
        "to": [world.colleague.pk],
        "note": "Siirto",
        "on": started - datetime.timedelta(days=1),
    }


def the_coordinator(world: World) -> int:
    """The page hands over from a caseload, named by its owner."""
    return int(world.coordinator.pk)


def rai_scores_api(world: World, bad: Form) -> tuple[str, str, Form]:
    """The page has a field for each RAI scale; the API takes the scores by scale."""
    scores = {name.removeprefix("rai_"): value for name, value in bad.items()}
    return "patch", reverse("api-assessment-detail", args=[world.assessment.pk]), {"rai_scores": scores}


def review_of_every_goal(world: World) -> Form:
    outcomes = [
        {"goal": str(goal.key), "client_rating": 4, "professional_rating": 3} for goal in world.plan_draft.goals.all()
    ]
    return {"held_on": today(), "notes": "Arvio", "outcomes": outcomes}


def review_page(world: World, bad: Form) -> tuple[str, Form]:
    """The page has two rating fields for each goal."""
    ratings = {
        f"{who}-{outcome['goal']}": outcome[f"{who}_rating"]
        for outcome in bad["outcomes"]
        for who in ("client", "professional")
    }
    return reverse("plan-version-review", args=[world.plan_draft.pk]), {
        "held_on": bad["held_on"],
        "notes": bad["notes"],
        **ratings,
    }


USE_CASES = [
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"contact": contact(), "client": new_person(), "coordinator": w.coordinator.pk},
            page=intake_page,
            api=intake_api,
            says="The contact date cannot be in the future.",
            reads=None,
        ),
        id="intake of a new client with a contact dated tomorrow",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=mismatched_birth,
            page=client_edit_page,
            api=on_api("patch", "api-client-detail", "own_client"),
            says="The date of birth does not match the personal identity code.",
        ),
        id="client edit with a date of birth not in the identity code",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: contact(),
            page=on_page("client-contact-create", "own_client", prefix="contact"),
            api=on_api("post", "api-client-contacts", "own_client"),
            says="The contact date cannot be in the future.",
        ),
        id="contact dated tomorrow",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"counterpart": "Kela", "reason": "Hoitotuki", "sent_on": today(), "follow_up_on": days(-1)},
            page=on_page("client-referral-create", "own_client", prefix="outgoing", direction="outgoing"),
            api=on_api("post", "api-client-referrals", "own_client", direction="outgoing"),
            says="The follow-up date cannot be before the referral was sent.",
        ),
        id="referral followed up before it was sent",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=before_the_current_worker,
            page=on_page("client-named-worker", "own_client", prefix="assign", action="assign"),
            api=on_api("post", "api-client-named-worker", "own_client", rename={"coordinator": "coordinator_id"}),
            says="The new assignment cannot start before the current one.",
        ),
        id="named worker starting before the current one",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {
                "closed_on": days(1),
                "reason": "moved",
                "summary": "Muutti Ouluun.",
                "reached": "x",
                "client_view": "partly",
            },
            page=on_page("client-close", "own_client", confirm="on"),
            api=on_api("post", "api-client-closure", "own_client"),
            says="The closing date cannot be in the future.",
        ),
        id="closure dated tomorrow",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {},
            page=on_page("client-reopen", "own_client"),
            api=on_api("post", "api-client-reopen", "own_client"),
            says="The client relationship is open.",
            status=409,
        ),
        id="reopening an open client",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"professional": w.member.pk, "role": "Sairaanhoitaja", "started_on": today()},
            page=on_page("client-network", "own_client", prefix="care", action="care-team"),
            api=on_api("post", "api-client-care-team", "own_client"),
            says="Already in the client's care team.",
        ),
        id="care team member already on it",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"name": "Pentti Naapuri", "relationship": "neighbour", "email": "pentti"},
            page=on_page("client-network", "own_client", prefix="member", action="member"),
            api=on_api("post", "api-client-network", "own_client"),
            says="Enter a valid email address.",
        ),
        id="network member with a bad email address",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {
                "network_member": w.relative.pk,
                "sections": ["basic"],
                "purpose": "Verkostopalaverit",
                "given_on": today(),
                "valid_until": days(-1),
            },
            page=on_page("client-network", "own_client", prefix="consent", action="consent"),
            api=on_api("post", "api-client-consents", "own_client"),
            says="The consent cannot end before it is given.",
        ),
        id="consent ending before it is given",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"on": days(1), "starts": "10:00", "ends": "09:00", "place": "Koti"},
            page=on_page("client-meetings", "own_client"),
            api=meeting_api,
            says="The meeting must end after it starts.",
        ),
        id="meeting ending before it starts",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"level": 1},
            page=on_page("assessment-need", "assessment", "daily_living", prefix="need-daily_living"),
            api=on_api("put", "api-assessment-need", "assessment", "daily_living"),
            says="A completed assessment cannot be changed; start a new one.",
            status=409,
            arrange=complete_the_assessment,
        ),
        id="life domain need in a completed assessment",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"revision": w.plan_draft.revision + 1, "client_wishes": "Kotona"},
            page=on_page("plan-version", "plan_draft", prefix="draft", action="save"),
            api=on_api("put", "api-plan-version", "plan_draft"),
            says="Someone else saved this draft after you opened it.",
            status=409,
        ),
        id="care plan draft saved from a revision it is not at",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"period_start": today()},
            page=on_page("client-budgets", "own_client"),
            api=on_api("post", "api-client-budgets", "own_client"),
            says="The client already has a budget for part of this period.",
        ),
        id="budget offer overlapping the accepted budget",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {
                "amount": "5000.00",
                "delivered_on": today(),
                "provider": w.budget_provider.pk,
                "kind": "invoice",
            },
            page=on_page("budget-spending", "budget", prefix="spending", **{"spending-line": the_budget_line}),
            api=on_api("post", "api-budget-line-spending", "budget_line"),
            says="is left on this line.",
        ),
        id="spending more than is left on the line",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {
                "from_line": w.budget_line.pk,
                "to_line": w.budget_line.pk,
                "amount": "10.00",
                "reason": "Siirto",
            },
            page=on_page("budget-reallocation", "budget", prefix="move"),
            api=on_api("post", "api-budget-reallocations", "budget"),
            says="Choose two different lines.",
        ),
        id="reallocation from a line to itself",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {
                "absent": w.coordinator.pk,
                "substitute": w.colleague.pk,
                "starts_on": days(7),
                "ends_on": days(6),
            },
            page=on_page("substitutions"),
            api=on_api("post", "api-substitutions"),
            says="The substitution cannot end before it starts.",
            reads=None,
        ),
        id="substitution ending before it starts",
    ),
    pytest.param(
        UseCase(
            by="lead",
            bad=lambda w: {"user": w.coordinator.pk, "kind": "member", "started_on": today()},
            page=on_page("team-detail", "team_a"),
            api=on_api("post", "api-team-members", "team_a"),
            says="Already a current member of this team.",
            reads=None,
        ),
        id="team membership of someone already a member",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {**new_person(), "date_of_birth": new_person()["date_of_birth"] - datetime.timedelta(days=1)},
            page=on_page("client-create"),
            api=on_api("post", "api-client-create"),
            says="The date of birth does not match the personal identity code.",
            reads=None,
        ),
        id="new client with a date of birth not in the identity code",
    ),
    pytest.param(
        UseCase(
            by="lead",
            bad=handover_before_the_current_worker,
            page=on_page("caseload-handover", owner=the_coordinator),
            api=on_api("post", "api-handover", rename={"clients": "client_ids"}),
            says="the current assignment starts later.",
            reads=None,
        ),
        id="handover dated before the current named worker started",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"status": "sent"},
            page=on_page("referral-advance", "own_referral"),
            api=on_api("patch", "api-referral-detail", "own_referral"),
            says="A referral only moves forward.",
        ),
        id="referral moved back",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {},
            page=on_page("client-network-consent-withdraw", "relative_consent"),
            api=on_api("post", "api-consent-withdraw", "relative_consent"),
            says="The consent was already withdrawn.",
            status=409,
            arrange=withdraw_the_consent,
        ),
        id="consent withdrawn twice",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"notes": "Muistiinpanot"},
            page=on_page(
                "meeting-detail", "meeting_tomorrow", **{"decisions-TOTAL_FORMS": "0", "decisions-INITIAL_FORMS": "0"}
            ),
            api=on_api("patch", "api-meeting-detail", "meeting_tomorrow"),
            says="A meeting can be recorded once it has started.",
            arrange=a_meeting_tomorrow,
        ),
        id="meeting recorded before it starts",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"started_on": days(1)},
            page=on_page("client-assessments", "own_client"),
            api=on_api("post", "api-client-assessments", "own_client"),
            says="An assessment cannot start in the future.",
        ),
        id="assessment starting tomorrow",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {},
            page=on_page("assessment-detail", "assessment", action="complete"),
            api=on_api("post", "api-assessment-complete", "assessment"),
            says="Summarise the situation.",
        ),
        id="assessment completed without its statutory fields",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {},
            page=on_page("client-care-plan", "own_client"),
            api=on_api("post", "api-client-care-plan", "own_client"),
            says="The plan already has a draft: edit that one.",
            status=409,
        ),
        id="care plan started beside its draft",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"decided_on": today()},
            page=on_page("budget-decision", "budget", decision="accept"),
            api=on_api("post", "api-budget-decision", "budget", accepted=True),
            says="The client has already answered this offer.",
            status=409,
        ),
        id="budget offer answered twice",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"rai_maple": 3},
            page=on_page("assessment-detail", "assessment", action="save"),
            api=rai_scores_api,
            says="Name the RAI instrument the scores come from.",
        ),
        id="assessment with RAI scores and no instrument",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"revision": w.plan_draft.revision + 1},
            page=on_page("plan-version", "plan_draft", action="publish"),
            api=on_api("post", "api-plan-version-publish", "plan_draft"),
            says="Someone else saved this draft after you opened it.",
            status=409,
        ),
        id="care plan published from a revision it is not at",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=review_of_every_goal,
            page=review_page,
            api=on_api("post", "api-plan-version-reviews", "plan_draft"),
            says="Only a published version is reviewed.",
            status=409,
        ),
        id="care plan draft reviewed",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"network_member": w.relative.pk, "words": "Äiti ei jaksa käydä kaupassa."},
            page=on_page("assessment-detail", "assessment", prefix="network", action="network_view"),
            api=on_api("post", "api-assessment-network-views", "assessment"),
            says="The client has no consent in force to share the needs assessment with Liisa Virtanen",
        ),
        id="a relative's view of the assessment without the client's consent",
    ),
    pytest.param(
        UseCase(
            by="coordinator",
            bad=lambda w: {"network_member": w.relative.pk, "words": "Hyvin menee."},
            page=on_page("plan-review-detail", "review", prefix="network"),
            api=on_api("post", "api-plan-review-network-views", "review"),
            says="The client has no consent in force to share the care plan with Liisa Virtanen",
            arrange=lambda w: setattr(w, "review", a_review(w)),
        ),
        id="a relative's view of a review without the client's consent",
    ),
]


def a_review(world: World) -> Any:
    world.plan_published.refresh_from_db()
    outcomes = [
        {"goal": goal.key, "client_rating": 4, "professional_rating": 3} for goal in world.plan_published.goals.all()
    ]
    return plan_services.record_review(
        version=world.plan_published, by=world.coordinator, ground=COORDINATOR, held_on=today(), outcomes=outcomes
    )


@pytest.mark.parametrize("case", USE_CASES)
def test_the_same_bad_input_is_refused_alike_both_ways_and_saves_nothing(world: World, case: UseCase) -> None:
    case.arrange(world)
    user = getattr(world, case.by)
    browser, api = signed_in(user)
    bad = case.bad(world)
    read = [] if case.reads is None else [(user.pk, getattr(world, case.reads[0]).pk, "view", case.reads[1])]
    before = database()

    page_url, form = case.page(world, bad)
    mark = last_event()
    response = browser.post(page_url, form)
    assert response.status_code == case.status
    assert case.says in html.unescape(response.content.decode())
    assert events_since(mark) == read
    assert database() == before

    method, api_url, body = case.api(world, bad)
    mark = last_event()
    response = getattr(api, method)(api_url, body, format="json")
    assert response.status_code == case.status
    assert case.says in response.content.decode(), response.json()
    assert events_since(mark) == read
    assert database() == before
    logged = AccessEvent.objects.filter(pk__gt=mark).values_list("what", flat=True)
    assert all(what.startswith("api.") for what in logged), list(logged)


# Lists offered as a page and through the API


def put_own_client_on_every_list(world: World) -> None:
    """An open decision of the coordinator's at own_client's meeting, an assessment to start
    for own_client (a contact today), and own_client's referral past its follow-up date."""
    network_services.record_meeting(
        meeting=world.meeting,
        by=world.coordinator,
        ground=COORDINATOR,
        notes="",
        decisions=[{"text": "Hakemus Kelaan", "responsible": f"professional:{world.coordinator.pk}"}],
    )
    client_services.record_contact(
        client=world.own_client,
        by=world.coordinator,
        ground=COORDINATOR,
        contacted_on=today(),
        channel="phone",
        source="client",
        reason="Uusi tarve",
    )
    referral = world.own_referral
    referral.follow_up_on = days(-1)
    referral.save(update_fields=["follow_up_on"])


@pytest.mark.parametrize(
    ("page", "endpoint", "what"),
    [
        pytest.param("my-decisions", "api-my-decisions", "decisions.mine", id="my decisions"),
        pytest.param("referrals-overdue", "api-referrals-overdue", "referrals.overdue", id="overdue referrals"),
        pytest.param("caseload", "api-assessments-due", "assessments.due", id="due assessments on the caseload"),
    ],
)
def test_an_api_list_logs_the_clients_it_shows_as_its_page_does(
    world: World, api: APIClient, page: str, endpoint: str, what: str
) -> None:
    put_own_client_on_every_list(world)
    api.force_login(world.coordinator)
    listed = [(world.coordinator.pk, world.own_client.pk, "list", COORDINATOR)]
    for route in (page, endpoint):
        mark = last_event()
        assert api.get(reverse(route)).status_code == 200
        logged = AccessEvent.objects.filter(pk__gt=mark, what=what)
        assert list(logged.values_list("actor", "client", "action", "ground")) == listed, route
