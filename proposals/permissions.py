"""Who may do what to a proposal, as `rules` predicates computed from PMC membership.

Each transition on `Proposal` names its rule in its decorator, `permission=allowed(...)`,
and the FSM asks it there. The system (vote sweeps, the notes import) acts as a
`proposals.actors.SystemActor`, which only the rules that say `is_system` admit.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

import rules
from django.conf import settings
from django.utils import timezone

from pmc.models import Membership, Role
from proposals.states import CONFIRMED_READINGS, ReadingStatus, State

# The states a concern can be raised in: before the vote (it holds the vote back) and
# during it (it is shown to those who have not voted yet).
CONCERN_STATES = (State.DISCUSSION, State.DEFERRED, State.VOTING)


# The seats read so far in a `seats_read_once` block: {user id: {committee_id: role}}.
_seats_read: contextvars.ContextVar[dict[int, dict[int, str]] | None] = contextvars.ContextVar(
    "seats_read", default=None
)

# The same block's answers to "was this user frozen as a voter of this vote round":
# {(user id, proposal id, round): bool}.
_voters_read: contextvars.ContextVar[dict[tuple[int, int, int], bool] | None] = (
    contextvars.ContextVar("voters_read", default=None)
)


@contextlib.contextmanager
def seats_read_once() -> Iterator[None]:
    """Within the block, each user's seats are read from the database once and every
    predicate answers from them: a page that asks many questions of one reader (the
    proposal page) pays one query, not one per question. Only for blocks that change no
    seat (a page being read), since a seat changed inside would not be seen. The voters
    frozen when a vote started are read once per reader and vote round likewise."""
    token = _seats_read.set({})
    voters_token = _voters_read.set({})
    try:
        yield
    finally:
        _voters_read.reset(voters_token)
        _seats_read.reset(token)


def _active_role(user, committee_id) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if _seats_read.get() is not None:
        return roles_by_committee(user).get(committee_id)
    # One query per check; views that need many answers use `roles_by_committee`.
    membership = Membership.objects.active().filter(user=user, committee_id=committee_id).first()
    return membership.role if membership else None


def roles_by_committee(user) -> dict[int, str]:
    """{committee_id: role} for the user's seats held today (read once per user inside
    `seats_read_once`)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    seen = _seats_read.get()
    if seen is not None and user.pk in seen:
        return dict(seen[user.pk])
    roles = dict(Membership.objects.active().filter(user=user).values_list("committee_id", "role"))
    if seen is not None:
        seen[user.pk] = dict(roles)
    return roles


@rules.predicate
def is_system(user, proposal) -> bool:
    return bool(getattr(user, "is_system", False))


@rules.predicate
def is_member(user, proposal) -> bool:
    return _active_role(user, proposal.committee_id) is not None


@rules.predicate
def is_chair(user, proposal) -> bool:
    return _active_role(user, proposal.committee_id) == Role.CHAIR


@rules.predicate
def is_proposer(user, proposal) -> bool:
    return getattr(user, "is_authenticated", False) and proposal.proposer_id == user.pk


@rules.predicate
def from_notes(user, proposal) -> bool:
    """Raised in meeting notes: a team's proposal with no user as proposer."""
    return proposal.proposer_id is None


@rules.predicate
def deadline_passed(user, proposal) -> bool:
    # Actions judge by the time they act at (`at=`); elsewhere it is now.
    now = getattr(proposal, "acting_at", None) or timezone.now()
    return proposal.closes_at is not None and now >= proposal.closes_at


@rules.predicate
def result_is_settled(user, proposal) -> bool:
    return proposal.tally().settled


def vote_refusal(user, proposal, *, frozen_voter: bool) -> str | None:
    """Why `user` may not vote in `proposal`'s open vote, by the rule that refuses them
    (`actions.votes`): a voter frozen at the start, or whoever holds a seat now
    (`proposals.vote`), may. None when they may; else what stops them, in words."""
    if frozen_voter or has_perm("proposals.vote", user, proposal):
        return None
    committee = proposal.committee
    if not getattr(user, "is_authenticated", False):
        return f"Only members of {committee} vote."
    seat = (
        Membership.objects.filter(user=user, committee_id=proposal.committee_id)
        .order_by("-started_on")
        .first()
    )
    if seat is not None and seat.started_on > timezone.localdate():
        return f"Your seat on {committee} starts on {seat.started_on:%Y-%m-%d}; you vote from then."
    if seat is not None and seat.ended_on is not None:
        return (
            f"Your seat on {committee} ended on {seat.ended_on:%Y-%m-%d}, so you no longer "
            "vote; you can follow the vote here."
        )
    return f"Only members of {committee} vote; you can follow the vote here."


