from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from .models import Profession, Role, User

# Where each role starts its day; the administrator has a page of its own.
START_PAGES = {Role.TEAM_LEAD: "team-review", Role.ADMINISTRATOR: None, Role.DATA_PROTECTION: "access-log"}


def start_page(user: User) -> str | None:
    """The name of the page ``user`` lands on after signing in (None: the administrator's)."""
    return START_PAGES.get(Role(user.role), "caseload")


def user_named(pk: int, *, field: str) -> User:
    """The user an input names, or a 400 on that field."""
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise ValidationError({field: [_("Unknown user.")]})
    return user


def staff_people() -> QuerySet[User]:
    """Everyone on the staff, for pickers."""
    return User.objects.filter(is_active=True).exclude(role=Role.CLIENT).order_by("last_name", "first_name", "pk")


def professionals() -> QuerySet[User]:
    """Who can work with a client (on the care team, in an assessment, on a plan's action): the
    staff, administrators excepted, for pickers."""
    return staff_people().exclude(role=Role.ADMINISTRATOR)


# A picker's search shows at most this many people: never the whole staff of a county, which
# in a select of 1,500 took more than a second to render on every page that had one.
PICKER_LIMIT = 30


class PeopleFound(NamedTuple):
    """The first people a search found, and whether more matched than are shown."""

    people: list[User]
    more: bool


def search_professionals(query: str, *, among: QuerySet[User] | None = None, limit: int = PICKER_LIMIT) -> PeopleFound:
    """The professionals (or those of ``among``) each word of ``query`` finds in their first
    or last name, username or profession (as named in the active language), ignoring case,
    in name order; no one for an empty query. One query of at most ``limit`` + 1 rows."""
    people = professionals() if among is None else among
    words = query.split()
    if not words:
        return PeopleFound([], more=False)
    for word in words:
        folded = word.casefold()
        professions = [value for value, label in Profession.choices if folded in str(label).casefold()]
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(profession__in=professions)
        )
    found = list(people.order_by("last_name", "first_name", "pk")[: limit + 1])
    return PeopleFound(found[:limit], more=len(found) > limit)


def api_tokens_of(user: User) -> QuerySet[AuthToken]:
    """``user``'s tokens still in force, newest first."""
    tokens: QuerySet[AuthToken] = AuthToken.objects.filter(user=user, expiry__gt=timezone.now())
    return tokens.order_by("-created")
