"""Every write of the portal: the coordinator's side (turning the portal on, representatives)
and the client's (their view and goal ratings, how they were heard, a message to the worker,
giving and withdrawing a consent, signing in). Keyword-only, one transaction each, audited."""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access import portal as portal_access
from access.models import AccessEvent
from access.services import record_access, record_grant, record_revoke
from accounts.models import Role, User
from care_plans.models import PlanReview, PlanVersion
from clients.models import Client
from clients.services import ensure_open
from networks import services as network_services
from networks.models import Consent, NetworkMember

from . import selectors
from .models import ClientView, GoalRating, HeardAnswer, MessageToWorker, PortalAccount, Representative


@transaction.atomic
def set_portal_enabled(*, client: Client, enabled: bool, by: User, ground: str) -> PortalAccount:
    """The coordinator turns the client's portal on or off; off, no one can open it."""
    if enabled:
        ensure_open(client)
    account = PortalAccount.objects.select_for_update().get_or_create(client=client)[0]
    account.enabled = enabled
    account.changed_by = by
    account.save()
    record_access(actor=by, client=client, action=AccessEvent.Action.CHANGE, what="portal.account", ground=ground)
    return account


@transaction.atomic
def add_representative(
    *,
    client: Client,
    name: str,
    identity_code: str,
    basis: str,
    starts_on: date,
    ends_on: date | None,
    by: User,
    ground: str,
) -> Representative:
    """Records a representative of the client. This widens who sees the client, so it is
    audited as a change by the coordinator (never by the one who gains it)."""
    ensure_open(client)
    if client.identity_code and identity_code.strip().upper() == client.identity_code:
        raise ValidationError({"identity_code": _("The client does not represent themselves.")})
    representative = Representative(
        client=client,
        name=name.strip(),
        identity_code=identity_code.strip().upper(),
        basis=basis,
        starts_on=starts_on,
        ends_on=ends_on,
        recorded_by=by,
    )
    representative.user = User.objects.filter(representations__identity_code=representative.identity_code).first()
    representative.full_clean()
    representative.save()
    record_grant(
        by=by,
        grants=[(representative.user, client)],
        what="portal.representative",
        ground=ground,
        reason=representative.get_basis_display(),
        until=ends_on,
    )
    return representative


@transaction.atomic
def end_representative(*, representative: Representative, ends_on: date, by: User, ground: str) -> Representative:
    if ends_on < representative.starts_on:
        raise ValidationError({"ends_on": _("The representation cannot end before it starts.")})
    representative.ends_on = ends_on
    representative.full_clean()
    representative.save(update_fields=["ends_on"])
    record_revoke(
        by=by,
        grants=[(representative.user, representative.client)],
        what="portal.representative",
        ground=ground,
        reason=_("The representation ends on %(date)s.") % {"date": date_format(ends_on)},
    )
    return representative


def _new_portal_user(name: str) -> User:
    first, _sep, last = name.partition(" ")
    user = User(username=f"portal-{timezone.now():%Y%m%d%H%M%S%f}", role=Role.CLIENT, first_name=first, last_name=last)
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def portal_user_for_identity(*, identity_code: str) -> User | None:
    """The portal user a strong sign-in with ``identity_code`` is: the client whose code it is
    (exactly one, with the portal turned on), else the representative recorded with that code.
    The user is made at the first sign-in. None when the code opens no portal."""
    code = identity_code.strip().upper()
    if not code:
        return None
    clients = list(Client.objects.filter(identity_code=code)[:2])
    if len(clients) == 1:
        account = PortalAccount.objects.select_for_update().filter(client=clients[0], enabled=True).first()
        if account is not None:
            if account.user is None:
                account.user = _new_portal_user(clients[0].full_name)
                account.save(update_fields=["user"])
            return account.user
    representations = Representative.objects.select_for_update().filter(identity_code=code)
    first = representations.first()
    if first is None:
        return None
    user = first.user or next((r.user for r in representations if r.user is not None), None)
    if user is None:
        user = _new_portal_user(first.name)
    representations.filter(user__isnull=True).update(user=user)
    return user


def record_sign_in(*, user: User) -> None:
    """Stamps the sign-in time on the client's own account (a representative's sign-in is in
    the access log of each portal they open)."""
    PortalAccount.objects.filter(user=user).update(last_sign_in_at=timezone.now())


def record_plan_read(*, client: Client, version: PlanVersion) -> None:
    """The client has read this version: the coordinator sees whether the latest was read."""
    if client.access_ground == portal_access.OWN_PORTAL:
        PortalAccount.objects.filter(client=client).update(last_read_version=version)


