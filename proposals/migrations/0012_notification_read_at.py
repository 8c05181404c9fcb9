from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0011_system_checklist_items"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="read_at",
            field=models.DateTimeField(
                blank=True, help_text="When its reader marked it read on the site.", null=True
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)),
                fields=["user"],
                name="notification_unread_idx",
            ),
        ),
    ]
