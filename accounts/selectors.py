from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from .models import Role, User

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


def api_tokens_of(user: User) -> QuerySet[AuthToken]:
    """``user``'s tokens still in force, newest first."""
    tokens: QuerySet[AuthToken] = AuthToken.objects.filter(user=user, expiry__gt=timezone.now())
    return tokens.order_by("-created")
