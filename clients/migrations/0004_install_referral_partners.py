from typing import Any

from django.db import migrations

from clients import configuration


def install(apps: Any, schema_editor: Any) -> None:
    partner = apps.get_model("clients", "ReferralPartner")
    configuration.install(partner)
    configuration.match_free_text(partner, apps.get_model("clients", "Referral"))


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_referral_partners_and_bounces")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
