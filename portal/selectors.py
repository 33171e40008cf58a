"""Reads of the client's portal. Each takes the client already opened (and its read logged) by
``access.portal`` and shows only what the portal names: nothing staff-internal."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from access.models import Section
from access.policy import Ground
from access.services import record_list_access
from accounts.models import User
from assessments import selectors as assessment_selectors
from assessments.models import Assessment
from budgets import selectors as budget_selectors
from budgets.models import Budget
from care_plans import selectors as plan_selectors
from care_plans.models import PlanPdf, PlanReview, PlanVersion
from clients.models import Assignment, Client, ClientMessage
from core.lookups import among
from networks import selectors as network_selectors
from networks.models import Consent, NetworkMeeting, NetworkMember
from teams.models import Substitution

from .models import ClientView, GoalRating, HeardAnswer, MessageToWorker, PortalAccount, Representative, WorkerContact


@dataclass(frozen=True)
class Worker:
    name: str
    title: str
    phone: str
    email: str
    reachable: str


def _worker(user: User | None) -> Worker | None:
    if user is None:
        return None
    contact = getattr(user, "worker_contact", None)
    return Worker(
        name=user.get_full_name(),
        title=(contact.title if contact and contact.title else user.get_profession_display()),
        phone=contact.phone if contact else "",
        email=user.email,
        reachable=contact.reachable if contact else "",
    )


def named_worker(client: Client) -> User | None:
    assignment = (
        Assignment.objects.filter(client=client, ended_on__isnull=True)
        .select_related("coordinator__worker_contact")
        .first()
    )
    return assignment.coordinator if assignment else None


def substitute_today(worker: User | None) -> User | None:
    """Who stands in for the named worker today, if they are away."""
    if worker is None:
        return None
    today = timezone.localdate()
    substitution = (
        Substitution.objects.filter(absent=worker, starts_on__lte=today, ends_on__gte=today)
        .select_related("substitute__worker_contact")
        .order_by("-starts_on", "-pk")
        .first()
    )
    return substitution.substitute if substitution else None


def worker_contacts(client: Client) -> dict[str, Worker | None]:
    """The client's named worker (omatyöntekijä) and how to reach them — title, phone, e-mail,
    when reachable — and who stands in for them today, if anyone: what the portal's home, the
    plan's page and its PDF show (two queries)."""
    worker = named_worker(client)
    return {"worker": _worker(worker), "substitute": _worker(substitute_today(worker))}


def account_of(client: Client) -> PortalAccount:
    """The client's portal account; an unsaved one (off) where none was ever made."""
    return PortalAccount.objects.filter(client=client).first() or PortalAccount(client=client)


def latest_published(client: Client) -> PlanVersion | None:
    return (
        PlanVersion.objects.filter(plan__client=client, status=PlanVersion.Status.PUBLISHED).order_by("-number").first()
    )


def new_messages(client: Client, account: PortalAccount) -> QuerySet[ClientMessage]:
    messages = ClientMessage.objects.filter(client=client)
    if account.messages_seen_at is not None:
        messages = messages.filter(created_at__gt=account.messages_seen_at)
    return messages


