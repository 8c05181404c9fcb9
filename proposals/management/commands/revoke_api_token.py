"""Revoke an API token that leaked: `manage.py revoke_api_token pmc_AbCd1234`.

Takes the token itself (found by its hash) or its first characters as the profile page,
the audit log and `GET /api/me/` show them (`--user` when two people's tokens start the
same). Acts as the system, through `actions.do_revoke_api_token`: the token stops
working at once and the revocation is an event in the audit log.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from proposals import actions
from proposals.actions.api_tokens import PREFIX_LENGTH
from proposals.actors import SystemActor
from proposals.api.authentication import token_hash
from proposals.models import ApiToken

COMMAND = SystemActor("revoke_api_token")


class Command(BaseCommand):
    help = "Revoke an API token, given the token or its first characters (e.g. pmc_AbCd1234)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("token", help="The token, or its first characters.")
        parser.add_argument("--user", help="The owner's user name, if several tokens match.")

    def handle(self, *args, token: str, user: str | None = None, verbosity=1, **options):
        found = ApiToken.objects.select_related("user").filter(revoked_at__isnull=True)
        if user:
            found = found.filter(user__username=user)
        if len(token) > PREFIX_LENGTH:
            found = found.filter(key_hash=token_hash(token))
        else:
            found = found.filter(prefix=token)
        tokens = list(found[:11])
        if not tokens:
            raise CommandError(
                f"No token that is not revoked matches {token[:PREFIX_LENGTH]!r}"
                f"{f' for {user!r}' if user else ''}: check its first {PREFIX_LENGTH} "
                "characters on the owner's profile page or in the audit log."
            )
        if len(tokens) > 1:
            owners = ", ".join(sorted({t.user.get_username() for t in tokens}))
            raise CommandError(
                f"Several tokens start with {token!r} (of {owners}): add --user, or give "
                "the whole token."
            )
        actions.do_revoke_api_token(token=tokens[0], actor=COMMAND)
        if verbosity >= 1:
            self.stdout.write(f"Revoked: {tokens[0]}.")
