# Load the Celery application with Django, so tasks bind to it (`celery -A pmc ...`).
from pmc.celery import app as celery_app

__all__ = ("celery_app",)
