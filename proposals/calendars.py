"""iCalendar documents (the `icalendar` package) of vote deadlines and meetings: the
site's, a committee's, and a person's own (their committees', with the calls' links only
members see, and the votes they may cast, saying whether they have).

Every time is in UTC. An event's UID is the same in every calendar it appears in and for
as long as the thing lasts (a vote's round, a meeting), so that a calendar app updates it
in place. The library escapes the texts. What a calendar holds is bounded: the votes open
now and the meetings of a window around today, `LIMIT` of each at most.
"""

from __future__ import annotations

import datetime

import icalendar
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from pmc.models import Meeting, Membership
from proposals import addresses
from proposals.models import EligibleVoter, Proposal, Vote

# The meetings a calendar holds: those of the last PAST_DAYS days and the next
# COMING_DAYS.
PAST_DAYS = 180
COMING_DAYS = 366
# At most this many votes, and this many meetings.
LIMIT = 500
# The site keeps when a meeting starts, not when it ends.
MEETING_LENGTH = datetime.timedelta(hours=1)
PRODUCT = "-//PMC Lifecycle//Calendars//EN"
REFRESH = datetime.timedelta(hours=1)


def open_votes(committees=None):
    """Proposals in voting, soonest deadline first (the index on state and deadline)."""
    votes = (
        Proposal.objects.voting()
        .select_related("committee", "project")
        .defer("body", "body_html", "vote_rules")
        .order_by("closes_at", "pk")
    )
    if committees is not None:
        votes = votes.filter(committee__in=committees)
    return votes


def meetings_around(today: datetime.date, committees=None):
    """Meetings in the window around `today`, cancelled ones included (marked so)."""
    first = today - datetime.timedelta(days=PAST_DAYS)
    last = today + datetime.timedelta(days=COMING_DAYS)
    meetings = (
        Meeting.objects.held_between(first, last)
        .select_related("committee")
        .only(
            "committee__name",
            "committee__slug",
            "date",
            "title",
            "starts_at",
            "time_zone",
            "call_link",
            "schedule_note",
            "cancelled_at",
            "imported_at",
        )
        .order_by("date", "pk")
    )
    if committees is not None:
        meetings = meetings.filter(committee__in=committees)
    return meetings


def calendar(name: str, description: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", "UTC")
    # How often calendar apps should read it again (RFC 7986, and Outlook's own name).
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    return cal


def vote_event(proposal: Proposal, now: datetime.datetime, note: str = ""):
    """A vote's deadline: an event at the moment it closes."""
    event = icalendar.Event()
    event.add("uid", f"vote-{proposal.pk}-round-{proposal.vote_round}@{addresses.host()}")
    event.add("dtstamp", now)
    event.add("last-modified", proposal.updated_at)
    event.add("dtstart", proposal.closes_at)
    event.add("dtend", proposal.closes_at)
    event.add("summary", f"Vote closes: #{proposal.pk} {proposal.title}{note}")
    url = addresses.url(proposal.get_absolute_url())
    event.add("url", url)
    lines = [
        f"The vote of {proposal.committee.name} on “{proposal.title}” "
        f"({proposal.get_kind_display().lower()}) closes.",
    ]
    if proposal.project_id:
        lines.append(f"Project: {proposal.project.name}.")
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("categories", ["Vote"])
    return event


def meeting_event(meeting: Meeting, now: datetime.datetime, *, member: bool):
    """A meeting: at its scheduled time, else all day on its date. The call's link only
    for a member of its committee, as on the meeting's page."""
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@{addresses.host()}")
    event.add("dtstamp", now)
    if meeting.starts_at is not None:
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.starts_at + MEETING_LENGTH)
    else:
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.date + datetime.timedelta(days=1))
    event.add("summary", meeting.title or f"{meeting.committee.name} meeting")
    url = addresses.url(meeting.get_absolute_url())
    event.add("url", url)
    lines = [f"A meeting of {meeting.committee.name}."]
    if meeting.starts_at is not None:
        lines.append(f"Scheduled for {meeting.local_start_label}.")
    if meeting.schedule_note:
        lines.append(meeting.schedule_note)
    if member and meeting.call_link:
        lines.append(f"Call: {meeting.call_link}")
        event.add("location", meeting.call_link)
    lines.append(url)
    event.add("description", "\n".join(lines))
    if meeting.cancelled_at is not None:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    event.add("categories", ["Meeting"])
    return event


def public_calendar(*, committee=None) -> icalendar.Calendar:
    """The site's calendar, or one committee's: what everyone may read."""
    now = timezone.now()
    committees = None if committee is None else [committee]
    whose = "every committee" if committee is None else committee.name
    cal = calendar(
        f"PMC Lifecycle: {whose}" if committee else "PMC Lifecycle",
        f"Vote deadlines and meetings of {whose}.",
    )
    for proposal in open_votes(committees)[:LIMIT]:
        cal.add_component(vote_event(proposal, now))
    for meeting in meetings_around(timezone.localdate(), committees)[:LIMIT]:
        cal.add_component(meeting_event(meeting, now, member=False))
    return cal


def personal_calendar(user) -> icalendar.Calendar:
    """A person's own calendar: the votes and meetings of the committees they sit on, and
    every vote in which theirs is binding, saying whether they have cast it."""
    now = timezone.now()
    seats = list(Membership.objects.active().filter(user=user).values_list("committee", flat=True))
    cal = calendar(
        f"PMC Lifecycle: {user.get_full_name() or user.get_username()}",
        "Vote deadlines and meetings of your committees, and your open votes.",
    )
    eligible = EligibleVoter.objects.filter(
        proposal=OuterRef("pk"), round=OuterRef("vote_round"), user=user
    )
    voted = Vote.objects.filter(proposal=OuterRef("pk"), round=OuterRef("vote_round"), voter=user)
    votes = (
        open_votes()
        .annotate(may_vote=Exists(eligible), has_voted=Exists(voted))
        .filter(Q(committee__in=seats) | Q(may_vote=True))
    )
    for proposal in votes[:LIMIT]:
        note = ""
        if proposal.may_vote:
            note = " (you have voted)" if proposal.has_voted else " (your vote is awaited)"
        cal.add_component(vote_event(proposal, now, note))
    for meeting in meetings_around(timezone.localdate(), seats)[:LIMIT]:
        cal.add_component(meeting_event(meeting, now, member=True))
    return cal
