"""Committees, their members, the projects they steward and the meetings they hold."""

from __future__ import annotations

import datetime
import json
import zoneinfo

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from pmc.markup import render_markdown
from pmc.search import document_index
from pmc.text import validate_single_line


class PassRule(models.TextChoices):
    MAJORITY = "majority", "More binding +1 than binding -1"
    TWO_THIRDS_CAST = "two_thirds_cast", "Two-thirds of the binding +1/-1 votes cast"
    TWO_THIRDS_ELIGIBLE = "two_thirds_eligible", "Two-thirds of the eligible voters"


class Committee(models.Model):
    """A Project Management Committee (PMC) and its voting policy."""

    name = models.CharField(
        max_length=100,
        unique=True,
        validators=[validate_single_line],
        help_text="e.g. Runtime, BOSH.",
    )
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    pass_rule = models.CharField(
        max_length=32,
        choices=PassRule.choices,
        default=PassRule.MAJORITY,
        help_text="How binding votes decide a proposal once quorum is met.",
    )
    vote_duration_hours = models.PositiveIntegerField(
        default=72,
        validators=[MinValueValidator(72)],
        help_text="How long a vote stays open; at least 72 hours.",
    )
    quorum_extensions = models.PositiveSmallIntegerField(
        default=1,
        help_text="How many times a vote that missed quorum is extended before it is deferred.",
    )
    extension_hours = models.PositiveIntegerField(
        default=72,
        validators=[MinValueValidator(1)],
        help_text="How long each quorum extension lasts.",
    )
    discussion_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="How long a proposal is discussed before its vote: after this many days "
        "in discussion, the chair's home page lists it as ready for a vote.",
    )
    meeting_quorum = models.PositiveSmallIntegerField(
        default=0,
        help_text="How many binding members must attend a meeting for a decision recorded "
        "there to stand; 0 for no meeting quorum.",
    )
    proxy_votes = models.BooleanField(
        default=True,
        help_text="Whether the chair may record a vote a member gave them outside the site "
        "(in a meeting, by phone), on that member's behalf.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_duration_hours__gte=72), name="committee_vote_at_least_72h"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def voting_rules(self) -> dict:
        """The rules a proposal freezes when its vote starts."""
        return {
            "pass_rule": self.pass_rule,
            "quorum": "more_than_half_of_eligible",
            "duration_hours": self.vote_duration_hours,
            "quorum_extensions": self.quorum_extensions,
            "extension_hours": self.extension_hours,
        }


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    CHAIR = "chair", "Chair"


class MembershipQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on), started_on__lte=on)

    def chairs(self) -> MembershipQuerySet:
        return self.filter(role=Role.CHAIR)


