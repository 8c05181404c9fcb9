import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pmc", "0002_meeting_import_source"),
        ("proposals", "0006_hardening_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LinkSuggestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "section",
                    models.CharField(blank=True, help_text="Heading it was under.", max_length=300),
                ),
                (
                    "excerpt",
                    models.TextField(
                        blank=True, help_text="The lines of the notes that raised it."
                    ),
                ),
                ("suggested_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "accepted",
                    models.BooleanField(
                        blank=True,
                        help_text="Confirmed (yes), dismissed (no) or pending (empty).",
                        null=True,
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="link_suggestions",
                        to="pmc.meeting",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="link_suggestions",
                        to="proposals.proposal",
                    ),
                ),
                (
                    "suggested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["suggested_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("proposal", "meeting"), name="one_link_suggestion_per_meeting"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("accepted__isnull", True), ("decided_at__isnull", True)),
                            models.Q(("accepted__isnull", False), ("decided_at__isnull", False)),
                            _connector="OR",
                        ),
                        name="link_suggestion_decided_when_decided",
                    ),
                ],
            },
        ),
    ]
