"""The agenda of a scheduled meeting, as markdown in the committee's own layout.

The layout is taken from the committee's latest notes (the newest meeting before this
one that has notes): its title line with the date written the same way, its headings as
it spells them, its bullet marker and the way its team headings join team and lead. What
is not found there falls back to the foundation's template (Agenda, Announcements, PMC
Lifecycle Activities, Discussion, Backlog Reviews). Under the lifecycle heading, every
open proposal is written with its number as a link (`[#12]`, a reference link defined at
the end), which is what the notes import reads back (`pmc.notes.numbers`).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import zoneinfo

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from pmc.models import Meeting, Project
from pmc.notes.structure import Document, plain_heading
from proposals import voting
from proposals.models import AgendaItem, ChecklistItem, EligibleVoter, Proposal, Vote
from proposals.states import State

# The foundation's sections, in order: each with the words that find it among the
# latest notes' headings, and its name when those notes have no such heading.
SECTIONS = (
    ("agenda", re.compile(r"^agenda\b", re.I), "Agenda"),
    ("announcements", re.compile(r"^announcements?\b", re.I), "Announcements"),
    ("lifecycle", re.compile(r"\blifecycle\b", re.I), "PMC Lifecycle Activities"),
    ("discussion", re.compile(r"^discussions?\b", re.I), "Discussion"),
    ("backlog", re.compile(r"^backlog\s+reviews?\b", re.I), "Backlog Reviews"),
)
# How a title may write its meeting's date; the first the latest title uses is kept.
DATE_FORMATS = ("%Y-%m-%d", "%m-%d-%Y", "%Y/%m/%d", "%m/%d/%Y", "%B %d, %Y", "%b %d, %Y",
                "%d %B %Y", "%B %-d, %Y", "%b %-d, %Y", "%-d %B %Y", "%Y%m%d")  # fmt: skip
_BULLET = re.compile(r"^(?P<marker>[*+-])\s+\S")


@dataclasses.dataclass
class Layout:
    """How the committee writes its notes, read from its latest ones."""

    title_level: str = "#"
    title: str = ""
    date_format: str = ""
    section_level: str = "##"
    headings: dict[str, str] = dataclasses.field(default_factory=dict)
    agenda_lines: list[str] = dataclasses.field(default_factory=list)
    bullet: str = "*"
    team_joiner: str = " - "


def latest_notes(meeting: Meeting) -> Meeting | None:
    """The committee's newest meeting before `meeting` whose notes are in."""
    return (
        Meeting.objects.filter(committee_id=meeting.committee_id, date__lt=meeting.date)
        .exclude(notes="")
        .order_by("-date")
        .first()
    )


def read_layout(notes: Meeting | None) -> Layout:
    layout = Layout()
    if notes is None:
        return layout
    document = Document(notes.notes)
    first = document.headings[0] if document.headings else None
    if first is not None and first.level == 1:
        layout.title_level = "#" * first.level
        layout.title = first.title
        for form in DATE_FORMATS:
            if notes.date.strftime(form) in first.title:
                layout.date_format = form
                break
    seconds = [h for h in document.headings if h.level == 2]
    if seconds:
        layout.section_level = "#" * seconds[0].level
    for key, words, _ in SECTIONS:
        found = next((h for h in seconds if words.search(plain_heading(h.title))), None)
        if found is not None:
            layout.headings[key] = found.title
            if key == "agenda":
                layout.agenda_lines = _section_lines(document, found)
    for line in layout.agenda_lines:
        bullet = _BULLET.match(line)
        if bullet:
            layout.bullet = bullet["marker"]
            break
    report = notes.team_reports.exclude(lead="").first()
    if report is not None:
        for heading in document.headings:
            title = heading.title
            if title.startswith(report.team) and title.endswith(report.lead):
                joiner = title[len(report.team) : len(title) - len(report.lead)]
                if joiner.strip(" -–—:|,") == "":
                    layout.team_joiner = joiner
                break
    return layout


def _section_lines(document: Document, heading) -> list[str]:
    after = [h.index for h in document.headings if h.index > heading.index]
    end = after[0] if after else len(document.lines)
    return [line.rstrip() for line in document.lines[heading.index + 1 : end] if line.strip()]


def title_for(meeting: Meeting, layout: Layout) -> str:
    """The latest title with the date changed, as the committee writes it; else one in
    the foundation's words."""
    if layout.title and layout.date_format:
        notes_date = latest_notes(meeting).date
        return layout.title.replace(
            notes_date.strftime(layout.date_format), meeting.date.strftime(layout.date_format)
        )
    return f"{meeting.committee} PMC Meeting {meeting.date:%Y-%m-%d}"


