import pmc.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0007_link_suggestions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="proposal",
            name="condition",
            field=models.CharField(
                blank=True,
                help_text='What the proposal waits for, e.g. "at the same time the DEAs reach EOL".',
                max_length=500,
                validators=[pmc.text.validate_single_line],
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="new_lead",
            field=models.CharField(
                blank=True,
                help_text="Ownership: the new lead.",
                max_length=200,
                validators=[pmc.text.validate_single_line],
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="new_name",
            field=models.CharField(
                blank=True,
                help_text="Rename: the new name. Incubation without a project: the project's name.",
                max_length=200,
                validators=[pmc.text.validate_single_line],
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="proposing_team",
            field=models.CharField(
                blank=True,
                help_text='e.g. "CLI team".',
                max_length=200,
                validators=[pmc.text.validate_single_line],
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="title",
            field=models.CharField(max_length=300, validators=[pmc.text.validate_single_line]),
        ),
    ]
