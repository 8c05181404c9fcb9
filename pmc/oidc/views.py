from __future__ import annotations

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.http import Http404, HttpRequest
from django.urls import reverse


class SignatureCheckingAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, checking the ID token's signature against the
    provider's published keys every time (see the package's docstring); the issuer,
    audience (our client id) and expiry are checked as before."""

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )

    def get_callback_url(self, request: HttpRequest, app: SocialApp) -> str:
        callback_url = reverse("oidc_callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, callback_url, self.redirect_uri_protocol)


@login_not_required
def login(request: HttpRequest, provider_id: str):
    try:
        return OAuth2LoginView.adapter_view(SignatureCheckingAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("This sign-in is not configured.") from None


@login_not_required
def callback(request: HttpRequest, provider_id: str):
    try:
        return OAuth2CallbackView.adapter_view(SignatureCheckingAdapter(request, provider_id))(
            request
        )
    except SocialApp.DoesNotExist:
        raise Http404("This sign-in is not configured.") from None