def next_meeting(client: Client) -> NetworkMeeting | None:
    return (
        NetworkMeeting.objects.filter(
            client=client, status=NetworkMeeting.Status.PLANNED, starts_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )


def home(client: Client) -> dict[str, Any]:
    """The portal's home: the named worker (and today's substitute), the next meeting, the
    plan's next review date and the number of new messages; a fixed number of queries."""
    account = account_of(client)
    plan = latest_published(client)
    return {
        **worker_contacts(client),
        "next_meeting": next_meeting(client),
        "review_on": plan.review_on if plan else None,
        "new_message_count": new_messages(client, account).count(),
    }


def published_versions(client: Client) -> QuerySet[PlanVersion]:
    return plan_selectors.versions_of(client).filter(status=PlanVersion.Status.PUBLISHED)


def plan_version(client: Client, pk: int | None = None) -> PlanVersion:
    """A published version of the client's plan (the latest without ``pk``) with its content;
    404 for a draft or another client's version."""
    versions = published_versions(client)
    found = versions.filter(pk=pk).first() if pk is not None else versions.first()
    if found is None:
        raise Http404
    return plan_selectors.version_with_content(found.pk)


def plan_changes(version: PlanVersion) -> list[Any]:
    """What changed from the published version before this one."""
    before = (
        PlanVersion.objects.filter(
            plan_id=version.plan_id, status=PlanVersion.Status.PUBLISHED, number__lt=version.number
        )
        .order_by("-number")
        .first()
    )
    if before is None:
        return []
    return plan_selectors.compare(plan_selectors.version_with_content(before.pk), version)


def plan_pdf(client: Client, pk: int) -> PlanPdf:
    pdf = PlanPdf.objects.filter(
        version__plan__client=client,
        version__status=PlanVersion.Status.PUBLISHED,
        version_id=pk,
        status=PlanPdf.Status.READY,
    ).first()
    if pdf is None or pdf.content is None:
        raise Http404
    return pdf


def views_of(client: Client) -> QuerySet[ClientView]:
    """The client's views, newest first, with their goal ratings (two queries)."""
    ratings = GoalRating.objects.select_related("goal")
    return ClientView.objects.filter(client=client).prefetch_related(Prefetch("ratings", queryset=ratings))


def latest_view(client: Client) -> ClientView | None:
    return views_of(client).first()


def reviews_to_answer(client: Client) -> QuerySet[PlanReview]:
    """Reviews of the client's plan the client has not yet said how they were heard in."""
    return PlanReview.objects.filter(version__plan__client=client, heard_answers__isnull=True).order_by("-held_on")


def review_of(client: Client, pk: int) -> PlanReview:
    review = reviews_to_answer(client).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


def heard_answers(
    *, clients: QuerySet[Any, Any] | list[int] | None = None, since: date | None = None
) -> QuerySet[HeardAnswer]:
    """The clients' answers to "how was I heard" after plan reviews, for the team lead's review
    (scope ``clients`` with ``access.policy.visible_clients``), newest first, with who reviewed."""
    answers = HeardAnswer.objects.select_related("review__reviewed_by", "client")
    if clients is not None:
        answers = answers.filter(among("client", clients if isinstance(clients, list) else clients.values("pk")))
    if since is not None:
        answers = answers.filter(created_at__date__gte=since)
    return answers


def messages_of(client: Client) -> QuerySet[ClientMessage]:
    return ClientMessage.objects.filter(client=client).order_by("-created_at", "-pk")


def sent_messages(client: Client) -> QuerySet[MessageToWorker]:
    return MessageToWorker.objects.filter(client=client).select_related("worker")


def network(client: Client) -> QuerySet[NetworkMember]:
    return network_selectors.network_of(client)


def consents_in_force(client: Client) -> list[Consent]:
    """The client's consents in force today, each with ``section_labels`` in words."""
    today = timezone.localdate()
    consents = list(
        Consent.objects.filter(client=client, withdrawn_on__isnull=True, given_on__lte=today, valid_until__gte=today)
        .select_related("network_member")
        .order_by("-given_on", "-pk")
    )
    labels = dict(Section.choices)
    for consent in consents:
        consent.section_labels = [str(labels.get(section, section)) for section in consent.sections]  # type: ignore[attr-defined]
    return consents


def consent_of(client: Client, pk: int) -> Consent:
    """One of the client's own consents; 404 for anyone else's."""
    consent = Consent.objects.filter(client=client, pk=pk).select_related("client").first()
    if consent is None:
        raise Http404
    return consent


def network_member_of(client: Client, pk: int) -> NetworkMember:
    member = network_selectors.network_of(client).filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


def completed_assessments(client: Client) -> QuerySet[Assessment]:
    return assessment_selectors.assessments_of(client).filter(status=Assessment.Status.COMPLETED)


def assessment_of(client: Client, pk: int) -> tuple[Assessment, Any]:
    """A completed assessment of the client with its week grid; 404 otherwise."""
    if not completed_assessments(client).filter(pk=pk).exists():
        raise Http404
    assessment = assessment_selectors.assessment_with_needs(pk)
    return assessment, assessment_selectors.week_grid(assessment)


def budgets(client: Client) -> QuerySet[Budget]:
    return budget_selectors.budgets_of(client).filter(status=Budget.Status.ACCEPTED)


def budget_of(client: Client, pk: int) -> dict[str, Any]:
    """A budget of the client with its ledger, chart, reallocations and providers; 404 otherwise."""
    if not budgets(client).filter(pk=pk).exists():
        raise Http404
    budget = budget_selectors.budget_with_lines(pk)
    today = timezone.localdate()
    return {
        "budget": budget,
        "ledger": budget_selectors.ledger(budget, today),
        "chart": budget_selectors.chart(budget, today),
        "reallocations": budget_selectors.reallocations_of(budget),
        "providers": budget_selectors.providers(),
    }


def meetings(client: Client) -> tuple[list[NetworkMeeting], list[NetworkMeeting]]:
    """Upcoming and past meetings (cancelled ones left out), with their decisions."""
    now = timezone.now()
    rows = list(
        network_selectors.meetings_of(client).exclude(status=NetworkMeeting.Status.CANCELLED).order_by("starts_at")
    )
    upcoming = [meeting for meeting in rows if meeting.starts_at >= now]
    past = [meeting for meeting in reversed(rows) if meeting.starts_at < now]
    return upcoming, past


def upcoming_meeting_of(client: Client, pk: int) -> NetworkMeeting:
    meeting = (
        NetworkMeeting.objects.filter(
            client=client, pk=pk, status=NetworkMeeting.Status.PLANNED, starts_at__gte=timezone.now()
        )
        .select_related("client")
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def representatives_of(client: Client) -> QuerySet[Representative]:
    return Representative.objects.filter(client=client).order_by(
        F("ends_on").desc(nulls_first=True), "-starts_on", "-pk"
    )


def representative_of(client: Client, pk: int) -> Representative:
    representative = representatives_of(client).filter(pk=pk).first()
    if representative is None:
        raise Http404
    return representative


def worker_contact(user: User) -> WorkerContact | None:
    return WorkerContact.objects.filter(user=user).first()


def staff_side(client: Client) -> dict[str, Any]:
    """What the coordinator sees of the client's portal use on the client's portal page."""
    account = account_of(client)
    latest = latest_published(client)
    return {
        "account": account,
        "has_read_latest": latest is not None and account.last_read_version_id == latest.pk,
        "latest": latest,
        "representatives": representatives_of(client),
        "views": views_of(client)[:10],
        "messages": sent_messages(client)[:20],
    }


def plan_has_pdf(version: PlanVersion) -> bool:
    return PlanPdf.objects.filter(version=version, status=PlanPdf.Status.READY).exists()


@dataclass(frozen=True)
class DemoPerson:
    user: User
    label: str


def demo_people(limit: int = 8) -> list[DemoPerson]:
    """A few portal users for the demo's stand-in sign-in: clients with the portal on, and
    representatives (named by the people they act for, never by an identity code)."""
    accounts = PortalAccount.objects.filter(enabled=True, user__isnull=False).select_related("user", "client")
    people = [DemoPerson(account.user, account.client.full_name) for account in accounts.order_by("pk")[:limit]]  # type: ignore[arg-type]
    today = timezone.localdate()
    representatives = (
        Representative.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), user__isnull=False)
        .select_related("user", "client")
        .order_by("pk")[:limit]
    )
    seen = {person.user.pk for person in people}
    for representative in representatives:
        if representative.user_id not in seen:
            seen.add(representative.user_id)  # type: ignore[arg-type]
            label = f"{representative.name} ({representative.get_basis_display()}: {representative.client.full_name})"
            people.append(DemoPerson(representative.user, label))  # type: ignore[arg-type]
    return people


