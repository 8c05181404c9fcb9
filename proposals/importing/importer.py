"""One notes file imported (`Importer.one`): its meeting and team reports; the project
of each lifecycle item, found through an index of the projects' names, former names and
repositories kept up to date from the audit log; the item's proposal, created or found,
linked to the meeting and moved on as the notes record; and, for a chair's import, the
links to other committees' proposals suggested to their chairs."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils.text import slugify

from pmc import markup
from pmc.models import Committee, Meeting, Project, meeting_time
from pmc.notes import (
    LifecycleMention,
    MeetingNotes,
    NotMeeting,
    Unreadable,
    committee_from_path,
    meeting_date,
    read_notes,
    skip_reason,
)
from proposals import actions, audit, events
from proposals.actors import IMPORT
from proposals.errors import ConditionNotMet, LifecycleError
from proposals.importing.candidates import choose
from proposals.importing.files import NoteFile, dated_after_today
from proposals.importing.locks import one_file_at_a_time
from proposals.importing.numbered import certain, resolved
from proposals.importing.projects import cleaned, index_keys, lookup_keys
from proposals.importing.readings import FileReadings, corrected
from proposals.importing.results import FileResult, ProposalChange
from proposals.kinds import KINDS
from proposals.models import Event, Proposal, ProposalMeeting, Reading
from proposals.outcomes import held_steps, steps_to
from proposals.states import ReadingStatus, State

# How many projects a refresh of the importer's index reads per query.
_REFRESH_BATCH = 500
# The events that record a change to a project (created, renamed, ...): the only ones a
# refresh of the index reads the project of. Other events name a project too (those of
# its proposals), without changing it.
_PROJECT_CHANGES = frozenset(
    {
        events.PROJECT_CREATED,
        events.PROJECT_UPDATED,
        events.PROJECT_STATUS_CHANGED,
        events.PROJECT_RENAMED,
        events.PROJECT_LEAD_CHANGED,
    }
)


def _newest_event_id() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


class Importer:
    """Imports notes files one by one (`one`), keeping what the files before it found:
    the committees, the index of the projects, the meetings seen in this run."""

    def __init__(
        self,
        *,
        committee: str | Committee | None,
        actor=IMPORT,
        dry_run: bool = False,
        leave_out: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.actor, self.dry_run = actor, dry_run
        # (file name, item key) of the items not to import, recorded as dismissed
        self.leave_out: dict[str, set[str]] = {}
        for name, key in leave_out:
            self.leave_out.setdefault(name, set()).add(key)
        self.committees: dict[str, Committee | None] = {}
        if isinstance(committee, Committee):
            # The very committee given, not another one its name could also match.
            self.committees[committee.name.casefold()] = committee
            committee = committee.name
        self.committee_name = committee
        self._projects: dict[str, int] | None = None  # name, former name or URL -> id
        self.project_rows: dict[int, Project] = {}
        self._events_seen = 0  # the newest event the index of projects has caught up with
        self._stale = False  # whether others may have changed projects since the refresh
        self._dropped: set[str] = set()  # keys of the index a changed project no longer has
        self.meetings_seen: dict[tuple[str, datetime.date], str] = {}
        # committee id -> {date: (meeting id, SHA-256 of its file)}, as before this run
        self.imported: dict[int, dict[datetime.date, tuple[int, str]]] = {}
        self.candidates: dict[tuple[str, int], list[Proposal]] = {}
        self._chaired: set[int] | None | bool = False  # not looked up yet
        self.names: dict[int, str] = {}  # committee id -> name

    def chaired(self) -> set[int] | None:
        """The committees whose rows the actor changes: those a chair chairs, or None
        for the import and administrators, who change every committee's."""
        if self._chaired is False:
            self._chaired = actions.chaired_committee_ids(self.actor)
        return self._chaired

    def may_write(self, committee_id: int) -> bool:
        chaired = self.chaired()
        return chaired is None or committee_id in chaired

    def name_of(self, committee_id: int) -> str:
        if committee_id not in self.names:
            names = Committee.objects.values_list("name", flat=True)
            self.names[committee_id] = names.get(pk=committee_id)
        return self.names[committee_id]

    def one(self, file: NoteFile) -> FileResult:
        if file.problem:  # before anything else: a mistyped folder is no markdown file
            return FileResult(file.name, "failed", file.problem)
        reason = skip_reason(file.name)
        if reason is not None:
            return FileResult(file.name, "skipped", reason)
        try:
            data = file.read()
        except OSError as error:
            why = error.strerror or str(error)
            return FileResult(file.name, "failed", f"cannot read the file: {why}")
        limit = markup.notes_max_chars()
        if len(data) > 4 * limit:  # more characters than the limit, however encoded
            return FileResult(
                file.name,
                "failed",
                f"too large: {len(data):,} bytes; notes files of at most {limit:,} characters "
                "are imported (PMC_NOTES_MAX_CHARS). Split the file.",
            )
        duplicate = self.duplicate(file.name)
        if duplicate is not None:
            return duplicate
        unchanged = self.unchanged(file.name, data)
        if unchanged is not None:
            return unchanged
        notes = read_notes(file.name, data, committee=self.committee_name)
        if isinstance(notes, NotMeeting):
            return FileResult(file.name, "skipped", notes.reason)
        if isinstance(notes, Unreadable):
            return FileResult(file.name, "failed", notes.reason)
        future = dated_after_today(notes.date)
        if future:
            return FileResult(file.name, "failed", future, date=notes.date)
        try:
            markup.check_markup(notes.text, limit=limit)
        except markup.MarkupTooComplex as refused:
            return FileResult(file.name, "failed", f"cannot be rendered: {refused}")
        result = FileResult(
            file.name,
            "",
            committee=notes.committee,
            date=notes.date,
            repairs=notes.repairs,
            readings=notes.mentions,
        )
        saved = self.save_caches()
        try:
            with (
                transaction.atomic(),
                audit.deferred(),  # the file's events written together
                markup.allow_chars(limit),  # notes are longer than a form's text
            ):
                if not self.dry_run:
                    one_file_at_a_time()
                self._stale = True  # others may have changed projects before the file's turn
                self.meeting(notes, result)
        except Exception as error:  # one bad file must not stop the others
            self.restore_caches(saved)
            result.status, result.reason = "failed", _describe(error)
            result.proposals = []
        return result

    def duplicate(self, name: str) -> FileResult | None:
        """A second file with the notes of a meeting already imported in this run (the
        same committee and date, e.g. a copy left behind when files moved to year
        folders) is skipped, so that the first one, by name, always wins."""
        date = meeting_date(name)
        committee_name = (self.committee_name or "").strip() or committee_from_path(name)
        if date is None or not committee_name:
            return None
        key = (slugify(committee_name) or committee_name.casefold(), date)
        first = self.meetings_seen.setdefault(key, name)
        if first == name:
            return None
        return FileResult(name, "skipped", f"the same meeting as {first}, imported first")

    def unchanged(self, name: str, data: bytes) -> FileResult | None:
        """The result for a file imported before with these very bytes (found without
        parsing it), or None."""
        date = meeting_date(name)
        committee_name = (self.committee_name or "").strip() or committee_from_path(name)
        if date is None or not committee_name:
            return None
        committee = self.find_committee(committee_name)
        if committee is None:
            return None
        if committee.pk not in self.imported:
            meetings = Meeting.objects.filter(committee=committee).values_list(
                "date", "pk", "source_sha256"
            )
            self.imported[committee.pk] = {day: (pk, sha) for day, pk, sha in meetings}
        meeting_id, sha256 = self.imported[committee.pk].get(date, (None, None))
        if meeting_id is None or sha256 != hashlib.sha256(data).hexdigest():
            return None
        return FileResult(
            name, "unchanged", committee=committee.name, date=date, meeting_id=meeting_id
        )

    def save_caches(self) -> tuple:
        projects = None if self._projects is None else dict(self._projects)
        seen = (self._events_seen, set(self._dropped))
        return dict(self.committees), projects, dict(self.project_rows), seen

    def restore_caches(self, saved: tuple) -> None:
        """Forget rows created inside a transaction that was rolled back."""
        self.committees, self._projects, self.project_rows, seen = saved
        self._events_seen, self._dropped = seen

    # Meetings

    def meeting(self, notes: MeetingNotes, result: FileResult) -> None:
        committee = self.committee(notes.committee, at=meeting_time(notes.date))
        result.committee = committee.name
        meeting, status, changed = actions.do_import_meeting(
            actor=self.actor,
            committee=committee,
            date=notes.date,
            title=notes.title,
            notes=notes.text,
            original_notes=notes.original,
            source=notes.source,
            source_sha256=notes.sha256,
            team_reports=tuple((r.team, r.lead, r.body) for r in notes.team_reports),
            reason=f"Imported from {notes.source}.",
        )
        result.status, result.meeting_id, result.changed = status, meeting.pk, changed
        if status == "unchanged":
            return
        result.team_reports = len(notes.team_reports)
        new = status == "created"
        readings = FileReadings(
            meeting, actor=self.actor, new=new, leave_out=self.leave_out.get(notes.name, set())
        )
        mentions = self.readings(resolved(notes.mentions, committee, result), readings, result)
        self.candidates = self.prefetch_proposals([m for m, _ in mentions], meeting, new=new)
        links = _Links(meeting, self.actor)
        try:
            for mention, reading in mentions:
                change = self.proposal(mention, meeting, links, new=new, reading=reading)
                result.proposals.append(change)
            links.flush()
        finally:
            self.candidates = {}
        readings.save()
        if not new and not any(change.action == "failed" for change in result.proposals):
            # What the edited notes no longer mention is no longer linked to the meeting
            # (nor suggested); another committee's links are not the actor's to remove.
            unlinked = actions.do_unlink_meeting_notes(
                meeting=meeting,
                actor=self.actor,
                keep=links.seen | self.others_linked(meeting),
                reason=f"No longer in {notes.source}.",
            )
            result.unlinked = len(unlinked)
            if self.chaired() is not None:  # a chair's import: it may have suggested links
                actions.do_withdraw_link_suggestions(
                    meeting=meeting,
                    actor=self.actor,
                    keep=links.seen | links.suggested,
                    reason=f"No longer in {notes.source}.",
                )

    @staticmethod
    def readings(
        mentions: Iterable[LifecycleMention], readings: FileReadings, result: FileResult
    ) -> list[tuple[LifecycleMention, Reading]]:
        """Each item to import, as a chair corrected it, with its reading; an item whose
        reading was dismissed (or that is left out now) is reported and not imported."""
        kept = []
        for mention in mentions:
            reading = readings.read(mention)
            if reading.status == ReadingStatus.DISMISSED:
                why = reading.review_reason or "dismissed as misread"
                note = f"not imported: {why[:1].lower()}{why[1:].rstrip('.')}"
                result.proposals.append(
                    ProposalChange(mention.kind, mention.project, "skipped", note=note)
                )
                continue
            kept.append((corrected(mention, reading), reading))
        return kept

    def others_linked(self, meeting: Meeting) -> set[int]:
        """The proposals of committees the actor does not chair linked to the meeting
        from its notes: a chair's import leaves those links alone."""
        chaired = self.chaired()
        if chaired is None:
            return set()
        return set(
            ProposalMeeting.objects.filter(meeting=meeting, from_notes=True)
            .exclude(proposal__committee__in=chaired)
            .values_list("proposal_id", flat=True)
        )

    def find_committee(self, name: str) -> Committee | None:
        """The committee by name or slug; one not found is looked up again next time
        (another import may create it meanwhile)."""
        key = name.casefold()
        if self.committees.get(key) is None:
            self.committees[key] = Committee.objects.filter(
                Q(name__iexact=name) | Q(slug=slugify(name))
            ).first()
        return self.committees[key]

    def committee(self, name: str, *, at: datetime.datetime | None = None) -> Committee:
        found = self.find_committee(name)
        if found is None:
            found = actions.do_create_committee(
                actor=self.actor, name=name, at=at, reason="A folder of imported meeting notes."
            )
            self.committees[name.casefold()] = found
        return found

    # Proposals

    def proposal(
        self,
        mention: LifecycleMention,
        meeting: Meeting,
        links: _Links,
        *,
        new: bool,
        reading: Reading,
    ) -> ProposalChange:
        """Create or find the item's proposal, link it to the meeting and move it on as
        far as its reading allows (`proposals.outcomes`: the steps held wait for a chair
        to confirm the reading). A refused step is reported; what was done before it
        stays (the proposal is then where the refusal left it)."""
        change = ProposalChange(mention.kind, mention.project, "created")
        try:
            if mention.number:
                proposal = self.numbered(mention, meeting, change)
                certain(reading)
            elif reading.status == ReadingStatus.MERGED and reading.proposal_id:
                proposal = self.merged_into(reading, meeting, change)
            else:
                proposal = self.find_or_create(mention, meeting, change, new=new)
        except LifecycleError as error:
            change.action, change.note = "failed", str(error)
            reading.proposal, reading.held = None, []
            return change
        change.proposal_id, change.title = proposal.pk, proposal.title
        reading.proposal = proposal
        reading.created_proposal = reading.created_proposal or change.action == "created"
        reading.held = []
        if not self.may_write(proposal.committee_id):
            self.suggest(proposal, mention, meeting, change, links)
            change.state = proposal.get_state_display().lower()
            return change
        links.add(proposal, mention)
        merged = reading.status == ReadingStatus.MERGED
        steps = [] if merged else steps_to(proposal.state, mention.outcome)
        take, held = held_steps(steps, confidence=mention.confidence, status=reading.status)
        if take:
            links.flush()  # linked to the meeting before it moves on
            proposal = self.advance(proposal, mention, meeting, change, take)
            reading.taken = list(dict.fromkeys([*reading.taken, *change.steps]))
        if held and len(change.steps) == len(take):  # not stopped before the held steps
            reading.held = held
            waiting = f"{' -> '.join(held)} held until a chair confirms the reading"
            change.note = f"{change.note}; {waiting}" if change.note else waiting
        if change.steps and change.action == "unchanged":
            change.action = "updated"
        change.state = proposal.get_state_display().lower()
        return change

    @staticmethod
    def numbered(mention: LifecycleMention, meeting: Meeting, change: ProposalChange) -> Proposal:
        """The proposal the line names by number (`numbered.resolved` checked it is the
        meeting's committee's): linked, then moved on as the line records."""
        proposal = Proposal.objects.get(pk=mention.number)
        linked = ProposalMeeting.objects.filter(proposal=proposal, meeting=meeting).exists()
        change.action = "unchanged" if linked else "linked"
        change.project = proposal.project.name if proposal.project_id else f"#{proposal.pk}"
        return proposal

    @staticmethod
    def merged_into(reading: Reading, meeting: Meeting, change: ProposalChange) -> Proposal:
        """The proposal a chair merged the item's reading into: linked, not moved on."""
        proposal = Proposal.objects.get(pk=reading.proposal_id)
        linked = ProposalMeeting.objects.filter(proposal=proposal, meeting=meeting).exists()
        change.action = "unchanged" if linked else "linked"
        change.note = f"merged into #{proposal.pk} by a chair"
        return proposal

    def find_or_create(
        self, mention: LifecycleMention, meeting: Meeting, change: ProposalChange, *, new: bool
    ) -> Proposal:
        """The item's proposal: one raised before (with what this meeting adds filled in)
        or a new one; `change` says which."""
        at = meeting_time(meeting.date)
        project, created = self.project(mention, meeting.committee, at)
        change.project = project.name
        found = None if created else self.find_proposal(mention, project, meeting, new=new)
        if found is None:
            if not self.may_write(project.committee_id):
                committee = project.committee
                raise LifecycleError(
                    f"{project} belongs to {committee}: only the chair of {committee} or an "
                    "administrator may file a proposal there from notes."
                )
            return actions.do_create_proposal(
                actor=self.actor,
                committee=project.committee,
                kind=mention.kind,
                title=_title(mention, project),
                body=mention.excerpt,
                project=project,
                proposing_team=mention.proposing_team,
                condition=mention.condition,
                new_name=mention.new_name,
                new_lead=mention.new_lead,
                at=at,
                from_notes=True,
            )
        proposal, linked = found
        change.action = "unchanged" if linked else "linked"
        if self.may_write(proposal.committee_id) and self.add_details(proposal, mention, meeting):
            proposal = Proposal.objects.get(pk=proposal.pk)
            change.action = "updated"
        return proposal

    def project(self, mention: LifecycleMention, committee: Committee, at) -> tuple[Project, bool]:
        """The project an item is about, by repository, name, former name or alias in
        any spelling (`proposals.importing.projects`), and whether it was created now,
        under its cleaned name, in the committee the notes name, else the meeting's,
        because the registry lacked it."""
        known = self.known_project(mention)
        if known is None and self.refresh_projects():  # created or renamed meanwhile?
            known = self.known_project(mention)
        if known is not None:
            return self.project_row(known), False
        name = (cleaned(mention.project) or mention.project)[:200]
        if self._dropped.intersection(self.project_keys(mention)):
            # A key a changed project gave up, which another project may still have.
            found = self.named(name)
            if found is not None:
                return found, False
        if mention.committee_hint:
            hinted = self.find_committee(mention.committee_hint)
            committee = hinted or committee
        try:
            project = actions.do_create_project(
                committee=committee,
                actor=self.actor,
                name=name,
                status=KINDS[mention.kind].new_project_status,
                repository_urls=[mention.repository_url] if mention.repository_url else [],
                reason="Named in imported meeting notes.",
                at=at,
            )
        except ConditionNotMet:
            # The name is taken by a project the index knows by another key (a name
            # that folds differently), or that someone created since the refresh.
            found = self.named(name)
            if found is None:
                raise
            return found, False
        self.remember(project)
        return project, True

    def named(self, name: str) -> Project | None:
        """The project called `name` now or before, looked up in the database (reading
        the whole table): only when the index cannot say."""
        found = Project.objects.named(name).select_related("committee").first()
        if found is not None:
            self.remember(found)
        return found

    @staticmethod
    def project_keys(mention: LifecycleMention) -> tuple[str, ...]:
        """The index keys to find the item's project by, closest first."""
        return lookup_keys([mention.project, mention.subject], mention.repository_url)

    def known_project(self, mention: LifecycleMention) -> int | None:
        """The id of the project the registry knows the item by (its repository, current
        or former name, an alias in parentheses, or a spelling of one of them), if
        any, in whichever committee."""
        index = self.project_index()
        for key in self.project_keys(mention):
            if key in index:
                return index[key]
        return None

    def project_row(self, pk: int) -> Project:
        if pk not in self.project_rows:
            self.project_rows[pk] = Project.objects.select_related("committee").get(pk=pk)
        return self.project_rows[pk]

    def project_index(self) -> dict[str, int]:
        """The index of the projects, brought up to date with what others changed before
        the file's turn when a file first needs it (a file that names no item needs no
        project: its turn reads nothing)."""
        if self._projects is None:
            # The newest event first, then the projects: a change recorded after it is
            # read again by the next refresh, even if the projects read include it.
            self._events_seen = _newest_event_id()
            self._projects = {}
            for project in Project.objects.select_related("committee"):
                self.remember(project)
            self._stale = False
        elif self._stale:
            self.refresh_projects()
        return self._projects

    def refresh_projects(self) -> bool:
        """Bring the index up to date with the projects created, renamed or changed since
        it was read, and say whether any were. The audit log says which: each change to
        a project is recorded, in its transaction, by an event naming the project, and
        events are appended under the chain's lock, so their ids grow in the order their
        transactions commit. The events after the newest one seen are read by their
        primary key, and the projects that those recording a change to a project name
        (`_PROJECT_CHANGES`; a proposal's events name its project too) by theirs: no
        lookup by name, which would read the whole table."""
        if self._projects is None:
            return False  # read whole when first needed
        self._stale = False
        changed = set()
        newer = Event.objects.filter(pk__gt=self._events_seen).order_by("pk")
        for pk, project_id, action in newer.values_list("pk", "project_id", "action").iterator():
            self._events_seen = pk
            if project_id is not None and action in _PROJECT_CHANGES:
                changed.add(project_id)
        if not changed:
            return False
        pks = sorted(changed)
        rows: dict[int, Project] = {}
        for start in range(0, len(pks), _REFRESH_BATCH):
            batch = pks[start : start + _REFRESH_BATCH]
            rows.update(Project.objects.select_related("committee").in_bulk(batch))
        for pk in pks:
            if pk in rows:
                self.remember(rows[pk])
            elif pk in self.project_rows:  # no longer there
                self.forget(self.project_rows.pop(pk))
        return True

    def remember(self, project: Project) -> None:
        """Keep the project's row, and index it by its names and repositories (a key
        already taken stays with the project that had it first); a newer row of a
        project replaces what the index had from the older one."""
        old = self.project_rows.get(project.pk)
        self.project_rows[project.pk] = project
        index = self._projects
        if index is None:
            return  # loaded from the database when first needed
        if old is not None and old is not project:
            self.forget(old)
        for key in index_keys(project):
            index.setdefault(key, project.pk)
            self._dropped.discard(key)

    def forget(self, project: Project) -> None:
        """Take the keys of this row of the project out of the index."""
        for key in index_keys(project):
            if self._projects.get(key) == project.pk:
                del self._projects[key]
                self._dropped.add(key)

    def prefetch_proposals(
        self, mentions: list[LifecycleMention], meeting: Meeting, *, new: bool
    ) -> dict[tuple[str, int], list[Proposal]]:
        """The proposals `find_proposal` would read for the items of one file whose
        project the registry knows, read in one query instead of one per item: by kind
        and project, as `find_proposal` orders them. Each list is used once: what an item
        changes is only ever its own kind and project's proposals, which are read again
        if a later item of the file is about the same ones."""
        wanted = set()
        for mention in mentions:
            known = self.known_project(mention)
            if known is not None:
                wanted.add((mention.kind, known))
        if len(wanted) < 2:
            return {}
        query = Proposal.objects.filter(
            kind__in={kind for kind, _ in wanted}, project__in={pk for _, pk in wanted}
        )
        found: dict[tuple[str, int], list[Proposal]] = {key: [] for key in wanted}
        for proposal in _newest_first(query, meeting, new=new):
            key = (proposal.kind, proposal.project_id)
            if key in found:
                found[key].append(proposal)
        return found

    def find_proposal(
        self, mention: LifecycleMention, project: Project, meeting: Meeting, *, new: bool
    ) -> tuple[Proposal, bool] | None:
        """The proposal this item belongs to, and whether it is linked to the meeting
        already: of the same kind and project, in any committee, the one linked to this
        meeting, else one still open or decided recently (`candidates.choose`), else
        None: the item raises a new proposal."""
        candidates = self.candidates.pop((mention.kind, project.pk), None)
        if candidates is None:
            query = Proposal.objects.filter(kind=mention.kind, project=project)
            candidates = list(_newest_first(query, meeting, new=new))
        return choose(candidates, mention, meeting_time(meeting.date))

    def suggest(
        self,
        proposal: Proposal,
        mention: LifecycleMention,
        meeting: Meeting,
        change: ProposalChange,
        links: _Links,
    ) -> None:
        """A proposal of a committee the actor does not chair: its link to the meeting
        is suggested to that committee's chair (once; a decision stands), and nothing
        of the proposal changes."""
        name = self.name_of(proposal.committee_id)
        links.suggested.add(proposal.pk)
        if change.action == "unchanged":  # linked already, by the import or its chair
            change.note = f"a proposal of {name}; its link to this meeting stays as it is"
            return
        suggestion, status = actions.do_suggest_meeting_link(
            meeting=meeting,
            proposal=proposal,
            actor=self.actor,
            section=mention.section,
            excerpt=mention.excerpt,
        )
        if status == "decided":
            decided = "confirmed" if suggestion.accepted else "dismissed"
            change.action = "unchanged"
            change.note = (
                f"a proposal of {name}, whose chair {decided} linking it to this meeting; "
                "not suggested again"
            )
            return
        change.action, change.suggested_to = "suggested", name
        waiting = "suggested before, still" if status == "unchanged" else "the link is"
        change.note = f"a proposal of {name}: {waiting} waiting for the chair of {name} to confirm"

    def add_details(self, proposal: Proposal, mention: LifecycleMention, meeting) -> bool:
        """Fill in what a later meeting adds (the new lead, a condition), never
        overwriting what the proposal says."""
        changes = {
            name: value
            for name, value in (
                ("new_lead", mention.new_lead),
                ("new_name", mention.new_name),
                ("condition", mention.condition),
                ("proposing_team", mention.proposing_team),
            )
            if value and not getattr(proposal, name)
        }
        if not changes or proposal.state not in (State.DRAFT, State.DISCUSSION):
            return False
        actions.do_edit_proposal(
            proposal=proposal,
            actor=self.actor,
            reason=f"Added from the notes of {meeting.committee} {meeting.date:%Y-%m-%d}.",
            **changes,
        )
        return True

    def advance(
        self,
        proposal: Proposal,
        mention: LifecycleMention,
        meeting: Meeting,
        change: ProposalChange,
        steps: list[str],
    ) -> Proposal:
        """Move the proposal through `steps`, its transitions to where the notes leave
        it (as far as its reading allows)."""
        at = meeting_time(meeting.date)
        reason = _reason(mention, meeting)
        moves = {"at": at, "reason": reason, "actor": self.actor}
        try:
            for step in steps:
                if step == "submit":
                    missing = KINDS[mention.kind].detail
                    if missing and not getattr(proposal, missing.field):
                        change.note = f"kept in draft: the notes do not name {missing.wording}"
                        return proposal
                    proposal = actions.do_submit(proposal=proposal, **moves)
                elif step == "resume":
                    proposal = actions.do_resume(proposal=proposal, **moves)
                elif step == "defer":
                    proposal = actions.do_defer(proposal=proposal, **moves)
                elif step == "decide":
                    accepted = mention.outcome != "rejected"
                    proposal = actions.do_decide(
                        proposal=proposal, accepted=accepted, meeting=meeting, **moves
                    )
                elif step == "complete":
                    proposal = self.complete(proposal, at=at, reason=reason)
                change.steps.append(step)
        except LifecycleError as error:
            state = proposal.get_state_display().lower()
            change.note = f"stopped at {state}: {error}"
        return proposal

    def complete(self, proposal: Proposal, *, at, reason: str) -> Proposal:
        """Tick what is left of the checklist (the notes say it is done) and complete."""
        for item in proposal.checklist.to_do().order_by("position", "id"):
            actions.do_set_checklist_item(item=item, actor=self.actor, done=True, at=at)
        proposal = actions.do_complete(proposal=proposal, actor=self.actor, at=at, reason=reason)
        self.remember(Project.objects.select_related("committee").get(pk=proposal.project_id))
        return proposal


