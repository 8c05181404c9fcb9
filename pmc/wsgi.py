"""WSGI entry point: `gunicorn pmc.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmc.settings")

application = get_wsgi_application()