@dataclass(frozen=True)
class FromClient:
    """A client with new things sent in the portal for their named worker to read."""

    client: Client
    messages: int
    views: int


def unread_from_clients(worker: User) -> list[FromClient]:
    """The worker's current clients who have sent messages or views in the portal that the
    worker has not read yet; the worker's inbox lists them, and the list is logged."""
    current = Assignment.objects.filter(coordinator=worker, ended_on__isnull=True).values("client")
    messages = MessageToWorker.objects.filter(client__in=current, read_at__isnull=True).values_list(
        "client_id", flat=True
    )
    views = ClientView.objects.filter(client__in=current, read_at__isnull=True).values_list("client_id", flat=True)
    counts: dict[int, list[int]] = {}
    for client_id in messages:
        counts.setdefault(client_id, [0, 0])[0] += 1
    for client_id in views:
        counts.setdefault(client_id, [0, 0])[1] += 1
    clients = Client.objects.in_bulk(list(counts))
    rows = [
        FromClient(client=clients[pk], messages=m, views=v)
        for pk, (m, v) in sorted(counts.items(), key=lambda item: clients[item[0]].last_name)
    ]
    record_list_access(
        actor=worker,
        clients=[row.client for row in rows],
        what="reminders.portal",
        ground=Ground.DESIGNATED_COORDINATOR,
    )
    return rows
