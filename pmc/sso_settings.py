"""Which single sign-ins are enabled, read from the environment (django-allauth's
SOCIALACCOUNT_PROVIDERS, with each provider's app configured here rather than in the
database). Nothing is enabled unless its variables are set.

- OpenID Connect, any provider: OIDC_SERVER_URL (the issuer, whose
  /.well-known/openid-configuration is read), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and
  OIDC_NAME (what the sign-in button calls it, e.g. "Foundation ID").
- GitHub: GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (an OAuth app's).

A half-configured provider stops the start, naming the variables that are missing, rather
than showing a button that cannot work. Imports nothing of Django's models: the settings
module calls it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from pmc.env import env_str

GITHUB_ORIGIN = "https://github.com"

# The OpenID Connect provider's id, in its URLs (/accounts/sso/oidc/login/callback/).
OIDC_PROVIDER_ID = "oidc"


def _complete(names: list[str]) -> dict[str, str] | None:
    """The variables' values when all are set, None when none is; else a clear error."""
    values = {name: env_str(name) for name in names}
    missing = [name for name, value in values.items() if value is None]
    if len(missing) == len(names):
        return None
    if missing:
        raise ImproperlyConfigured(
            f"Single sign-on is half configured: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set. Set "
            f"{', '.join(names)} together, or none of them to switch that sign-in off."
        )
    return values


def sso_providers() -> dict:
    """SOCIALACCOUNT_PROVIDERS for the sign-ins configured in the environment."""
    providers: dict = {}
    oidc = _complete(["OIDC_SERVER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_NAME"])
    if oidc:
        providers["oidc"] = {
            # PKCE binds the code to this browser's sign-in; providers ignore it if unused.
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": OIDC_PROVIDER_ID,
                    "name": oidc["OIDC_NAME"],
                    "client_id": oidc["OIDC_CLIENT_ID"],
                    "secret": oidc["OIDC_CLIENT_SECRET"],
                    "settings": {"server_url": oidc["OIDC_SERVER_URL"]},
                }
            ],
        }
    github = _complete(["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"])
    if github:
        providers["github"] = {
            # The verified addresses (user:email) are what an account is matched by.
            "SCOPE": ["read:user", "user:email"],
            "APPS": [
                {"client_id": github["GITHUB_CLIENT_ID"], "secret": github["GITHUB_CLIENT_SECRET"]}
            ],
        }
    return providers


def form_action_origins(providers: dict) -> list[str]:
    """Where a sign-in form may send the browser: the Content Security Policy's
    form-action also governs the redirects after a form is posted, and starting a
    single sign-on is a POST here answered by a redirect to the provider. The OpenID
    Connect provider's sign-in page is taken to be on its issuer's origin."""
    origins = []
    for app in providers.get("oidc", {}).get("APPS", []):
        url = urlsplit(app["settings"]["server_url"])
        origins.append(f"{url.scheme}://{url.netloc}")
    if providers.get("github", {}).get("APPS"):
        origins.append(GITHUB_ORIGIN)
    return origins
