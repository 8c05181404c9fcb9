import pmc.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pmc", "0002_meeting_import_source"),
    ]

    operations = [
        migrations.AlterField(
            model_name="committee",
            name="name",
            field=models.CharField(
                help_text="e.g. Runtime, BOSH.",
                max_length=100,
                unique=True,
                validators=[pmc.text.validate_single_line],
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="lead",
            field=models.CharField(
                blank=True,
                help_text="Name of the project lead.",
                max_length=200,
                validators=[pmc.text.validate_single_line],
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="name",
            field=models.CharField(
                max_length=200, unique=True, validators=[pmc.text.validate_single_line]
            ),
        ),
    ]
