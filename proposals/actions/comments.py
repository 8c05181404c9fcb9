"""Comments on a proposal: posting, replying, editing, withdrawing and hiding.

Nothing said is deleted. An edit keeps every earlier text as a `CommentVersion`; a
withdrawal leaves a placeholder in the thread; a chair's hiding keeps the text for staff
with the reason shown to everyone. Each is an event in the audit chain, written in the
same transaction, whose payload carries the SHA-256 of the text it published so the
comment table can be checked against the log.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone

from pmc.markup import MarkupTooComplex, check_markup, render_markdown
from proposals import events, permissions
from proposals.actions._base import _locked, _nonblank, _proposal_event, action
from proposals.errors import LifecycleError, NotPermitted
from proposals.models import Comment, CommentVersion


def max_chars() -> int:
    """The longest comment: PMC_COMMENT_MAX_CHARS."""
    return getattr(settings, "PMC_COMMENT_MAX_CHARS", 20_000)


@action
def do_post_comment(
    *,
    proposal,
    actor,
    body: str,
    reply_to: Comment | int | None = None,
    at: datetime.datetime | None = None,
) -> Comment:
    """Post a comment on `proposal`, or a reply under the comment `reply_to` (a reply to
    a reply goes under the same comment: threads are one level deep)."""
    at = at or timezone.now()
    proposal = _locked(proposal)
    _require_may_comment(actor, proposal)
    body = _checked_body(body)
    parent = _thread_of(reply_to, proposal) if reply_to is not None else None
    comment = Comment.objects.create(
        proposal=proposal,
        parent=parent,
        author=actor,
        by_member=permissions.is_member(actor, proposal),
        body=body,
        body_html=_rendered(body),
        created_at=at,
    )
    CommentVersion.objects.create(comment=comment, number=1, body=body, written_at=at)
    _proposal_event(
        proposal,
        action=events.COMMENT_POSTED,
        actor=actor,
        at=at,
        payload={
            "comment": comment.pk,
            "reply_to": parent.pk if parent else None,
            "version": 1,
            "by_member": comment.by_member,
            "text_sha256": _digest(body),
        },
    )
    return comment


@action
def do_edit_comment(
    *, comment: Comment | int, actor, body: str, at: datetime.datetime | None = None
) -> Comment:
    """Replace a comment's text with a new version; the earlier ones stay readable."""
    at = at or timezone.now()
    comment = _locked_comment(comment)
    if not permissions.has_perm("proposals.withdraw_comment", actor, comment):
        raise NotPermitted("Only its author may edit a comment.")
    _require_may_comment(actor, comment.proposal)
    _require_visible(comment, "edit")
    body = _checked_body(body)
    if body == comment.body:
        return comment
    comment.version += 1
    comment.body, comment.body_html, comment.edited_at = body, _rendered(body), at
    comment.save(update_fields=["version", "body", "body_html", "edited_at"])
    CommentVersion.objects.create(comment=comment, number=comment.version, body=body, written_at=at)
    _proposal_event(
        comment.proposal,
        action=events.COMMENT_EDITED,
        actor=actor,
        at=at,
        payload={
            "comment": comment.pk,
            "version": comment.version,
            "text_sha256": _digest(body),
        },
    )
    return comment


@action
def do_withdraw_comment(
    *, comment: Comment | int, actor, reason: str = "", at: datetime.datetime | None = None
) -> Comment:
    """The author takes a comment back: the thread shows that it was withdrawn; its
    text and versions are kept."""
    at = at or timezone.now()
    comment = _locked_comment(comment)
    if not permissions.has_perm("proposals.withdraw_comment", actor, comment):
        raise NotPermitted("Only its author may withdraw a comment.")
    _require_visible(comment, "withdraw")
    comment.withdrawn_at = at
    comment.save(update_fields=["withdrawn_at"])
    _proposal_event(
        comment.proposal,
        action=events.COMMENT_WITHDRAWN,
        actor=actor,
        at=at,
        reason=reason,
        payload={"comment": comment.pk, "version": comment.version},
    )
    return comment


@action
def do_hide_comment(
    *, comment: Comment | int, actor, reason: str, at: datetime.datetime | None = None
) -> Comment:
    """A chair hides a comment from the thread, saying why. Staff can still read it."""
    at = at or timezone.now()
    comment = _locked_comment(comment)
    if not permissions.has_perm("proposals.hide_comment", actor, comment):
        raise NotPermitted(
            f"Only the chair of {comment.proposal.committee} or an administrator may hide "
            "a comment."
        )
    reason = _nonblank(reason, "Say why the comment is hidden: the thread shows the reason.")
    if comment.hidden_at is not None:
        raise LifecycleError("This comment is already hidden.")
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = at, actor, reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _proposal_event(
        comment.proposal,
        action=events.COMMENT_HIDDEN,
        actor=actor,
        at=at,
        reason=reason,
        payload={"comment": comment.pk, "version": comment.version},
    )
    return comment


def _require_may_comment(actor, proposal) -> None:
    refusal = permissions.comment_refusal(actor, proposal)
    if refusal is not None:
        raise NotPermitted(refusal)


def _require_visible(comment: Comment, verb: str) -> None:
    if comment.withdrawn_at is not None:
        raise LifecycleError(f"This comment was withdrawn; there is nothing left to {verb}.")
    if comment.hidden_at is not None:
        raise LifecycleError(
            f"A chair hid this comment ({comment.hidden_reason}); it can no longer be "
            f"{'edited' if verb == 'edit' else 'withdrawn'}."
        )


def _thread_of(reply_to: Comment | int, proposal) -> Comment:
    pk = reply_to.pk if isinstance(reply_to, Comment) else reply_to
    parent = Comment.objects.filter(pk=pk, proposal=proposal).first()
    if parent is None:
        raise LifecycleError(
            f"There is no comment #{pk} on “{proposal}” to reply to. Reload the page."
        )
    if parent.parent_id is not None:  # one level deep: answer in the same thread
        parent = parent.parent
    if parent.hidden_at is not None:
        raise LifecycleError("A chair hid this comment: it takes no replies.")
    return parent


def _checked_body(body: str) -> str:
    body = _nonblank(body or "", "Write something first: the comment is empty.")
    limit = max_chars()
    if len(body) > limit:
        raise LifecycleError(
            f"A comment is at most {limit:,} characters; this one has {len(body):,}. "
            "Shorten it, or split it into several comments."
        )
    try:
        check_markup(body, limit=limit)
    except MarkupTooComplex as refused:
        raise LifecycleError(str(refused)) from None
    return body


def _rendered(body: str) -> str:
    return render_markdown(body)


def _locked_comment(comment: Comment | int) -> Comment:
    """The comment, read after its proposal is locked (proposal first, as every action
    locks, so two actions never wait on each other in opposite orders)."""
    pk = comment.pk if isinstance(comment, Comment) else comment
    proposal_id = Comment.objects.filter(pk=pk).values_list("proposal_id", flat=True).first()
    if proposal_id is None:
        raise LifecycleError(f"There is no comment #{pk}. Reload the page.")
    proposal = _locked(proposal_id)
    found = Comment.objects.select_for_update(of=("self",)).get(pk=pk)
    found.proposal = proposal
    return found


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()
