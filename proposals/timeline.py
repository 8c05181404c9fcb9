"""The proposal page's one timeline: what was done (the history's sentences, from
`event_sentences`) and what was said (comment threads with their replies, concerns
raised and resolved), merged in time order.

The comment and concern events stay in the audit log, word for word, and read as
sentences on the audit page; here the comments and concerns themselves stand in their
place, so nothing is told twice. The page reads every comment and every concern in one
query each, whatever their number.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from proposals import event_sentences, events
from proposals.models import Comment, Concern
from proposals.templatetags.people import person

# Events that the comments and concerns themselves show on the timeline.
TOLD_BY_THE_DISCUSSION = frozenset(
    {
        events.COMMENT_POSTED,
        events.COMMENT_EDITED,
        events.COMMENT_WITHDRAWN,
        events.COMMENT_HIDDEN,
        events.CONCERN_RAISED,
        events.CONCERN_RESOLVED,
    }
)


@dataclass
class Thread:
    """A top-level comment and its replies, oldest first."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass(frozen=True)
class ConcernLine:
    """A concern being raised, or resolved, as a sentence."""

    concern: Concern
    resolved: bool

    @property
    def who(self) -> str:
        # A decision the notes import recorded resolves open concerns with no person.
        if self.resolved and self.concern.resolved_by is None:
            return "The system"
        return person(self.concern.resolved_by if self.resolved else self.concern.raised_by)

    @property
    def sentence(self) -> SafeString:
        title = f"“{self.concern.title}”"
        if self.resolved:
            return format_html("<strong>{}</strong> resolved the concern {}.", self.who, title)
        return format_html("<strong>{}</strong> raised a concern: {}.", self.who, title)


@dataclass(frozen=True)
class Entry:
    """One item of the timeline: exactly one of `line`, `thread` or `concern` is set."""

    at: datetime.datetime
    line: event_sentences.Line | None = None
    thread: Thread | None = None
    concern: ConcernLine | None = None
    # A line's time, rendered (`event_times`).
    time: SafeString | None = None


def for_proposal(
    proposal,
    history: Iterable[event_sentences.Line],
    concerns: Iterable[Concern] | None = None,
) -> list[Entry]:
    """The proposal's timeline from its history lines (`event_sentences.lines` of its
    events, in order) and its comments and concerns, in the order they were recorded:
    a comment or concern stands where the event that posted, raised or resolved it was
    recorded (its own time where there is none), as an event about another time stands
    where it was recorded, with that time beside it. `concerns` are the proposal's
    concerns with their `raised_by` and `resolved_by`, when the caller has read them
    already (else they are read here)."""
    history = list(history)
    recorded = _recorded_times(history)
    threads = threads_of(proposal)
    if concerns is None:
        concerns = Concern.objects.filter(proposal=proposal).select_related(
            "raised_by", "resolved_by"
        )
    concerns = list(concerns)
    explained = {concern.comment_id: concern for concern in concerns if concern.comment_id}
    shown = set()
    for thread in threads:
        for comment in (thread.comment, *thread.replies):
            comment.explains = explained.get(comment.pk)
            shown.add(comment.pk)
    told = [line for line in history if line.event.action not in TOLD_BY_THE_DISCUSSION]
    times = event_times(proposal, [line.event for line in told])
    entries = [
        Entry(at=line.event.recorded_at, line=line, time=times[line.event.pk]) for line in told
    ]
    entries += [
        Entry(
            at=recorded.get(("comment", thread.comment.pk), thread.comment.created_at),
            thread=thread,
        )
        for thread in threads
    ]
    for concern in concerns:
        # A concern explained in a comment is raised by that comment, which says so.
        if concern.comment_id not in shown:
            raised = recorded.get(("raised", concern.pk), concern.raised_at)
            entries.append(Entry(at=raised, concern=ConcernLine(concern, resolved=False)))
        if concern.resolved_at is not None:
            resolved = recorded.get(("resolved", concern.pk), concern.resolved_at)
            entries.append(Entry(at=resolved, concern=ConcernLine(concern, resolved=True)))
    # sorted() keeps ties in the order built: events, then comments, then concerns.
    return sorted(entries, key=lambda entry: entry.at)


# How long the rendered times stay cached: a page read at all is often read again soon.
TIMES_SECONDS = 60 * 60


def event_times(proposal, events_: list) -> dict[int, SafeString]:
    """{event id: its time as the timeline shows it (`_event_time.html`)} in the reader's
    time zone. Formatting dates in a time zone is most of the time it takes to render
    the history, and an event's times never change, so they are cached together under
    the zone and the hash of the last event, which seals every event before it: one key
    cannot stand for two different sets of events, so a stale time is never served."""
    zone = timezone.get_current_timezone_name()
    last = events_[-1].hash if events_ else ""
    key = f"proposals:event-times:{proposal.pk}:{len(events_)}:{last}:{zone}"
    times = cache.get(key)
    if times is None:
        times = {
            event.pk: render_to_string(
                "proposals/_event_time.html", {"event": event, "format": "Y-m-d H:i"}
            )
            for event in events_
        }
        cache.set(key, times, TIMES_SECONDS)
    # Rendered by the template above, which escapes what it shows.
    return {pk: mark_safe(html) for pk, html in times.items()}  # noqa: S308


_RECORDING_EVENTS = {
    events.COMMENT_POSTED: ("comment", "comment"),
    events.CONCERN_RAISED: ("raised", "concern"),
    events.CONCERN_RESOLVED: ("resolved", "concern"),
}


def _recorded_times(
    history: list[event_sentences.Line],
) -> dict[tuple[str, int], datetime.datetime]:
    """When each comment was posted and each concern raised or resolved, as the log
    recorded it: {("comment" | "raised" | "resolved", id): recorded_at}."""
    times = {}
    for line in history:
        what = _RECORDING_EVENTS.get(line.event.action)
        if what is not None and line.event.payload.get(what[1]) is not None:
            times[(what[0], line.event.payload[what[1]])] = line.event.recorded_at
    return times


def threads_of(proposal) -> list[Thread]:
    """The proposal's comments as threads, in the order they were posted. A reply whose
    parent is missing (it cannot be, as comments are never deleted) would be left out."""
    comments = Comment.objects.filter(proposal=proposal).select_related("author", "hidden_by")
    threads: dict[int, Thread] = {}
    replies: list[Comment] = []
    for comment in comments.order_by("created_at", "id"):
        if comment.parent_id is None:
            threads[comment.pk] = Thread(comment)
        else:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in threads:
            threads[reply.parent_id].replies.append(reply)
    return list(threads.values())
