"""The API reference at /api/docs/: Swagger UI from the project's static files (the
drf-spectacular-sidecar package), started by a script file, as the CSP allows no inline
script."""

from django.views.generic import TemplateView


class ReferenceView(TemplateView):
    template_name = "proposals/api_reference.html"
