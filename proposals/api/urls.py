"""The API under /api/: reading, writing, tokens, and the schema with its reference."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("proposals.api.read_urls")),
    path("", include("proposals.api.write_urls")),
    path("", include("proposals.api.token_urls")),
]
