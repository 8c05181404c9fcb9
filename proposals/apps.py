from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "Proposals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Wire the layers: each event written may need an outbox row, each committed
        outbox row gets the drain going, each event may make webhook deliveries (which get the
        jobs going as well), the jobs thread starts with a request, every
        change to a person's account or powers writes its event, and the audit key's
        system check is registered."""
        from proposals import (  # noqa: F401  (system_checks registers on import)
            account_events,
            audit,
            background,
            embedded,
            notifications,
            system_checks,
            webhooks,
        )

        audit.on_written(notifications.write_outbox)
        notifications.on_outbox_committed(background.outbox_written)
        audit.on_written(webhooks.write_deliveries)
        webhooks.on_deliveries_committed(background.outbox_written)
        embedded.connect()
        account_events.connect()
