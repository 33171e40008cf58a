from typing import Any

from django.db import migrations

from assessments import configuration


def install(apps: Any, schema_editor: Any) -> None:
    configuration.install(apps.get_model("assessments", "LifeDomain"), apps.get_model("assessments", "ScaleLevel"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
