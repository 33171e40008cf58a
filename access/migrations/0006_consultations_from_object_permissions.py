"""Carries the earlier consultation grants (django-guardian's ``view_client`` object
permissions, which never ended) over into ``Consultation`` rows that do: each starts on the
day of the migration and lasts the default length, so that no one silently loses a grant in
use nor keeps one for ever. The object permissions are then removed."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import timezone

REASON = "Carried over from an earlier consultation grant with no end date."


def carry_over(apps: Any, schema_editor: Any) -> None:
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    Consultation = apps.get_model("access", "Consultation")
    Client = apps.get_model("clients", "Client")
    grants = UserObjectPermission.objects.filter(
        permission__codename="view_client",
        content_type__app_label="clients",
        content_type__model="client",
    )
    today = timezone.localdate()
    open_clients = set(
        Client.objects.filter(closed_on__isnull=True).values_list("pk", flat=True)
    )
    rows = [
        Consultation(
            client_id=int(grant.object_pk),
            professional_id=grant.user_id,
            reason=REASON,
            starts_on=today,
            ends_on=today + timedelta(days=settings.CONSULTATION_DEFAULT_DAYS),
        )
        for grant in grants
        if grant.object_pk.isdigit() and int(grant.object_pk) in open_clients
    ]
    Consultation.objects.bulk_create(rows)
    grants.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0005_consultations"),
        ("guardian", "0002_generic_permissions_index"),
        ("clients", "0001_initial"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
