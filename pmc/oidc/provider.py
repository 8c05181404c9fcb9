from __future__ import annotations

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider

from pmc.oidc.views import SignatureCheckingAdapter


class SiteOpenIDConnectProvider(OpenIDConnectProvider):
    """The configured OpenID Connect provider (pmc.sso_settings), under the id `oidc`."""

    id = "oidc"
    name = "OpenID Connect"
    oauth2_adapter_class = SignatureCheckingAdapter


provider_classes = [SiteOpenIDConnectProvider]