def _zone(meeting: Meeting):
    try:
        return zoneinfo.ZoneInfo(meeting.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def _day(moment: datetime.datetime | None, zone) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d") if moment else ""


def open_proposals(meeting: Meeting) -> list[Proposal]:
    """What the lifecycle section lists: proposals in discussion or voting, accepted ones
    with checklist items open, and those a chair put on this agenda (deferred ones come
    back this way), oldest first."""
    on_agenda = AgendaItem.objects.filter(meeting=meeting, proposal__isnull=False)
    open_items = ChecklistItem.objects.to_do().values("proposal")
    return list(
        Proposal.objects.filter(committee_id=meeting.committee_id)
        .filter(
            Q(state__in=[State.DISCUSSION, State.VOTING])
            | Q(state=State.ACCEPTED, pk__in=open_items)
            | Q(pk__in=on_agenda.values("proposal"))
        )
        .annotate(
            items_open=Count(
                "checklist", filter=Q(checklist__done=False, checklist__by_system=False)
            )
        )
        .order_by("pk")
    )


def closed_votes(meeting: Meeting, since: datetime.date | None) -> list[Proposal]:
    """Votes of the committee that closed after the latest notes' meeting day."""
    query = Proposal.objects.filter(committee_id=meeting.committee_id, vote_closed_at__isnull=False)
    if since is not None:
        query = query.filter(vote_closed_at__date__gt=since)
    return list(query.order_by("vote_closed_at", "pk"))


def _status(proposal: Proposal, zone) -> str:
    if proposal.state == State.VOTING:
        return f"voting, closes {_day(proposal.closes_at, zone)}"
    if proposal.state == State.ACCEPTED and proposal.items_open:
        count = proposal.items_open
        return f"accepted, {count} checklist item{'s' if count != 1 else ''} open"
    if proposal.state == State.DISCUSSION:
        return "in discussion"
    return proposal.get_state_display().lower()


def _results(closed: list[Proposal], zone) -> dict[int, str]:
    """{proposal id: its closed vote's result}, from its last round's votes, in two
    queries for all of them."""
    rounds = {p.pk: p.vote_round for p in closed}
    rows: dict[int, list] = {pk: [] for pk in rounds}
    eligible = dict.fromkeys(rounds, 0)
    votes = Vote.objects.filter(proposal__in=rounds).values_list(
        "proposal", "round", "value", "recused", "binding"
    )
    for pk, round_, value, recused, binding in votes:
        if round_ == rounds[pk]:
            rows[pk].append((value, recused, binding))
    voters = EligibleVoter.objects.filter(proposal__in=rounds).values_list("proposal", "round")
    for pk, round_ in voters:
        eligible[pk] += round_ == rounds[pk]
    results = {}
    for proposal in closed:
        tally = voting.count_rows(proposal.vote_rules, eligible[proposal.pk], rows[proposal.pk])
        counts = f"{tally.yes} for, {tally.no} against, {tally.abstain} abstaining"
        if tally.recused:
            counts += f", {tally.recused} recused"
        outcome = proposal.get_state_display().lower()
        day = _day(proposal.vote_closed_at, zone)
        results[proposal.pk] = f"vote closed {day}: {outcome}, {counts}"
    return results


def teams(meeting: Meeting, notes: Meeting | None) -> list[tuple[str, str]]:
    """The teams that reported in the latest notes, each with its current lead: the
    lead of the committee's project of that name, if the site knows one, else the lead
    the notes named."""
    if notes is None:
        return []
    reports = list(notes.team_reports.order_by("position", "pk").values_list("team", "lead"))
    leads = {
        name.casefold(): lead
        for name, lead in Project.objects.filter(committee_id=meeting.committee_id)
        .exclude(lead="")
        .values_list("name", "lead")
    }
    return [(team, leads.get(team.casefold(), lead)) for team, lead in reports]


def write(meeting: Meeting) -> str:
    """The agenda of `meeting`, as markdown."""
    notes = latest_notes(meeting)
    layout = read_layout(notes)
    zone = _zone(meeting)
    heading = {key: layout.headings.get(key, default) for key, _, default in SECTIONS}
    section = layout.section_level
    bullet = layout.bullet
    points = list(
        AgendaItem.objects.filter(meeting=meeting, proposal__isnull=True).order_by("added_at", "pk")
    )
    out = [f"{layout.title_level} {title_for(meeting, layout)}", ""]
    if meeting.starts_at is not None:
        # The call link is not written: the agenda is as public as the meeting's page,
        # which shows the link to the committee's members only.
        out += [meeting.local_start_label, ""]
    out += [f"{section} {heading['agenda']}", ""]
    agenda_lines = layout.agenda_lines or [f"{bullet} {heading[k]}" for k, _, _ in SECTIONS[1:]]
    out += agenda_lines
    out += [f"{bullet} {point.text}" for point in points]
    out += ["", f"{section} {heading['announcements']}", ""]
    out += [f"{section} {heading['lifecycle']}", ""]
    proposals = open_proposals(meeting)
    for proposal in proposals:
        out.append(f"- [#{proposal.pk}] {proposal.title} ({_status(proposal, zone)})")
    closed = closed_votes(meeting, notes.date if notes else None)
    if closed:
        out += ["", "Votes closed since the last meeting:", ""]
        results = _results(closed, zone)
        out += [f"- [#{p.pk}] {p.title} ({results[p.pk]})" for p in closed]
    if proposals or closed:
        out.append("")
    out += [f"{section} {heading['discussion']}", ""]
    if points:
        out += [f"- {point.text}" for point in points]
        out.append("")
    out += [f"{section} {heading['backlog']}", ""]
    for team, lead in teams(meeting, notes):
        name = f"{team}{layout.team_joiner}{lead}" if lead else team
        out += [f"{section}# {name}", ""]
    numbered = sorted({p.pk for p in [*proposals, *closed]})
    if numbered:
        site = settings.PMC_SITE_URL
        out += [f"[#{pk}]: {site}{reverse('proposals:detail', args=[pk])}" for pk in numbered]
    return "\n".join(out).rstrip("\n") + "\n"
