"""The API's read endpoints."""

urlpatterns: list = []
