"""django-guardian created an "AnonymousUser" account (with the default coordinator role) that
the staff pickers offered; ``ANONYMOUS_USER_NAME = None`` stops that, and this removes the one
an earlier migration made, or deactivates it where something refers to it."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import ProtectedError


def remove_anonymous_user(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(username="AnonymousUser", last_login__isnull=True):
        try:
            user.delete()
        except ProtectedError:
            User.objects.filter(pk=user.pk).update(is_active=False, role="client")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_data_protection_role")]

    operations = [migrations.RunPython(remove_anonymous_user, migrations.RunPython.noop)]
