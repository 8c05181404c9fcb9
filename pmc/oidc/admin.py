"""The admin lists the people's linked provider accounts (allauth's SocialAccount), but
not allauth's provider apps or tokens: the sign-in providers come from the environment
only (pmc.sso_settings), where an operator can see them, and tokens are not stored. An app
added in the database beside the environment's would make a second, conflicting GitHub.

Here rather than in pmc/admin.py because this app comes after allauth's in
INSTALLED_APPS, so allauth's registrations exist to be undone."""

from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin

admin.site.unregister(SocialApp)
admin.site.unregister(SocialToken)
