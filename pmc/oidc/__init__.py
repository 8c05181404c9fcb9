"""OpenID Connect sign-in for any provider: django-allauth's `openid_connect` provider,
with the ID token's signature checked on every sign-in.

allauth skips that check when the token came straight from the provider's token endpoint,
as OpenID Connect Core (3.1.3.7) allows over TLS. The site checks it always, so an ID
token altered anywhere between the provider and the site (or a provider reached over plain
HTTP) is refused, as well as one issued for another client (audience) or another issuer.
"""