class Membership(models.Model):
    """A user's seat on a committee. Seats end; they are never deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(
        null=True, blank=True, help_text="Empty while the seat is held; emeritus after this day."
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "committee"],
                condition=Q(ended_on__isnull=True),
                name="one_open_membership_per_committee",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.committee})"


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    INCUBATING = "incubating", "Incubating"
    ACTIVE = "active", "Active"
    ATTIC = "attic", "Attic"


class ProjectQuerySet(models.QuerySet):
    def called(self, name: str) -> ProjectQuerySet:
        """Projects called `name` now, in any case: read through the index on UPPER(name)
        (`iexact` compares the same way, UPPER on PostgreSQL and ASCII-only on SQLite,
        whose LIKE folds what its upper() folds, but uses no index on either)."""
        return self.alias(upper_name=Upper("name")).filter(upper_name=Upper(Value(name)))

    def named(self, name: str) -> ProjectQuerySet:
        """Projects called `name` now or before a rename (case-insensitive). Matching
        former names reads the whole table."""
        # former_names is a JSON list matched as text: an element reads `"name"` with JSON
        # escapes, which SQLite keeps (\u00e9) and PostgreSQL prints unescaped.
        match = Q(name__iexact=name)
        for element in {json.dumps(name), json.dumps(name, ensure_ascii=False)}:
            match |= Q(former_names__icontains=element)
        return self.filter(match)


class Project(models.Model):
    """A project stewarded by a committee."""

    name = models.CharField(max_length=200, unique=True, validators=[validate_single_line])
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="projects")
    status = models.CharField(
        max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    repository_urls = models.JSONField(default=list, blank=True, help_text="List of URLs.")
    lead = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Name of the project lead.",
    )
    former_names = models.JSONField(
        default=list, blank=True, help_text="Names before renames, oldest first."
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # Upper, not Lower: PostgreSQL's iexact compares UPPER(), which folds more
            # together than LOWER() (ſ and s, ς and σ), so names taken stay taken.
            models.Index(Upper("name"), name="pmc_project_upper_name"),
            document_index("pmc.Project", "pmc_project_search"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("proposals:project_detail", args=[self.pk])


class MeetingQuerySet(models.QuerySet):
    def held_between(self, first: datetime.date, last: datetime.date) -> MeetingQuerySet:
        """Meetings held on `first`, on `last` or between them."""
        return self.filter(date__gte=first, date__lte=last)

    def upcoming(self, today: datetime.date) -> MeetingQuerySet:
        """Scheduled meetings from `today` on, cancelled ones included (shown so)."""
        return self.filter(date__gte=today, starts_at__isnull=False)


class Meeting(models.Model):
    """A committee meeting and its notes."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    title = models.CharField(max_length=300)
    notes = models.TextField(blank=True, help_text="The notes in markdown.")
    notes_html = models.TextField(blank=True, editable=False)
    source = models.CharField(
        max_length=500, blank=True, help_text="Where the notes came from (file path)."
    )
    original_notes = models.TextField(
        blank=True,
        editable=False,
        help_text="The imported file's text as read, before its encoding was repaired.",
    )
    source_sha256 = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of the imported file's bytes: which version of the file it is.",
    )
    imported_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the file was last imported."
    )
    starts_at = models.DateTimeField(
        null=True, blank=True, help_text="When a scheduled meeting starts; empty for notes only."
    )
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="The IANA zone the chair scheduled it in."
    )
    call_link = models.URLField(max_length=500, blank=True, help_text="The call's https link.")
    schedule_note = models.TextField(blank=True, help_text="The chair's note to the members.")
    cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the chair cancelled it; it stays, marked so."
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "committee"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="one_meeting_per_day"),
        ]
        indexes = [document_index("pmc.Meeting", "pmc_meeting_search")]

    def __str__(self) -> str:
        return f"{self.committee} {self.date:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        # Rendered once per text, not again when only the title or source changes.
        if self.notes != getattr(self, "_rendered_notes", None):
            self.notes_html = render_markdown(self.notes)
            self._rendered_notes = self.notes
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("proposals:meeting_detail", args=[self.pk])

    @property
    def is_scheduled(self) -> bool:
        """Scheduled in the tool, and its notes not yet in."""
        return self.starts_at is not None and self.imported_at is None and not self.notes

    @property
    def local_start(self) -> datetime.datetime | None:
        """The start in the zone the chair chose."""
        if self.starts_at is None:
            return None
        try:
            zone = zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = datetime.UTC
        return self.starts_at.astimezone(zone)

    @property
    def local_start_label(self) -> str:
        """The start as the chair set it: "2026-12-14 17:30 Europe/Berlin"."""
        start = self.local_start
        return f"{start:%Y-%m-%d %H:%M} {self.time_zone or 'UTC'}" if start else ""

    @classmethod
    def from_db(cls, db, field_names, values):
        meeting = super().from_db(db, field_names, values)
        meeting._rendered_notes = meeting.__dict__.get("notes")
        return meeting


def meeting_time(date: datetime.date) -> datetime.datetime:
    """When something that happened in a meeting on `date` is recorded: noon UTC, but
    never later than now (a meeting held today is recorded when it is recorded)."""
    return min(datetime.datetime.combine(date, datetime.time(12), datetime.UTC), timezone.now())


class TeamReport(models.Model):
    """A team's report in a meeting's backlog review."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="team_reports")
    position = models.PositiveIntegerField(default=0)
    team = models.CharField(max_length=200)
    lead = models.CharField(max_length=200, blank=True, help_text="Empty when none is named.")
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        indexes = [document_index("pmc.TeamReport", "pmc_teamreport_search")]

    def __str__(self) -> str:
        return f"{self.team} ({self.lead or 'no lead'})"


class Attendance(models.Model):
    """Someone who attended a meeting: a person with an account, or a guest by name."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance",
    )
    guest_name = models.CharField(
        max_length=200, blank=True, help_text="A guest without an account, by name."
    )
    binding = models.BooleanField(
        default=False,
        help_text="Held a seat on the committee on the meeting's date: counts for its quorum.",
    )

    class Meta:
        ordering = ["meeting", "-binding", "guest_name", "user_id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(guest_name=""))
                | (Q(user__isnull=True) & ~Q(guest_name="")),
                name="attendance_user_or_guest",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"], name="attended_once", condition=Q(user__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name or self.user} at {self.meeting}"


class MinutesVersion(models.Model):
    """A version of a meeting's notes proposed as its minutes; approved minutes are
    frozen, and a later change to the notes becomes the next version, with its reason."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    number = models.PositiveIntegerField()
    notes = models.TextField(help_text="The notes as they stood in this version.")
    notes_sha256 = models.CharField(max_length=64)
    reason = models.TextField(
        blank=True, help_text="Why the notes changed after an earlier version was approved."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system (the notes import) made the version.",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_in = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="minutes_approved",
        help_text="The meeting whose members present approved this version.",
    )
    approved_present = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Binding members present when it was approved."
    )

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_minutes_number"),
        ]

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}, version {self.number}"
