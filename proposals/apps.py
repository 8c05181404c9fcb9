from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "Proposals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Wire the layers: each event written may need an outbox row, each committed
        outbox row gets the drain going, and the jobs thread starts with a request."""
        from proposals import audit, background, embedded, notifications, system_checks  # noqa: F401

        audit.on_written(notifications.write_outbox)
        notifications.on_outbox_committed(background.outbox_written)
        embedded.connect()