def readings_confirmed(proposal) -> bool:
    """A proposal the import filed from meeting notes is not completed (which renames,
    retires or hands over its project) while the import's readings of it wait for review
    and none is confirmed or corrected: a chair confirms one first, on Readings to review.
    A proposal with a proposer, or with no reading to review, is not held back."""
    if proposal.proposer_id is not None:
        return True
    statuses = set(proposal.readings.values_list("status", flat=True).distinct())
    return ReadingStatus.UNREVIEWED not in statuses or bool(statuses & CONFIRMED_READINGS)


@rules.predicate
def reviews_readings(user, committee) -> bool:
    """Who reviews what imports read in a committee's meeting notes: its chair, or staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff) or _active_role(user, committee.pk) == Role.CHAIR


@rules.predicate
def chairs_a_committee(user) -> bool:
    return Role.CHAIR in roles_by_committee(user).values()


@rules.predicate
def owns_item_with_seat(user, item) -> bool:
    """The checklist item's owner, while they hold a seat in its committee."""
    return (
        getattr(user, "is_authenticated", False)
        and item.owner_id == user.pk
        and is_member(user, item.proposal)
    )


@rules.predicate
def chairs_items_committee(user, item) -> bool:
    return is_chair(user, item.proposal)


@rules.predicate
def may_comment(user, proposal) -> bool:
    """Who comments on a proposal: a member of its committee once it is submitted (its
    proposer on a draft too), and, where PMC_NON_MEMBER_COMMENTS is on, anyone signed in
    (shown as a non-member)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if proposal.state == State.DRAFT:
        return proposal.proposer_id == user.pk
    if is_member(user, proposal) or has_binding_vote(user, proposal):
        return True
    return bool(getattr(settings, "PMC_NON_MEMBER_COMMENTS", False))


def comment_refusal(user, proposal) -> str | None:
    """Why `user` may not comment on `proposal` (`proposals.comment`), in words that say
    what to do; None when they may. The comment actions refuse with it and the page
    shows it where the comment form would be."""
    if has_perm("proposals.comment", user, proposal):
        return None
    if not getattr(user, "is_authenticated", False):
        return "Sign in to comment."
    if proposal.state == State.DRAFT:
        return f"“{proposal}” is a draft: only its proposer comments on it until it is submitted."
    return (
        f"Only members of {proposal.committee} comment on its proposals. Ask its chair "
        "for a seat, or raise the point with a member."
    )


@rules.predicate
def wrote_comment(user, comment) -> bool:
    return getattr(user, "is_authenticated", False) and comment.author_id == user.pk


@rules.predicate
def chairs_comments_committee(user, comment) -> bool:
    return _active_role(user, comment.proposal.committee_id) == Role.CHAIR


def has_binding_vote(user, proposal) -> bool:
    """Whether `user` holds a binding vote on `proposal`: during its vote, as one of the
    voters frozen when it started (a member who joined since votes non-binding, and one
    whose seat ended since still binds); otherwise, as a member of its committee now."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if proposal.state == State.VOTING:
        return _frozen_voter(user, proposal)
    return is_member(user, proposal)


def _frozen_voter(user, proposal) -> bool:
    seen = _voters_read.get()
    key = (user.pk, proposal.pk, proposal.vote_round)
    if seen is not None and key in seen:
        return seen[key]
    frozen = proposal.eligible.filter(round=proposal.vote_round, user=user).exists()
    if seen is not None:
        seen[key] = frozen
    return frozen


@rules.predicate
def may_raise_concern(user, proposal) -> bool:
    """Who raises a blocking concern: someone with a binding vote, while the proposal is
    discussed, deferred or voted on (afterwards there is no vote left to hold back)."""
    return proposal.state in CONCERN_STATES and has_binding_vote(user, proposal)


