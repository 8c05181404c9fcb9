"""Proposals, their votes and checklists, and the append-only event log."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from pmc.markup import render_markdown
from pmc.models import Committee, Meeting, Project, Role
from pmc.search import document_index
from pmc.text import validate_single_line
from proposals import voting
from proposals.chain import GENESIS_HASH as GENESIS_HASH  # the log's first "previous hash"
from proposals.chain import canonical_time, hash_fields
from proposals.permissions import (
    allowed,
    deadline_passed,
    from_notes,
    is_chair,
    is_member,
    is_proposer,
    is_system,
    readings_confirmed,
    result_is_settled,
)
from proposals.states import (
    CONFIRMED_READINGS,
    FINAL_STATES,
    Confidence,
    Kind,
    ReadingStatus,
    State,
)

# Who may run a transition, as said to someone who was refused ("Only ... may ...").
_CHAIR = "the committee's chair"
_PROPOSER = "the proposer while a member (the chair, for a proposal from meeting notes)"


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "A proposal is submitted for discussion in my committee"
    VOTE_OPENED = "vote_opened", "A vote opens"
    VOTE_CLOSED = "vote_closed", "A vote closes, is extended or is stopped"
    DECIDED = "decided", "A proposal is decided in a meeting"
    COMPLETED = "completed", "A proposal is completed"
    WITHDRAWN = "withdrawn", "A proposal is withdrawn"
    REMINDER = "reminder", "A reminder before a vote I have not voted in closes"
    DIGEST = "digest", "Chairs: a daily digest of overdue checklist items"
    MENTIONED = "mentioned", "Someone mentions me (@username) in a comment"
    COMMENTED = "commented", "A proposal I watch gets a new comment"
    CONCERN = "concern", "A concern is raised or resolved on a proposal I watch"
    AUDIT_FAILED = "audit_failed", "Staff and chairs: the audit log fails verification"
    PROXY_VOTE = "proxy_vote", "The chair records a vote on my behalf"


def no_open_concerns(proposal: Proposal) -> bool:
    """The vote waits while a blocking concern on the proposal is unresolved (the
    refusal names them: `proposals.concerns.blocking_message`)."""
    return not proposal.concerns.filter(resolved_at__isnull=True).exists()


class ProposalQuerySet(models.QuerySet):
    def voting(self) -> ProposalQuerySet:
        return self.filter(state=State.VOTING)

    def past_deadline(self, now: datetime.datetime | None = None) -> ProposalQuerySet:
        return self.filter(closes_at__lte=now or timezone.now())

    def filed_with_form(self, proposer, form_token: str) -> Proposal | None:
        """The proposal `proposer` filed with the form whose one-time token is `form_token`."""
        return self.filter(proposer=proposer, form_token=form_token).first()

    def open(self) -> ProposalQuerySet:
        """Proposals still under way: neither completed, rejected nor withdrawn."""
        return self.exclude(state__in=FINAL_STATES)


class Proposal(ConcurrentTransitionMixin, models.Model):
    """A proposal about a project's lifecycle, raised in a committee."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="proposals")
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        help_text="Empty for an incubation that precedes its project.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=300, validators=[validate_single_line])
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        help_text="Empty for proposals that entered through imported notes.",
    )
    proposing_team = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text='e.g. "CLI team".',
    )
    condition = models.CharField(
        max_length=500,
        blank=True,
        validators=[validate_single_line],
        help_text='What the proposal waits for, e.g. "at the same time the DEAs reach EOL".',
    )
    new_name = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Rename: the new name. Incubation without a project: the project's name.",
    )
    new_lead = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Ownership: the new lead.",
    )
    meetings = models.ManyToManyField(
        Meeting, through="ProposalMeeting", related_name="proposals", blank=True
    )
    form_token = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The one-time token of the form that filed it: the same form saved twice "
        "files one proposal.",
    )

    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    revision = models.PositiveIntegerField(
        default=1, editable=False, help_text="Bumped on each change of the text."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    vote_round = models.PositiveIntegerField(
        default=0, editable=False, help_text="1 for the first vote, 2 after a return, ..."
    )
    vote_rules = models.JSONField(
        null=True, blank=True, editable=False, help_text="Committee rules frozen at vote start."
    )
    vote_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    closes_at = models.DateTimeField(null=True, blank=True, editable=False)
    vote_extensions = models.PositiveSmallIntegerField(default=0, editable=False)
    vote_closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_in = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="decisions",
        help_text="The meeting that decided by consensus.",
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="proposal_state_is_known"
            ),
            models.CheckConstraint(
                condition=~Q(state=State.VOTING) | Q(closes_at__isnull=False),
                name="voting_proposal_has_deadline",
            ),
            models.UniqueConstraint(
                fields=["proposer", "form_token"],
                condition=~Q(form_token=""),
                name="one_proposal_per_form_token",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "closes_at"], name="proposal_deadline_idx"),
            document_index("proposals.Proposal", "proposal_search_idx"),
            # The list's default order (`proposals.views.proposal_pages`), alone and
            # after each of its filters: a page reads its rows in order from the index
            # instead of sorting every row that matches.
            models.Index(fields=["-updated_at", "-id"], name="proposal_updated_idx"),
            *(
                models.Index(
                    fields=[field, "-updated_at", "-id"], name=f"proposal_{field}_updated_idx"
                )
                for field in ("committee", "state", "kind", "project")
            ),
            # Its other orders, unfiltered.
            models.Index(fields=["title", "-id"], name="proposal_title_idx"),
            models.Index(fields=["-created_at", "-id"], name="proposal_created_idx"),
            models.Index(fields=["closes_at", "-id"], name="proposal_closes_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Rendered once per text, not on every transition's save.
        if self.body != getattr(self, "_rendered_body", None):
            self.body_html = render_markdown(self.body)
            self._rendered_body = self.body
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("proposals:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        proposal = super().from_db(db, field_names, values)
        proposal._rendered_body = proposal.__dict__.get("body")
        return proposal

    def decision_meetings(self):
        """The meetings a decision taken now can be recorded in: its committee's, held
        on or after the day it was filed and not after today (in the site's time zone)."""
        return Meeting.objects.filter(committee_id=self.committee_id).held_between(
            timezone.localdate(self.created_at), timezone.localdate()
        )

    def tally(self) -> voting.Tally:
        """The tally of the current voting round."""
        round_ = self.vote_round
        rows = self.votes.filter(round=round_).values_list("value", "recused", "binding")
        return voting.count_rows(self.vote_rules, self.eligible.filter(round=round_).count(), rows)

    # Transitions: each changes fields of this row in memory, nothing else. The
    # `proposals.actions.do_*` functions run them with the permission check, save,
    # event and follow-up inside one transaction. Each decorator holds all that is said
    # about its transition (`proposals.lifecycle` reads it back): in `custom`, its label
    # as offered to people, in the order here; who may run it, as said to someone who
    # was refused; the notification it sends, if any; and the kind of webhook delivery
    # it makes (`proposals.webhooks`), if any.

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.DISCUSSION,
        permission=allowed((is_proposer & is_member) | (from_notes & is_chair) | is_system),
        custom={
            "label": "Submit for discussion",
            "who": _PROPOSER,
            "notifies": NotificationKind.SUBMITTED,
            "webhook": "proposal.submitted",
        },
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=State.DISCUSSION,
        target=State.VOTING,
        permission=allowed(is_chair | is_system),
        conditions=[lambda p: p.committee.memberships.active().exists(), no_open_concerns],
        custom={
            "label": "Start the vote",
            "who": _CHAIR,
            "notifies": NotificationKind.VOTE_OPENED,
            "webhook": "vote.opened",
        },
    )
    def start_vote(
        self, *, rules: dict, at: datetime.datetime, closes_at: datetime.datetime | None = None
    ) -> None:
        self.vote_round += 1
        self.vote_rules = rules
        self.vote_started_at = at
        self.closes_at = closes_at or voting.default_deadline(rules, at)
        self.vote_extensions = 0
        self.vote_closed_at = None

    @transition(
        field=state,
        source=State.VOTING,
        target=RETURN_VALUE(State.ACCEPTED, State.REJECTED, State.VOTING, State.DEFERRED),
        permission=allowed(
            (is_chair & (deadline_passed | result_is_settled)) | (is_system & deadline_passed)
        ),
        custom={
            "label": "Close the vote",
            "who": (
                "the chair, once every eligible voter has voted or the result can no longer "
                "change, or after the deadline"
            ),
            "notifies": NotificationKind.VOTE_CLOSED,
            "webhook": "vote.closed",
        },
    )
    def close_vote(self, *, tally: voting.Tally, at: datetime.datetime) -> str:
        outcome = voting.close_outcome(
            tally,
            rules=self.vote_rules,
            extensions=self.vote_extensions,
            closes_at=self.closes_at,
            at=at,
        )
        if outcome.state == State.VOTING:
            self.vote_extensions += 1
            self.closes_at = outcome.closes_at
        else:
            self.vote_closed_at = at
        return outcome.state

    @transition(
        field=state,
        source=State.VOTING,
        target=State.DISCUSSION,
        permission=allowed(is_chair),
        custom={
            "label": "Return to discussion",
            "who": _CHAIR,
            "notifies": NotificationKind.VOTE_CLOSED,
            "webhook": "vote.closed",
        },
    )
    def return_to_discussion(self) -> None:
        self.closes_at = None

    @transition(
        field=state,
        source=State.DISCUSSION,
        target=RETURN_VALUE(State.ACCEPTED, State.REJECTED),
        permission=allowed(is_chair | is_system),
        custom={
            "label": "Record a meeting decision",
            "who": _CHAIR,
            "notifies": NotificationKind.DECIDED,
            "webhook": "proposal.decided",
        },
    )
    def decide(self, *, accepted: bool, meeting: Meeting, at: datetime.datetime) -> str:
        self.decided_in = meeting
        self.decided_at = at
        return State.ACCEPTED if accepted else State.REJECTED

    @transition(
        field=state,
        source=State.ACCEPTED,
        target=State.COMPLETED,
        permission=allowed(is_chair | is_system),
        conditions=[lambda p: not p.checklist.to_do().exists(), readings_confirmed],
        custom={
            "label": "Mark completed",
            "who": _CHAIR,
            "notifies": NotificationKind.COMPLETED,
            "webhook": "proposal.completed",
        },
    )
    def complete(self) -> None:
        pass

    @transition(
        field=state,
        source=State.DISCUSSION,
        target=State.DEFERRED,
        permission=allowed(is_chair | is_system),
        custom={"label": "Defer", "who": _CHAIR},
    )
    def defer(self) -> None:
        pass

    @transition(
        field=state,
        source=State.DEFERRED,
        target=State.DISCUSSION,
        permission=allowed(is_chair | (is_proposer & is_member) | is_system),
        custom={"label": "Resume discussion", "who": "the committee's chair or the proposer"},
    )
    def resume(self) -> None:
        self.closes_at = None

    @transition(
        field=state,
        source=[State.DRAFT, State.DISCUSSION, State.VOTING],
        target=State.WITHDRAWN,
        permission=allowed((is_proposer & is_member) | (from_notes & is_chair) | is_system),
        custom={"label": "Withdraw", "who": _PROPOSER, "notifies": NotificationKind.WITHDRAWN},
    )
    def withdraw(self) -> None:
        self.closes_at = None


class ProposalMeeting(models.Model):
    """A meeting in which a proposal came up, with where in the notes."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="mentions")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="mentions")
    section = models.CharField(max_length=300, blank=True, help_text="Heading it was under.")
    excerpt = models.TextField(blank=True, help_text="The lines of the notes that raised it.")
    from_notes = models.BooleanField(
        default=False,
        help_text="Found in the meeting's notes file (kept in step with it when it is "
        "imported again), rather than linked by hand.",
    )

    class Meta:
        ordering = ["meeting__date"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "meeting"], name="one_mention_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} @ {self.meeting}"


class ReadingQuerySet(models.QuerySet):
    def to_review(self) -> ReadingQuerySet:
        """What a chair is asked to look at: readings no one has reviewed, still in
        their notes, read with low confidence or that created or moved a proposal."""
        return self.filter(status=ReadingStatus.UNREVIEWED, in_notes=True).filter(
            Q(confidence=Confidence.LOW) | Q(created_proposal=True) | ~Q(taken=[])
        )


class Reading(models.Model):
    """One lifecycle item an import read in a meeting's notes: what it read, the evidence
    (line, section, the quoted text), how sure the reading is and the rule that found
    it, the proposal it became, and what a chair made of it.

    `key` is the item as the parser read it (kind and subject, normalised): it is how the
    same item is recognised when the file is imported again, so a dismissal or a
    correction stands. `held` lists the steps (decide, complete) the import did not take
    because the reading was not confirmed; confirming takes them. Nothing is deleted: a
    dismissed reading stays, marked so."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="readings")
    key = models.CharField(max_length=400, help_text="kind:subject as read, normalised.")
    kind = models.CharField(max_length=16, choices=Kind.choices, help_text="As read.")
    subject = models.CharField(max_length=300, help_text="The project's name as read.")
    outcome = models.CharField(
        max_length=16, blank=True, help_text="As read: pending, approved, rejected, ..."
    )
    new_name = models.CharField(max_length=300, blank=True)
    new_lead = models.CharField(max_length=300, blank=True)
    tier = models.CharField(max_length=16, blank=True)
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    rule = models.CharField(max_length=64, blank=True, help_text="The reading rule that found it.")
    line = models.PositiveIntegerField(default=0)
    section = models.CharField(max_length=300, blank=True)
    quote = models.TextField(blank=True, help_text="The lines of the notes it was read from.")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="readings"
    )
    held = models.JSONField(
        default=list, blank=True, help_text="Steps waiting for the reading to be confirmed."
    )
    taken = models.JSONField(
        default=list, blank=True, help_text="Steps the import took for this item."
    )
    created_proposal = models.BooleanField(
        default=False, help_text="The import filed the proposal for this item."
    )
    in_notes = models.BooleanField(
        default=True,
        help_text="In its notes file; false once an edited file no longer has it.",
    )
    status = models.CharField(
        max_length=16, choices=ReadingStatus.choices, default=ReadingStatus.UNREVIEWED
    )
    correction = models.JSONField(
        default=dict, blank=True, help_text="What a chair corrected: kind, project, ..."
    )
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)

    objects = ReadingQuerySet.as_manager()

    class Meta:
        ordering = ["meeting__date", "line", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "key"], name="one_reading_per_item"),
        ]
        indexes = [models.Index(fields=["status", "confidence"], name="reading_review_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} @ {self.meeting}"

    @property
    def reviewed(self) -> bool:
        return self.status != ReadingStatus.UNREVIEWED

    @property
    def vouched_for(self) -> bool:
        """Confirmed or corrected by a chair: what it records may all be done."""
        return self.status in CONFIRMED_READINGS


class LinkSuggestion(models.Model):
    """A proposal of another committee that came up in a meeting whose notes a chair
    uploaded: a link to the meeting that the proposal's committee's chair confirms (it
    then becomes a `ProposalMeeting`) or dismisses. Until then it is no link: the
    proposal's `meetings` hold confirmed links only. One per proposal and meeting, so a
    decision stands when the notes are imported again."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="link_suggestions"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="link_suggestions")
    section = models.CharField(max_length=300, blank=True, help_text="Heading it was under.")
    excerpt = models.TextField(blank=True, help_text="The lines of the notes that raised it.")
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    suggested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(
        null=True, blank=True, help_text="Confirmed (yes), dismissed (no) or pending (empty)."
    )

    class Meta:
        ordering = ["suggested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "meeting"], name="one_link_suggestion_per_meeting"
            ),
            models.CheckConstraint(
                condition=Q(accepted__isnull=True, decided_at__isnull=True)
                | Q(accepted__isnull=False, decided_at__isnull=False),
                name="link_suggestion_decided_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} @ {self.meeting} (suggested)"

    @property
    def pending(self) -> bool:
        return self.accepted is None


class EligibleVoter(models.Model):
    """A member whose vote is binding in one round, frozen when the vote starts."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="eligible")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round", "user"], name="eligible_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.proposal} (round {self.round})"


class VoteValue(models.IntegerChoices):
    YES = 1, "+1"
    ABSTAIN = 0, "0"
    NO = -1, "-1"


class Vote(models.Model):
    """One member's vote on a proposal in one voting round, or their recusal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes"
    )
    round = models.PositiveIntegerField(help_text="Votes of earlier rounds no longer count.")
    value = models.SmallIntegerField(
        choices=VoteValue.choices, null=True, blank=True, help_text="Empty when recused."
    )
    recused = models.BooleanField(
        default=False, help_text="Conflict of interest: out of the quorum's denominator."
    )
    reason = models.TextField(blank=True)
    binding = models.BooleanField(help_text="False for members who joined after the vote began.")
    cast_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(help_text="The proposal text revision voted on.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The chair who recorded this vote on the voter's behalf (a proxy vote); "
        "empty when the voter cast it.",
    )
    proxy_note = models.TextField(
        blank=True, help_text="How the voter gave their vote to the chair (a proxy vote)."
    )

    class Meta:
        ordering = ["proposal", "round", "cast_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round", "voter"], name="one_vote_per_round"
            ),
            models.CheckConstraint(
                condition=(Q(recused=True) & Q(value__isnull=True))
                | (Q(recused=False) & Q(value__in=[-1, 0, 1])),
                name="vote_value_or_recusal",
            ),
            models.CheckConstraint(
                condition=~Q(value=-1) | ~Q(reason=""), name="minus_one_needs_reason"
            ),
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=True) | ~Q(proxy_note=""),
                name="proxy_vote_has_note",
            ),
        ]

    def __str__(self) -> str:
        shown = "recused" if self.recused else self.get_value_display()
        return f"{self.voter}: {shown} on {self.proposal}"

    @property
    def is_proxy(self) -> bool:
        """Recorded by the chair on the voter's behalf, and not since changed by them."""
        return self.recorded_by_id is not None


class ChecklistItemQuerySet(models.QuerySet):
    def to_do(self) -> ChecklistItemQuerySet:
        """The open items a person is asked to do: not those the system does when the
        proposal is completed."""
        return self.filter(done=False, by_system=False)


class ChecklistItem(models.Model):
    """One step of carrying out an accepted proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="checklist")
    position = models.PositiveIntegerField(default=0)
    # Unbounded: a step may quote a proposal's condition or names in full.
    text = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklist_items",
    )
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_system = models.BooleanField(
        default=False,
        help_text="Done by the system when the proposal is completed (what completing does "
        "to the project): asked of nobody, ticked by nobody.",
    )

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        ordering = ["proposal", "position"]

    def __str__(self) -> str:
        return f"[{'x' if self.done else ' '}] {self.text}"


# Discussion: comments, their versions, blocking concerns and who watches a proposal


class Comment(models.Model):
    """A comment on a proposal, or a reply to one (one level deep). Nothing is deleted:
    an edit keeps the earlier text as a `CommentVersion`, a withdrawal or a chair's
    hiding keeps the row and says so."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        help_text="The comment this replies to; replies have no replies of their own.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    by_member = models.BooleanField(
        default=True, help_text="Whether the author held a seat on the committee when writing."
    )
    body = models.TextField(help_text="Markdown: the current version.")
    body_html = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, help_text="The current version's number.")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When its author withdrew it; the text is kept."
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"], name="comment_proposal_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="hidden_comment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment #{self.pk} by {self.author} on {self.proposal_id}"


