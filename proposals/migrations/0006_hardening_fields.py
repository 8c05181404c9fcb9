import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0005_proposalmeeting_from_notes"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="attempts",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="Failed attempts to create its notifications."
            ),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="retry_at",
            field=models.DateTimeField(
                blank=True, help_text="After a failure: not tried again before this.", null=True
            ),
        ),
        migrations.AlterField(
            model_name="checklistitem",
            name="text",
            field=models.TextField(),
        ),
        migrations.CreateModel(
            name="JobFailure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("job", models.CharField(help_text="e.g. close_expired_votes.", max_length=64)),
                (
                    "item",
                    models.CharField(
                        help_text='What it failed on, e.g. "proposal 12".', max_length=100
                    ),
                ),
                ("first_failed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_failed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("failures", models.PositiveIntegerField(default=1)),
                ("last_error", models.TextField(blank=True)),
                (
                    "resolved_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the job next succeeded with the item.",
                        null=True,
                    ),
                ),
            ],
            options={
                "ordering": ["-last_failed_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("resolved_at__isnull", True)),
                        fields=("job", "item"),
                        name="one_open_failure_per_item",
                    )
                ],
            },
        ),
    ]