class _Links:
    """The proposals a file's items came up with, linked to its meeting together (one
    action, one event each) when a proposal is about to move on and at the end."""

    def __init__(self, meeting: Meeting, actor) -> None:
        self.meeting, self.actor = meeting, actor
        self.pending: list[actions.MeetingLink] = []
        self.seen: set[int] = set()
        self.suggested: set[int] = set()  # proposals of other committees, suggested

    def add(self, proposal: Proposal, mention: LifecycleMention) -> None:
        self.pending.append(actions.MeetingLink(proposal.pk, mention.section, mention.excerpt))
        self.seen.add(proposal.pk)

    def flush(self) -> None:
        if self.pending:
            links, self.pending = self.pending, []
            actions.do_link_meetings(
                meeting=self.meeting, actor=self.actor, links=links, from_notes=True
            )


def _newest_first(proposals, meeting: Meeting, *, new: bool):
    """The proposals newest first, each with the dates of the oldest and newest meetings
    it is linked to (`first_met`, `last_met`, None for none) and marked `linked` if it
    is linked to the meeting already (which a meeting created now cannot be)."""
    proposals = proposals.annotate(first_met=Min("meetings__date"), last_met=Max("meetings__date"))
    if not new:  # a meeting imported before may be linked already
        here = ProposalMeeting.objects.filter(proposal=OuterRef("pk"), meeting=meeting)
        proposals = proposals.annotate(linked=Exists(here))
    return proposals.order_by("-created_at", "-id")


def _title(mention: LifecycleMention, project: Project) -> str:
    """The title of the proposal an item files, as its kind words it (cut to fit)."""
    return KINDS[mention.kind].title(project.name, mention)[:300]


def _reason(mention: LifecycleMention, meeting: Meeting) -> str:
    said = mention.decision or mention.summary
    text = f"Recorded in the notes of {meeting.committee} {meeting.date:%Y-%m-%d}"
    return f"{text}: {said}" if said else f"{text}."


def _describe(error: Exception) -> str:
    if isinstance(error, LifecycleError):
        return str(error)
    if isinstance(error, markup.MarkupTooComplex):
        return f"cannot be rendered: {error}"
    return f"{type(error).__name__}: {error}"
