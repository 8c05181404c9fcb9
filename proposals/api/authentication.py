"""Personal API tokens: `Authorization: Bearer <token>`, looked up by their SHA-256."""

from __future__ import annotations

import hashlib

from rest_framework import authentication, exceptions

from proposals.models import ApiToken


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as `Authorization: Bearer <token>`, with no spaces in it."
            )
        try:
            token = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(
                "A token is plain ASCII: copy it again."
            ) from error
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=token_hash(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            raise exceptions.AuthenticationFailed(
                "This token is unknown or revoked: create a new one on your profile page."
            )
        return found.user, found

    def authenticate_header(self, request) -> str:
        return self.keyword
