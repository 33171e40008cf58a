"""The demo's portal users: three clients of the demo coordinator with the portal on, and the
guardian of a child client acting for the child. They sign in through the demo's stand-in
identification page (/oma/sign-in/demo/); the README names them."""

import datetime
import random

from django.db.models import Exists, OuterRef

from accounts.models import Role, User
from care_plans.models import PlanVersion
from clients.identity_code import make_identity_code
from clients.models import Assignment, Client

from .models import Basis, PortalAccount, Representative, WorkerContact

CLIENT_USERNAMES = ("asiakas1", "asiakas2", "asiakas3")
GUARDIAN_USERNAME = "huoltaja"


def _portal_user(username: str, client_or_name: Client | str) -> User:
    name = client_or_name.full_name if isinstance(client_or_name, Client) else client_or_name
    first, _sep, last = name.partition(" ")
    user = User(username=username, role=Role.CLIENT, first_name=first, last_name=last, profession="")
    user.set_unusable_password()
    user.save()
    return user


def seed_portal(*, rng: random.Random, today: datetime.date, demo: User) -> list[User]:
    """Gives the portal to a few open clients (those with a published plan first) and records
    a guardian for a child client; the demo coordinator's contact details for the portal."""
    WorkerContact.objects.get_or_create(
        user=demo, defaults={"title": "Palveluohjaaja", "phone": "040 123 4567", "reachable": "ma–pe klo 9–11"}
    )
    open_of_demo = Assignment.objects.filter(client=OuterRef("pk"), coordinator=demo, ended_on__isnull=True)
    published = PlanVersion.objects.filter(plan__client=OuterRef("pk"), status=PlanVersion.Status.PUBLISHED)
    candidates = list(
        Client.objects.filter(Exists(open_of_demo), closed_on__isnull=True)
        .exclude(identity_code="")
        .annotate(has_plan=Exists(published))
        .order_by("-has_plan", "pk")[: len(CLIENT_USERNAMES)]
    )
    users = []
    for username, client in zip(CLIENT_USERNAMES, candidates, strict=False):
        user = _portal_user(username, client)
        PortalAccount.objects.create(client=client, user=user, enabled=True, changed_by=demo)
        users.append(user)
    born = today - datetime.timedelta(days=10 * 365)
    child = (
        Client.objects.filter(closed_on__isnull=True, date_of_birth__gt=today - datetime.timedelta(days=18 * 365))
        .exclude(pk__in=[client.pk for client in candidates])
        .order_by("pk")
        .first()
    )
    if child is not None:
        PortalAccount.objects.create(client=child, enabled=True, changed_by=demo)
        guardian_name = f"Hanna {child.last_name}"
        guardian = _portal_user(GUARDIAN_USERNAME, guardian_name)
        Representative.objects.create(
            client=child,
            user=guardian,
            name=guardian_name,
            identity_code=make_identity_code(born - datetime.timedelta(days=30 * 365), 400 + rng.randrange(100)),
            basis=Basis.GUARDIAN_OF_MINOR,
            starts_on=child.relationship_started_on,
            recorded_by=demo,
        )
        users.append(guardian)
    return users
