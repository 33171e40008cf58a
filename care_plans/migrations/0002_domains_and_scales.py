from typing import Any

from django.db import migrations

from care_plans import configuration


def install(apps: Any, schema_editor: Any) -> None:
    configuration.install(apps.get_model("care_plans", "LifeDomain"), apps.get_model("care_plans", "ScaleLevel"))


class Migration(migrations.Migration):
    dependencies = [("care_plans", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
