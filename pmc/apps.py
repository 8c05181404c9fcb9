from django.apps import AppConfig


class PmcConfig(AppConfig):
    name = "pmc"
    verbose_name = "Committees"
    default_auto_field = "django.db.models.BigAutoField"
