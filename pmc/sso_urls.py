"""The part of django-allauth's URLs the site uses: each enabled provider's sign-in and
callback, and the pages a single sign-on can end on (error, cancelled, inactive account).

allauth's own account pages (its password sign-in, sign-up, password reset, e-mail
management) are not mounted: the site signs in with Django's LoginView (with django-axes
lockouts) and has no sign-up form. The names allauth reverses for them point at the
site's equivalents.
"""

from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from allauth.urls import build_provider_urlpatterns
from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path("login/error/", social_views.login_error, name="socialaccount_login_error"),
    path("login/cancelled/", social_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("signup/", social_views.signup, name="socialaccount_signup"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path(
        "sign-in/",
        RedirectView.as_view(pattern_name="login", query_string=True),
        name="account_login",
    ),
    path("sign-up/", RedirectView.as_view(pattern_name="login"), name="account_signup"),
    path(
        "connections/",
        RedirectView.as_view(pattern_name="proposals:profile"),
        name="socialaccount_connections",
    ),
    *build_provider_urlpatterns(),
]