class CommentVersion(models.Model):
    """One version of a comment's text, the first included; the newest is the comment's
    own `body`."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["comment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "number"], name="one_comment_version"),
        ]

    def __str__(self) -> str:
        return f"Comment #{self.comment_id} v{self.number}"


class Concern(models.Model):
    """A blocking concern (as in rfcbot): while unresolved, the proposal's vote cannot
    start. Resolved concerns stay."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="concerns")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    comment = models.OneToOneField(
        Comment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concern",
        help_text="The comment that explains it.",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    raised_in = models.CharField(
        max_length=32, blank=True, help_text="The proposal's state when it was raised."
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.TextField(blank=True, help_text="Why it was resolved.")

    class Meta:
        ordering = ["raised_at", "id"]
        indexes = [
            models.Index(
                fields=["proposal"],
                condition=Q(resolved_at__isnull=True),
                name="concern_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Watch(models.Model):
    """Whether a person follows a proposal's discussion. A row with `watching=False`
    records an Unwatch, so taking part again does not silently re-subscribe them."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="watches")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches"
    )
    watching = models.BooleanField(default=True)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_watch_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {'watches' if self.watching else 'unwatched'} {self.proposal_id}"


class Event(models.Model):
    """An entry of the append-only lifecycle log; each carries the hash of the one before."""

    at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="The time it is about: the meeting's for what imported notes record, the "
        "time given for back-dated history, the moment the action judged by otherwise.",
    )
    recorded_at = models.DateTimeField(
        default=timezone.now,
        help_text="When it was written, by the database's clock: never earlier than the "
        "event before it.",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system acted.",
    )
    actor_name = models.CharField(max_length=150, help_text="Username, or system:<what>.")
    action = models.CharField(max_length=64, db_index=True)
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    membership = models.ForeignKey(
        "pmc.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)
    seal = models.CharField(
        max_length=100,
        blank=True,
        help_text="The application's Ed25519 signature of the hash (base64), made as the "
        "event was written; outside the hash. Empty only before sealing began.",
    )

    class Meta:
        ordering = ["id"]
        # The audit page's filters, each with the log's order (by id): a page of one
        # committee's, proposal's, person's or action's events is read from one index,
        # in order, at any depth. The person's name is matched case-insensitively. A page
        # filtered by dates goes by `at` (indexed on its own), then by id.
        indexes = [
            models.Index(fields=["committee", "id"], name="event_committee_id_idx"),
            models.Index(fields=["proposal", "id"], name="event_proposal_id_idx"),
            models.Index(Upper("actor_name"), "id", name="event_actor_upper_id_idx"),
            models.Index(fields=["action", "id"], name="event_action_id_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} by {self.actor_name}"

    @property
    def about_another_time(self) -> bool:
        """Whether the event is about another time than when it was written (a meeting's
        date, back-dated history), so that the pages show that time beside the recording.
        An action's own moment, taken just before its event is written, is the same time."""
        return abs(self.at - self.recorded_at) >= datetime.timedelta(minutes=1)

    def compute_hash(self) -> str:
        """SHA-256 over the previous hash and every recorded field, both times included."""
        return hash_fields(self.hashed_fields())

    def hashed_fields(self) -> dict:
        """What the hash covers, as `chain.hash_fields` reads it (and the export carries
        it, so that the chain can be checked without the database)."""
        return {
            "prev": self.prev_hash,
            "at": canonical_time(self.at),
            "recorded_at": canonical_time(self.recorded_at),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "committee": self.committee_id,
            "proposal": self.proposal_id,
            "project": self.project_id,
            "membership": self.membership_id,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "reason": self.reason,
            "payload": self.payload,
        }


class AuditCheck(models.Model):
    """The result of one verification of the log (`verify_audit`, "Verify now", the daily
    job), signed so that a row written past the application is not believed."""

    checked_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    events = models.PositiveIntegerField(help_text="How many events were checked.")
    head = models.CharField(max_length=64, help_text="Hash of the last event checked.")
    broken_at = models.BigIntegerField(null=True, blank=True, help_text="First bad event id.")
    problem = models.TextField(blank=True)
    key_id = models.CharField(max_length=16, blank=True, help_text="The signing key's id.")
    signature = models.CharField(
        max_length=100,
        blank=True,
        help_text="Ed25519 signature (base64) of the result; empty when no key was configured.",
    )

    class Meta:
        ordering = ["-checked_at"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"{'OK' if self.ok else 'BROKEN'} at {self.checked_at:%Y-%m-%d %H:%M}"


class Checkpoint(models.Model):
    """A signed statement that the log held `events` events ending in `head` at
    `signed_at`: published, so that a log cut short or rewritten no longer matches it."""

    sequence = models.PositiveIntegerField(unique=True, help_text="1, 2, 3, ... without gaps.")
    events = models.PositiveIntegerField(help_text="How many events the log held.")
    head = models.CharField(max_length=64, help_text="Hash of the last of them.")
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=16, help_text="Id of the key that signed it.")
    public_key = models.CharField(
        max_length=64, help_text="That key's public half (32 bytes, base64)."
    )
    signature = models.CharField(max_length=100, help_text="Ed25519 signature (base64).")

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"checkpoint {self.sequence}: {self.events} events, head {self.head[:12]}"


class AuditJob(models.Model):
    """Work on the audit log that a user asked for and that takes too long for a request:
    an export of the (filtered) log as CSV or JSON, or a verification of the chain. Run in
    the background (`proposals.audit_jobs`); a file is offered only once complete."""

    class Kind(models.TextChoices):
        CSV = "csv", "CSV export"
        JSON = "json", "JSON export"
        VERIFY = "verify", "Verification"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_jobs"
    )
    query = models.CharField(
        max_length=500, blank=True, help_text="The audit page's filters, as its query string."
    )
    rows_written = models.PositiveBigIntegerField(default=0)
    rows_total = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Events to write, counted when the job starts."
    )
    file_name = models.CharField(
        max_length=100, blank=True, help_text="The finished file, in PMC_EXPORT_DIR."
    )
    result = models.ForeignKey(
        AuditCheck,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A verification's result.",
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of the running job."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status"], name="audit_job_status"),
            models.Index(fields=["requested_by", "-created_at"], name="audit_job_requester"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.rows_written * 100 // self.rows_total)


# Notifications and background jobs


class OutboxMessage(models.Model):
    """Notification work, written in the same transaction as the event it announces."""

    # No database constraint: the event table is append-only and its rows never go, and
    # the tamper checks that delete an event must meet the log's own guards, not this.
    event = models.OneToOneField(
        Event, on_delete=models.DO_NOTHING, db_constraint=False, related_name="outbox"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its notifications were created; empty while it waits.",
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Failed attempts to create its notifications."
    )
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="After a failure: not tried again before this."
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(processed_at__isnull=True),
                name="outbox_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for event #{self.event_id}"


class NotificationQuerySet(models.QuerySet):
    def pending(self) -> NotificationQuerySet:
        return self.filter(sent_at__isnull=True, failed_at__isnull=True)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def for_reader(self, user) -> NotificationQuerySet:
        """What was sent to `user`, unread first, then the newest first."""
        unread = models.ExpressionWrapper(
            Q(read_at__isnull=True), output_field=models.BooleanField()
        )
        return self.filter(user=user).alias(unread=unread).order_by("-unread", "-created_at", "-id")

    def mark_read(self, at: datetime.datetime | None = None) -> int:
        """Mark the unread ones of these read; returns how many were unread. Safe to run
        twice: the second marks nothing and keeps the first time."""
        return self.unread().update(read_at=at or timezone.now())


class Notification(models.Model):
    """One e-mail to one person. Its unique key makes it happen once, however often the
    job that creates or delivers it runs."""

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="outbox:<outbox id>:<user id>:<kind>, reminder:..., digest:...",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    outbox = models.ForeignKey(
        OutboxMessage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=300)
    body = models.TextField(help_text="Plain text.")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(
        default=timezone.now, help_text="When it may next be handed to a worker."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=32, blank=True, help_text="Token of the sender.")
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was given up after repeated failures."
    )
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When its reader marked it read on the site."
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="notification_pending_idx",
            ),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user_id}: {self.subject}"


