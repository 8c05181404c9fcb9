from django.urls import re_path

from pmc.oidc import views
from pmc.sso_settings import OIDC_PROVIDER_ID

# One OpenID Connect provider, with a fixed id: its callback is /accounts/sso/oidc/login/callback/.
_ID = rf"^(?P<provider_id>{OIDC_PROVIDER_ID})"

urlpatterns = [
    re_path(rf"{_ID}/login/$", views.login, name="oidc_login"),
    re_path(rf"{_ID}/login/callback/$", views.callback, name="oidc_callback"),
]
