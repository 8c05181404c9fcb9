from django.urls import path

from pmc import second_factor_views

app_name = "second_factor"

urlpatterns = [
    path("setup/", second_factor_views.setup, name="setup"),
    path("verify/", second_factor_views.verify, name="verify"),
    path("recovery-codes/", second_factor_views.recovery_codes, name="recovery_codes"),
]
