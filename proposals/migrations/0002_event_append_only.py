from django.db import migrations

from proposals import audit_triggers


def install(apps, schema_editor):
    audit_triggers.install(schema_editor.connection, [audit_triggers.TABLE])


def uninstall(apps, schema_editor):
    audit_triggers.uninstall(schema_editor.connection, [audit_triggers.TABLE])


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
