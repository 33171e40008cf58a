from typing import Any

from django.db import migrations

from budgets import configuration


def install(apps: Any, schema_editor: Any) -> None:
    configuration.install(
        apps.get_model("budgets", "ServiceType"),
        apps.get_model("budgets", "Provider"),
        apps.get_model("budgets", "BudgetRules"),
        apps.get_model("assessments", "LifeDomain"),
    )


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_initial"), ("assessments", "0004_domains_and_scales")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