def mark_messages_seen(*, client: Client) -> None:
    if client.access_ground == portal_access.OWN_PORTAL:
        PortalAccount.objects.filter(client=client).update(messages_seen_at=timezone.now())


@transaction.atomic
def write_view(*, client: Client, by: User, text: str, ratings: Mapping[int, int]) -> ClientView:
    """The client's own view before a review, with a 1–5 rating per goal of the latest
    published version (``ratings`` maps goal ids to ratings). The published version is not
    touched; the view reaches the coordinator and is shown beside the next draft."""
    ensure_open(client)
    version = selectors.latest_published(client)
    goals = {goal.pk: goal for goal in version.goals.all()} if version else {}
    errors: dict[str, str] = {}
    if set(ratings) - set(goals):
        errors["ratings"] = _("Rate only the goals of your plan.")
    if any(not 1 <= rating <= 5 for rating in ratings.values()):
        errors["ratings"] = _("A rating is a whole number from 1 to 5.")
    if errors:
        raise ValidationError(errors)
    view = ClientView(
        client=client,
        version=version,
        text=text.strip(),
        written_by=by,
        by_representative=portal_access.is_representative(client),
    )
    view.full_clean()
    view.save()
    GoalRating.objects.bulk_create(
        GoalRating(view=view, goal=goals[goal_pk], rating=rating) for goal_pk, rating in sorted(ratings.items())
    )
    portal_access.record_portal_change(user=by, client=client, what="portal.view")
    return view


@transaction.atomic
def answer_heard(*, client: Client, review: PlanReview, by: User, rating: int, text: str) -> HeardAnswer:
    """How well the client felt heard in a review of their plan: one answer per review."""
    if HeardAnswer.objects.filter(review=review).exists():
        raise ValidationError({"rating": _("This review has already been answered.")})
    answer = HeardAnswer(client=client, review=review, rating=rating, text=text.strip(), written_by=by)
    answer.full_clean()
    answer.save()
    portal_access.record_portal_change(user=by, client=client, what="portal.heard")
    return answer


@transaction.atomic
def send_to_worker(*, client: Client, by: User, text: str) -> MessageToWorker:
    """A short message to the named worker (or, with none, to the client's team's inbox: left
    without a worker, the coordinator who next opens the client reads it)."""
    ensure_open(client)
    message = MessageToWorker(
        client=client,
        worker=selectors.named_worker(client),
        text=text.strip(),
        written_by=by,
        by_representative=portal_access.is_representative(client),
    )
    message.full_clean()
    message.save()
    portal_access.record_portal_change(user=by, client=client, what="portal.message")
    return message


def mark_worker_messages_read(*, client: Client) -> int:
    return MessageToWorker.objects.filter(client=client, read_at__isnull=True).update(read_at=timezone.now())


def mark_views_read(*, client: Client) -> int:
    return ClientView.objects.filter(client=client, read_at__isnull=True).update(read_at=timezone.now())


def give_consent(
    *, client: Client, by: User, member: NetworkMember, sections: list[str], purpose: str, valid_until: date
) -> Consent:
    """The client gives a consent in the portal, effective at once; the networks service
    records it and the access log names the client (or representative) as its maker."""
    return network_services.give_consent(
        client=client,
        by=by,
        ground=client.access_ground,
        sections=sections,
        purpose=purpose,
        given_on=timezone.localdate(),
        valid_until=valid_until,
        network_member=member,
    )


def withdraw_consent(*, client: Client, consent: Consent, by: User) -> Consent:
    return network_services.withdraw_consent(consent=consent, by=by, ground=client.access_ground)


# Retention: what the clients app's retention run blanks here.


def anonymise_clients(client_ids: list[int]) -> None:
    """Blanks the portal's identity data and words of clients past retention: the portal is
    turned off and the client's own sign-in user loses its name and e-mail and can no longer
    sign in; the representatives lose their names and identity codes (an empty code matches no
    sign-in); the client's views and "was I heard" answers lose their words; the messages to
    the worker go. The ratings, the answers' numbers and the dates the statistics count stay.
    A representative's own user is left alone: it may act for someone else too."""
    accounts = PortalAccount.objects.filter(client__in=client_ids)
    User.objects.filter(pk__in=accounts.filter(user__isnull=False).values("user")).update(
        first_name="", last_name="", email="", is_active=False
    )
    accounts.update(enabled=False)
    Representative.objects.filter(client__in=client_ids).update(name="", identity_code="")
    ClientView.objects.filter(client__in=client_ids).update(text="")
    HeardAnswer.objects.filter(client__in=client_ids).update(text="")
    MessageToWorker.objects.filter(client__in=client_ids).delete()
