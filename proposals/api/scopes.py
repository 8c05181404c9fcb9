"""What a token may do: a read token only reads; a session or a write token may also write."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from proposals.models import ApiToken


class TokenScope(BasePermission):
    message = (
        "This token may only read: create a token with the scope 'read and write' on your "
        "profile page to change anything."
    )

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if request.method in SAFE_METHODS or not isinstance(token, ApiToken):
            return True
        return token.scope == ApiToken.Scope.WRITE
