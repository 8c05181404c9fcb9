"""The API's write endpoints."""

urlpatterns: list = []
