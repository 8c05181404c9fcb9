from django.db import migrations, models


def mark_links_from_notes(apps, schema_editor):
    """Links to meetings imported from notes files came from those files."""
    ProposalMeeting = apps.get_model("proposals", "ProposalMeeting")
    ProposalMeeting.objects.exclude(meeting__source="").update(from_notes=True)


class Migration(migrations.Migration):
    dependencies = [
        ("pmc", "0002_meeting_import_source"),
        ("proposals", "0004_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposalmeeting",
            name="from_notes",
            field=models.BooleanField(
                default=False,
                help_text="Found in the meeting's notes file (kept in step with it when it is "
                "imported again), rather than linked by hand.",
            ),
        ),
        migrations.RunPython(mark_links_from_notes, migrations.RunPython.noop),
    ]
