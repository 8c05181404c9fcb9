"""The API's token endpoints."""

urlpatterns: list = []
