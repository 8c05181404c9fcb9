"""Deactivate an account: `manage.py deactivate_user USERNAME --reason TEXT`.

The same as the admin's "Deactivate" (`actions.do_deactivate_user`), acting as the
system: the account's seats end, each with its event and the reason, the account is
marked inactive and its sessions are deleted. Its votes and its history stay.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from proposals import actions
from proposals.actors import SystemActor
from proposals.errors import LifecycleError

COMMAND = SystemActor("deactivate_user")


class Command(BaseCommand):
    help = (
        "Deactivate an account: end its seats (with events), refuse its sign-ins and sign "
        "it out everywhere. Its votes and history stay."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="The account's user name.")
        parser.add_argument(
            "--reason", required=True, help="Why, for the seats' events (e.g. 'Left the team')."
        )

    def handle(self, *args, username: str, reason: str, verbosity: int = 1, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is called {username!r}; check the user name.")
        try:
            ended = actions.do_deactivate_user(user=user, actor=COMMAND, reason=reason)
        except LifecycleError as error:
            raise CommandError(error.message) from error
        if verbosity >= 1:
            for seat in ended:
                self.stdout.write(f"ended: {seat.committee} ({seat.get_role_display()})")
            self.stdout.write(f"{username} is deactivated; {len(ended)} seat(s) ended.")
