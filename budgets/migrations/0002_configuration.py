from typing import Any

from django.db import migrations

from budgets import configuration


def install(apps: Any, schema_editor: Any) -> None:
    configuration.install(
        apps.get_model("budgets", "ServiceType"),
        apps.get_model("budgets", "Provider"),
        apps.get_model("budgets", "BudgetRules"),
        apps.get_model("care_plans", "LifeDomain"),
    )


class Migration(migrations.Migration):
    dependencies = [("budgets", "0001_initial"), ("care_plans", "0002_domains_and_scales")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
