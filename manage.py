#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmc.settings")
    from django.core.management import execute_from_command_line

    from proposals import acting

    # What a command changes in people's accounts is logged as done by the command
    # (system:command:createsuperuser), unless the command names its own actor.
    with acting.acting_as(acting.command_actor(sys.argv)):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