class NotificationPreference(models.Model):
    """A person's choice about one kind of notification; without a row the kind is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {'on' if self.enabled else 'off'}"


class ReaderSettings(models.Model):
    """How a person reads the site: the time zone its dates are shown in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_settings"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="A zoneinfo name, e.g. Europe/Berlin; empty for the site's time zone "
        "(TIME_ZONE, UTC by default).",
    )

    class Meta:
        verbose_name_plural = "reader settings"

    def __str__(self) -> str:
        return f"{self.user}: {self.time_zone or 'site time zone'}"


class ScheduledRun(models.Model):
    """When a periodic job last ran: claimed with a conditional update, so that of
    several processes only one runs it, and read as a heartbeat."""

    name = models.CharField(max_length=64, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class JobFailureQuerySet(models.QuerySet):
    def unresolved(self) -> JobFailureQuerySet:
        return self.filter(resolved_at__isnull=True)


class JobFailure(models.Model):
    """An item a background job failed on (one proposal, one outbox row, ...): one row
    while it keeps failing, counted on each failure and resolved when the job next
    succeeds with it. A job records the failure and goes on with its other items."""

    job = models.CharField(max_length=64, help_text="e.g. close_expired_votes.")
    item = models.CharField(max_length=100, help_text='What it failed on, e.g. "proposal 12".')
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    failures = models.PositiveIntegerField(default=1)
    last_error = models.TextField(blank=True)
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When the job next succeeded with the item."
    )

    objects = JobFailureQuerySet.as_manager()

    class Meta:
        ordering = ["-last_failed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "item"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_failure_per_item",
            ),
        ]

    def __str__(self) -> str:
        state = "resolved" if self.resolved_at else f"{self.failures} failures"
        return f"{self.job}: {self.item} ({state})"


