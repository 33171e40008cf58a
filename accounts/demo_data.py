"""Staff accounts of the medium and large demo data sets, written by COPY: every login shares
one password hash (hashing is slow on purpose, and the demo password is public)."""

import datetime
import random
from collections.abc import Sequence

from django.utils import timezone

from core.bulk import Loader

from .models import Role, User

USER_COLUMNS = (
    "id",
    "password",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "role",
    "profession",
    "language",
)


def bulk_users(
    loader: Loader,
    *,
    rng: random.Random,
    usernames: Sequence[str],
    role: str,
    professions: Sequence[str],
    password_hash: str,
    first_names: Sequence[str],
    last_names: Sequence[str],
) -> list[int]:
    """Writes one user per username (``professions`` parallel to it); returns their ids."""
    ids = loader.ids(User, len(usernames))
    joined = datetime.datetime(2021, 1, 1, 8, tzinfo=timezone.get_current_timezone())
    rows = []
    for pk, username, profession in zip(ids, usernames, professions, strict=True):
        first, last = rng.choice(first_names), rng.choice(last_names)
        email = f"{username}@hyvinvointialue.example"
        staff = role == Role.ADMINISTRATOR
        rows.append(
            (pk, password_hash, False, username, first, last, email, staff, True, joined, role, profession, "fi")
        )
    loader.copy(User, USER_COLUMNS, rows)
    return list(ids)
