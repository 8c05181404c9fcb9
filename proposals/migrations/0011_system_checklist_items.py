from django.db import migrations, models

# The items completing a proposal does by itself (the project list's entry), as the
# kinds named them when this migration was written: still open, the system does them now.
SYSTEM_STEPS = [
    "Move the project to the attic in the project list",
    "Add the project to the project list as incubating",
    "List the project as active in the project list",
    "Update the lead in the project list",
]


def mark_system_items(apps, schema_editor):
    ChecklistItem = apps.get_model("proposals", "ChecklistItem")
    ChecklistItem.objects.filter(done=False, text__in=SYSTEM_STEPS).update(
        by_system=True, owner=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0010_reading_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="checklistitem",
            name="by_system",
            field=models.BooleanField(
                default=False,
                help_text="Done by the system when the proposal is completed (what completing "
                "does to the project): asked of nobody, ticked by nobody.",
            ),
        ),
        migrations.RunPython(mark_system_items, migrations.RunPython.noop),
    ]