@rules.predicate
def raised_concern(user, concern) -> bool:
    return getattr(user, "is_authenticated", False) and concern.raised_by_id == user.pk


@rules.predicate
def chairs_concerns_committee(user, concern) -> bool:
    return _active_role(user, concern.proposal.committee_id) == Role.CHAIR


@rules.predicate
def is_superuser(user, obj=None) -> bool:
    return bool(getattr(user, "is_superuser", False))


@rules.predicate
def chairs_committee(user, committee) -> bool:
    """The chair of `committee` (a Committee), while the seat lasts."""
    return _active_role(user, committee.pk) == Role.CHAIR


@rules.predicate
def is_active_account(user, obj=None) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


# Actions that are not state transitions.
rules.add_perm("proposals.vote", is_member)
# A vote a member gave the chair outside the site (`do_record_proxy_vote`): the chair.
rules.add_perm("proposals.record_proxy_vote", is_active_account & is_chair)
# A meeting's attendance and minutes: the chair of its committee, or an administrator,
# as `do_record_attendance`, `do_propose_minutes` and `do_approve_minutes` require.
rules.add_perm(
    "proposals.keep_meeting_record", is_active_account & (chairs_committee | is_superuser)
)
rules.add_perm("proposals.edit_proposal", (is_proposer & is_member) | is_chair | is_system)
rules.add_perm("proposals.manage_checklist", is_chair | is_system)
rules.add_perm(
    "proposals.tick_checklist_item", owns_item_with_seat | chairs_items_committee | is_system
)
# Templates offer the notes upload to chairs: {% if perms.proposals.upload_notes %}.
rules.add_perm("proposals.upload_notes", chairs_a_committee)
# Confirming, correcting, merging or dismissing a reading of a committee's notes.
rules.add_perm("proposals.review_readings", reviews_readings)
# Discussion. A comment's author edits it while they may still comment, and withdraws
# it at any time; a chair of its committee (or an administrator) hides it.
rules.add_perm("proposals.comment", may_comment)
rules.add_perm("proposals.withdraw_comment", wrote_comment)
rules.add_perm("proposals.hide_comment", chairs_comments_committee | is_superuser)
# Blocking concerns: raised by someone with a binding vote; resolved by who raised it, or
# by the chair of the committee (with a reason when it is someone else's).
rules.add_perm("proposals.raise_concern", may_raise_concern)
rules.add_perm("proposals.resolve_concern", raised_concern | chairs_concerns_committee)


# Seats and invitations on a committee's page: its chair or an administrator, as the
# actions (`do_add_member`, `do_change_role`, `do_end_membership`, `do_invite`,
# `do_withdraw_invitation`) require; staff who are no administrators use the admin.
rules.add_perm("proposals.manage_seats", is_active_account & (chairs_committee | is_superuser))
# A committee's meetings scheduled ahead, and their agendas: its chair or an administrator.
rules.add_perm("proposals.schedule_meetings", is_active_account & (chairs_committee | is_superuser))
# A committee's outgoing webhooks (their secrets and deliveries): its chair only, as
# `proposals.actions.webhooks` requires; an administrator takes the chair's seat first.
rules.add_perm("proposals.manage_webhooks", is_active_account & chairs_committee)
# Deactivating an account: administrators, never their own (`do_deactivate_user`).
rules.add_perm("proposals.deactivate_user", is_active_account & is_superuser)


def has_perm(name: str, user, obj=None) -> bool:
    """Test one of the permissions above as written. Unlike `user.has_perm`, it gives
    superusers no shortcut: an administrator who holds no seat does not vote."""
    return rules.has_perm(name, user, obj)


def allowed(predicate: rules.Predicate) -> Callable[[Any, Any], bool]:
    """A transition's `permission=`: (proposal, user) -> whether `predicate` admits it."""

    def check(proposal, user) -> bool:
        return predicate.test(user, proposal)

    return check


class SeatsReadOnceMiddleware:
    """Reading a page (GET or HEAD, which change no seat) asks every question about the
    reader's seats of one read of them: the view's checks, the page's buttons and the
    banners of the base template alike."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with seats_read_once():
            return self.get_response(request)
