"""Life domains are for everyone, for children or for adults; a child's growth and development
is assessed for children only."""

from typing import Any

from django.db import migrations, models

from assessments.configuration import CHILDREN_ONLY


def for_children(apps: Any, schema_editor: Any) -> None:
    apps.get_model("assessments", "LifeDomain").objects.filter(code__in=CHILDREN_ONLY).update(ages="children")


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_domains_and_scales")]

    operations = [
        migrations.AddField(
            model_name="lifedomain",
            name="ages",
            field=models.CharField(
                choices=[("all", "Everyone"), ("children", "Children (under 18)"), ("adults", "Adults (18 or over)")],
                default="all",
                max_length=10,
                verbose_name="for whom",
            ),
        ),
        migrations.RunPython(for_children, migrations.RunPython.noop),
    ]
