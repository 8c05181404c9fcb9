from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "Proposals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Wire the layers: each event written may need an outbox row, each committed
        outbox row gets the drain going, the jobs thread starts with a request, and
        every change to a person's account or powers writes its event."""
        from proposals import account_events, audit, background, embedded, notifications

        audit.on_written(notifications.write_outbox)
        notifications.on_outbox_committed(background.outbox_written)
        embedded.connect()
        account_events.connect()
