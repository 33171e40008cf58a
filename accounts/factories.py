import factory
from factory.django import DjangoModelFactory

from .models import Role, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fi_FI")
    last_name = factory.Faker("last_name", locale="fi_FI")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.fi")
    role = Role.COORDINATOR
    password = factory.django.Password("caseflow-demo")


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR
    profession = "social_counsellor"


class TeamLeadFactory(UserFactory):
    role = Role.TEAM_LEAD
    profession = "social_worker"


class TeamMemberFactory(UserFactory):
    role = Role.TEAM_MEMBER
    profession = "nurse"


class AdministratorFactory(UserFactory):
    """The organisation's day-to-day administrator: on the admin site with the permissions
    the seed gives, never a superuser."""

    role = Role.ADMINISTRATOR
    is_staff = True
    is_superuser = False


class DataProtectionFactory(UserFactory):
    role = Role.DATA_PROTECTION