class InvitationQuerySet(models.QuerySet):
    def pending(self, now: datetime.datetime | None = None) -> InvitationQuerySet:
        """Neither accepted nor withdrawn, and not expired."""
        return self.filter(
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )


class Invitation(models.Model):
    """A committee chair's invitation to a seat, sent to an e-mail address. Its link is
    signed and names the invitation and its `nonce`; it is accepted once, before
    `expires_at`, unless withdrawn. Accepting gives the seat (`actions.do_add_member`)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(help_text="Where the invitation was sent.")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(help_text="The link works until then (PMC_INVITATION_DAYS).")
    nonce = models.CharField(
        max_length=32, unique=True, editable=False, help_text="Random; the signed link names it."
    )
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the mail server took the e-mail; empty if not."
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    membership = models.ForeignKey(
        "pmc.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The seat its acceptance gave.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(withdrawn_at__isnull=True),
                name="invitation_accepted_or_withdrawn_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.committee_id} as {self.role}"

    def status(self, now: datetime.datetime | None = None) -> str:
        """pending, accepted, withdrawn or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "pending"


class AgendaItem(models.Model):
    """A point a chair put on a scheduled meeting's agenda: a line of text, or a proposal."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    text = models.CharField(
        max_length=500, blank=True, validators=[validate_single_line], help_text="One line."
    )
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        help_text="The proposal put on the agenda, if the item is one.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "proposal"],
                condition=Q(proposal__isnull=False),
                name="one_agenda_item_per_proposal",
            ),
            models.CheckConstraint(
                condition=~Q(text="") | Q(proposal__isnull=False),
                name="agenda_item_text_or_proposal",
            ),
        ]

    def __str__(self) -> str:
        return self.text or f"#{self.proposal_id}"


# Integrations: API tokens, idempotent retries, outgoing webhooks


class ApiToken(models.Model):
    """A personal token with which a script reaches the API as its owner.

    Only the SHA-256 of the token is kept; the token itself is shown once, when created.
    """

    class Scope(models.TextChoices):
        READ = "read", "read"
        WRITE = "write", "read and write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, validators=[validate_single_line], help_text="What the token is for."
    )
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(
        max_length=16, help_text="The token's first characters, to tell tokens apart."
    )
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    second_factor = models.BooleanField(
        default=False,
        help_text="Whether it was created in a session that had confirmed a second factor: "
        "staff and chairs write with it only then.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotentRequest(models.Model):
    """A write sent with an `Idempotency-Key`: a retry with the same key gets the first
    answer again instead of doing the work twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty while the first request is being answered."
    )
    response_body = models.TextField(blank=True)
    response_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_request_per_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class Webhook(models.Model):
    """A committee's outgoing webhook: which events its chair sends to which URL."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="The event kinds sent, e.g. vote.opened.")
    secret = models.CharField(max_length=64, help_text="Key of the HMAC that signs each delivery.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["committee", "pk"]

    def __str__(self) -> str:
        return f"{self.committee}: {self.url}"


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one webhook, with its attempts."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(
        Event, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=40)
    body = models.TextField(help_text="The JSON sent, exactly as signed.")
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last attempt was given up."
    )
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            # One delivery per webhook, event and kind: a vote closed with a decision is
            # both vote.closed and proposal.decided, each sent once.
            models.UniqueConstraint(
                fields=["webhook", "event", "kind"], name="one_delivery_per_event_kind"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(delivered_at__isnull=True, failed_at__isnull=True),
                name="webhook_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.webhook.url}"


class CalendarAddress(models.Model):
    """The secret address of a person's own calendar (their committees' meetings and
    votes, their open votes).

    The secret is kept as it is, not hashed, so that the profile page can show the
    address again whenever the person wants to add it to another calendar app: the
    calendar shows nothing that someone able to read this table could not read in the
    database itself, so a hash would protect nothing. Resetting replaces it, and the old
    address stops answering."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_address"
    )
    secret = models.CharField(max_length=64, unique=True, help_text="The address's secret part.")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was last (re)set.")

    def __str__(self) -> str:
        return f"calendar address of {self.user}"
