"""Who hears of a comment or a concern, and as what: the recipients of the discussion's
events in the outbox (`notifications` fans each event out through here).

One event, one e-mail per person at most:

- a new comment tells the people it mentions (MENTIONED) and the proposal's watchers
  (COMMENTED, `proposals.watching`); someone both mentioned and watching is told once,
  of the mention;
- an edit tells only the people its version mentions for the first time (the action
  lists them in the event): each person hears of a comment's mention of them once;
- a concern, raised or resolved, tells the watchers (CONCERN); the comment that
  explains a raised concern is told with the concern (its mentions as MENTIONED), not
  a second time as a comment;
- the author of the event is never told of it; a comment withdrawn or hidden before it
  was told is told to nobody; a concern a meeting's decision resolved is told with the
  decision, to the committee.

A mention's notification is keyed by the comment and the person (`mention:<comment>:
<user>`), so a person is told of one comment's mention of them once, whatever the
edits; the others by the outbox row (`outbox:<row>:<user>:<kind>`).

Whoever may not read the proposal (when PMC_PUBLIC_READ is off: anyone without a seat
who is not staff) is told nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from pmc.models import Membership
from proposals import events, watching
from proposals.models import Comment, CommentVersion, Concern, Event, NotificationKind

# The outbox row's kind for each discussion event (a recipient's own may be MENTIONED).
KINDS = {
    events.COMMENT_POSTED: NotificationKind.COMMENTED,
    events.COMMENT_EDITED: NotificationKind.MENTIONED,
    events.CONCERN_RAISED: NotificationKind.CONCERN,
    events.CONCERN_RESOLVED: NotificationKind.CONCERN,
}


def needs_outbox(event: Event) -> bool:
    """Whether the discussion event can tell anyone: an edit only if it mentions someone
    new, a concern's resolution unless a meeting's decision made it."""
    if event.action == events.COMMENT_EDITED:
        return bool(event.payload.get("mentions"))
    if event.action == events.CONCERN_RESOLVED:
        return "by_decision" not in event.payload
    return event.action in KINDS


@dataclass
class Told:
    """What one event tells: the text's context, and who is told as which kind."""

    context: dict
    recipients: list[tuple[object, str, str]]  # (user, kind, key)


def told(event: Event, row_pk: int, reachable: Callable[[str], QuerySet]) -> Told | None:
    """Who `event` (the outbox row `row_pk`'s) tells, each once, and what it says; None
    when it tells nobody. `reachable(kind)` is the active people with an address who
    have not turned `kind` off."""
    context = _context(event)
    if context is None:
        return None
    comment = context.get("comment")
    mentioned = _mentioned(event, comment)
    watch_kind = None if event.action == events.COMMENT_EDITED else KINDS[event.action]
    recipients: dict[int, tuple[object, str, str]] = {}
    if mentioned:
        people = _readers(reachable(NotificationKind.MENTIONED).filter(pk__in=mentioned))
        for user in people.exclude(pk=event.actor_id or 0):
            key = f"mention:{comment.pk}:{user.pk}"
            recipients[user.pk] = (user, NotificationKind.MENTIONED, key)
    if watch_kind is not None:
        people = _readers(
            reachable(watch_kind).filter(pk__in=watching.watchers(event.proposal).values("pk"))
        )
        for user in people.exclude(pk=event.actor_id or 0).exclude(pk__in=list(recipients)):
            recipients[user.pk] = (user, watch_kind, f"outbox:{row_pk}:{user.pk}:{watch_kind}")
    if not recipients:
        return None
    return Told(context, sorted(recipients.values(), key=lambda r: r[0].pk))


def _context(event: Event) -> dict | None:
    """What the e-mails of `event` show: the comment (at the event's version) and the
    concern; None when there is nothing to tell."""
    payload = event.payload
    context: dict = {"actor_display": _display(event)}
    if event.action in (events.CONCERN_RAISED, events.CONCERN_RESOLVED):
        concern = (
            Concern.objects.filter(pk=payload.get("concern"))
            .select_related("raised_by", "comment")
            .first()
        )
        if concern is None:
            return None
        context["concern"] = concern
        comment = concern.comment if event.action == events.CONCERN_RAISED else None
    else:
        comment = Comment.objects.filter(pk=payload.get("comment")).first()
        if comment is None:
            return None
        explains_concern = Concern.objects.filter(comment=comment).exists()
        if event.action == events.COMMENT_POSTED and explains_concern:
            return None  # the concern's own event tells of it
    if comment is not None:
        if comment.withdrawn_at is not None or comment.hidden_at is not None:
            if event.action != events.CONCERN_RAISED:
                return None
            comment = None  # the concern is still news; its text is no longer shown
        else:
            number = payload.get("version", 1) if event.action != events.CONCERN_RAISED else 1
            version = CommentVersion.objects.filter(comment=comment, number=number).first()
            context["text"] = version.body if version else comment.body
    context["comment"] = comment
    return context


def _mentioned(event: Event, comment: Comment | None) -> list[int]:
    if comment is None:
        return []
    if event.action == events.CONCERN_RAISED:  # the mentions of its explanation
        posted = Event.objects.filter(
            proposal_id=event.proposal_id,
            action=events.COMMENT_POSTED,
            payload__comment=comment.pk,
        ).first()
        return list(posted.payload.get("mentions", [])) if posted else []
    return list(event.payload.get("mentions", []))


def _readers(people: QuerySet) -> QuerySet:
    """`people` who may read proposals: everyone, unless PMC_PUBLIC_READ is off; then
    staff and people with a seat."""
    if settings.PMC_PUBLIC_READ:
        return people
    seated = Membership.objects.active().values("user_id")
    return people.filter(Q(is_staff=True) | Q(pk__in=seated))


def _display(event: Event) -> str:
    actor = event.actor
    if actor is None:
        return event.actor_name
    return actor.get_full_name() or actor.get_username()
