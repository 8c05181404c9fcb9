"""Who may call the API: the readers the site's pages admit (`proposals.views.access`),
and for changes someone signed in (with a session or a token)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import BasePermission

from pmc import second_factor
from proposals import permissions

SIGN_IN = (
    "Sign in first: send a personal token as `Authorization: Bearer <token>` (create one on "
    "your profile page), or use a session of the site."
)
SECOND_FACTOR = (
    "Staff and chairs need a second factor before they act: confirm a code from your "
    "authenticator app on the site first, or use a personal token."
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
    """Changes are made by someone: the actions refuse or admit them by name. With a
    session, staff and chairs first confirm a second factor, as for the site's forms
    (`pmc.second_factor`, whose middleware stops only a POST)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated:
            raise NotAuthenticated(SIGN_IN)
        session = request.auth is None
        if session and second_factor.required_for(user) and not user.is_verified():
            raise PermissionDenied(SECOND_FACTOR)
        return True
