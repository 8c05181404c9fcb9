"""The time zone each reader sees dates in: the one they chose on their profile, else the
site's (`TIME_ZONE`, UTC by default). `ReaderTimeZoneMiddleware` activates it for each
request, so every page's dates follow it."""

from __future__ import annotations

import functools
import zoneinfo

from django.utils import timezone

from proposals.models import ReaderSettings

# Names zoneinfo knows that are no place a person would pick: aliases kept for old
# systems, and files of the database that are not zones.
_NOT_PLACES = ("Brazil/", "Canada/", "Chile/", "Etc/", "Mexico/", "SystemV/", "US/", "posix",
               "right/")  # fmt: skip
_NOT_ZONES = {"Factory", "localtime", "posixrules", "leapseconds", "tzdata.zi"}


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The zones a reader may choose: the IANA names of places (Europe/Berlin), and UTC."""
    names = {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(_NOT_PLACES) and name not in _NOT_ZONES
    }
    return ("UTC", *sorted(names))


def choices() -> list:
    """The zones grouped by region, as a form's choices: ("Europe", [("Europe/Berlin",
    "Berlin"), ...])."""
    regions: dict[str, list] = {}
    for name in zone_names()[1:]:
        region, _, place = name.partition("/")
        regions.setdefault(region, []).append((name, place.replace("_", " ")))
    return [("UTC", "UTC"), *regions.items()]


def chosen_zone(user) -> str:
    """The zone `user` chose on their profile, or "" (the site's)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    return (
        ReaderSettings.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""
    )


class ReaderTimeZoneMiddleware:
    """Shows each signed-in reader's pages in the time zone they chose (one query per
    request); everyone else's in the site's. A zone that zoneinfo no longer knows falls
    back to the site's rather than failing the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = chosen_zone(request.user)
        try:
            zone = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
