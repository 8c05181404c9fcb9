"""Who may call the API: the readers the site's pages admit (`proposals.views.access`),
and for changes someone signed in (with a session or a token)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from proposals import permissions

SIGN_IN = (
    "Sign in first: send a personal token as `Authorization: Bearer <token>` (create one on "
    "your profile page), or use a session of the site."
)
MEMBERS_ONLY = "These pages are for members of a committee. Ask a chair for a seat."


class Readable(BasePermission):
    """Reading is public unless PMC_PUBLIC_READ is off; then it is for members of a
    committee (and staff) only, as on the site."""

    message = MEMBERS_ONLY

    def has_permission(self, request, view) -> bool:
        if settings.PMC_PUBLIC_READ:
            return True
        user = request.user
        if not user.is_authenticated:
            raise NotAuthenticated(SIGN_IN)
        return bool(user.is_staff or permissions.roles_by_committee(user))


class SignedIn(BasePermission):
    """Changes are made by someone: the actions refuse or admit them by name. (Staff and
    chairs confirm a second factor first: `proposals.api.authentication` asks it of every
    write, as `pmc.second_factor` says.)"""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated:
            raise NotAuthenticated(SIGN_IN)
        return True
