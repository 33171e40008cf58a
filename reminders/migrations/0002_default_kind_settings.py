from django.db import migrations

# (kind, lead days, escalation days): the defaults of the kinds' declarations, frozen here.
DEFAULTS = [
    ("assessment_start_due", 3, None),
    ("assessment_start_overdue", 0, 3),
    ("child_assessment_due", 14, 7),
    ("rai_reassessment_due", 30, 14),
    ("plan_review_due", 14, 14),
    ("service_not_started", 14, 7),
    ("no_named_worker", 0, None),
    ("referral_follow_up", 1, 7),
    ("budget_threshold", 0, None),
    ("meeting_tomorrow", 1, None),
]


def install(apps, schema_editor):
    Setting = apps.get_model("reminders", "ReminderKindSetting")
    for kind, lead_days, escalation_days in DEFAULTS:
        Setting.objects.get_or_create(kind=kind, defaults={"lead_days": lead_days, "escalation_days": escalation_days})


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
