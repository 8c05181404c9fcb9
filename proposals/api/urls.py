"""The API under /api/: reading, writing, tokens, and the schema with its reference."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from proposals.api.reference import ReferenceView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ReferenceView.as_view(), name="reference"),
    path("", include("proposals.api.read_urls")),
    path("", include("proposals.api.write_urls")),
    path("", include("proposals.api.token_urls")),
]
