"""Atom feeds of the lifecycle (Django's syndication framework): the site's (proposals as
they move: each filing and each transition, in every committee), each committee's and each
project's (everything their history records), each proposal's (its timeline: the history's
sentences, its comments and its concerns) and the audit log's signed checkpoints.

A feed shows what an anonymous visitor reads on the site, whoever asks: the history's
sentences (`event_sentences`, which name people by their full names and never hold a
comment's text or an e-mail address), a comment's text unless it was withdrawn or hidden
(then the placeholder the page shows). Each holds the newest `ENTRIES` entries, read with
a fixed number of queries from the event log's indexes (by action, committee, project or
proposal), however long the log. An entry's id is a tag URI that never
changes: an event, a comment or a concern has the same id in every feed it appears in.
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db import connection
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe

from pmc.models import Committee, Project
from proposals import addresses, checkpoints, event_sentences, events, lifecycle, timeline
from proposals.models import Checkpoint, Comment, Concern, Event, Proposal
from proposals.templatetags.people import person

# The newest entries a feed holds.
ENTRIES = 50
# What the site's feed follows: proposals filed, and every move of their lifecycle.
LIFECYCLE_ACTIONS = (
    events.PROPOSAL_CREATED,
    *(events.transition(name) for name in lifecycle.TRANSITIONS),
)
# What each event shows of the rows it names (a proposal's title, not its text).
EVENT_ROWS = ("actor", "committee", "project", "membership__user", "proposal")


@dataclass(frozen=True)
class Entry:
    """One entry of a feed, ready to write."""

    id: str
    title: str
    link: str
    summary: str
    published: datetime.datetime
    updated: datetime.datetime
    author: str = ""
    author_link: str | None = None
    extra: dict | None = None


def plain(fragment: str) -> str:
    """HTML as the plain text of a title."""
    return html.unescape(strip_tags(str(fragment)))


def _author_link(user) -> str | None:
    if user is None or not user.is_active:
        return None  # only active people have a page
    return addresses.url(reverse("proposals:person", args=[user.get_username()]))


def event_link(event: Event) -> str:
    """Where an event is told: its proposal's page (at the comment it is about), else its
    project's, its meeting's, its committee's, else the audit log."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.proposal_id:
        path = reverse("proposals:detail", args=[event.proposal_id])
        if payload.get("comment") and event.action.startswith("comment."):
            path += f"#comment-{payload['comment']}"
        return addresses.url(path)
    if event.project_id:
        return addresses.url(reverse("proposals:project_detail", args=[event.project_id]))
    if payload.get("meeting"):
        return addresses.url(reverse("proposals:meeting_detail", args=[payload["meeting"]]))
    if event.committee_id:
        return addresses.url(reverse("proposals:committee", args=[event.committee.slug]))
    return addresses.url(reverse("proposals:audit_log"))


def event_entries(events_) -> list[Entry]:
    """Entries for events (with `EVENT_ROWS` selected), in their order."""
    entries = []
    for line in event_sentences.lines(events_):
        event = line.event
        title = plain(line.sentence)
        summary = format_html("<p>{}</p>", line.sentence)
        if event.proposal_id:
            title = f"#{event.proposal_id} {event.proposal.title}: {title}"
            summary = format_html(
                '{}<p>Proposal <a href="{}">#{} {}</a> of {}.</p>',
                summary,
                reverse("proposals:detail", args=[event.proposal_id]),
                event.proposal_id,
                event.proposal.title,
                event.committee.name if event.committee_id else "no committee",
            )
        if event.about_another_time:  # a meeting's decision, back-dated history
            summary = format_html(
                "{}<p>About {} UTC.</p>",
                summary,
                f"{event.at.astimezone(datetime.UTC):%Y-%m-%d %H:%M}",
            )
        entries.append(
            Entry(
                id=addresses.tag(event.recorded_at, f"event/{event.pk}"),
                title=title,
                link=event_link(event),
                summary=addresses.absolute_links(summary),
                # When it was written, which orders the history (as on the pages).
                published=event.recorded_at,
                updated=event.recorded_at,
                author=line.who,
                author_link=_author_link(event.actor),
            )
        )
    return entries


def _events():
    return Event.objects.select_related(*EVENT_ROWS).defer(
        "proposal__body", "proposal__body_html", "proposal__vote_rules"
    )


def latest_lifecycle_events(limit: int = ENTRIES) -> list[Event]:
    """The newest filings and transitions of every proposal. Each action's newest events
    are read from the index on (action, id), `limit` of them at most; the newest of those
    are the newest of all. One query where the database takes a LIMIT in each part of a
    UNION (PostgreSQL), else one per action: never a walk through the whole log."""
    per_action = [
        Event.objects.filter(action=action).order_by("-id").values_list("id", flat=True)[:limit]
        for action in LIFECYCLE_ACTIONS
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        ids = list(per_action[0].union(*per_action[1:], all=True))
    else:
        ids = [pk for part in per_action for pk in part]
    newest = sorted(ids, reverse=True)[:limit]
    return list(_events().filter(pk__in=newest).order_by("-id"))


class EntryFeed(Feed):
    """A feed of `Entry` items: the subclasses say what they hold."""

    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        return self.subject(**kwargs)

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # The feed's own address (rel="self") at the site's address, as its other links.
        feed.feed["feed_url"] = addresses.url(request.path)
        return feed

    def subject(self, **kwargs):
        return None

    def item_title(self, item: Entry) -> str:
        return item.title

    def item_link(self, item: Entry) -> str:
        return item.link

    def item_guid(self, item: Entry) -> str:
        return item.id

    def item_description(self, item: Entry) -> str:
        return item.summary

    def item_pubdate(self, item: Entry) -> datetime.datetime:
        return item.published

    def item_updateddate(self, item: Entry) -> datetime.datetime:
        return item.updated

    def item_author_name(self, item: Entry) -> str:
        return item.author

    def item_author_link(self, item: Entry) -> str | None:
        return item.author_link

    def item_extra_kwargs(self, item: Entry) -> dict:
        return item.extra or {}

    def feed_guid(self, subject) -> str:
        return self.link(subject)


class SiteFeed(EntryFeed):
    title = "PMC Lifecycle: proposals as they move"
    subtitle = "Every proposal filed, and every step of its lifecycle, in every committee."

    def link(self, subject) -> str:
        return addresses.url(reverse("proposals:home"))

    def items(self, subject) -> list[Entry]:
        return event_entries(latest_lifecycle_events())


class CommitteeFeed(EntryFeed):
    def subject(self, *, slug: str) -> Committee:
        return get_object_or_404(Committee, slug=slug)

    def title(self, subject) -> str:
        return f"PMC Lifecycle: {subject.name}"

    def subtitle(self, subject) -> str:
        return (
            f"What the history of {subject.name} records: proposals filed and "
            "moved, votes, comments, meetings and seats."
        )

    def link(self, subject) -> str:
        return addresses.url(reverse("proposals:committee", args=[subject.slug]))

    def items(self, subject) -> list[Entry]:
        # The index on (committee, id) holds them in order.
        events_ = _events().filter(committee=subject).order_by("-id")[:ENTRIES]
        return event_entries(events_)


class ProjectFeed(EntryFeed):
    def subject(self, *, pk: int) -> Project:
        return get_object_or_404(Project.objects.select_related("committee"), pk=pk)

    def title(self, subject) -> str:
        return f"PMC Lifecycle: the project {subject.name}"

    def subtitle(self, subject) -> str:
        return f"What the history records of {subject.name} and its proposals."

    def link(self, subject) -> str:
        return addresses.url(subject.get_absolute_url())

    def items(self, subject) -> list[Entry]:
        # The project's events, its proposals' included, from the index on the project.
        events_ = _events().filter(project=subject).order_by("-id")[:ENTRIES]
        return event_entries(events_)


class ProposalFeed(EntryFeed):
    """A proposal's timeline, newest first: what was done, and what was said."""

    def subject(self, *, pk: int) -> Proposal:
        return get_object_or_404(
            Proposal.objects.select_related("committee").defer("body", "body_html"), pk=pk
        )

    def title(self, subject) -> str:
        return f"PMC Lifecycle: #{subject.pk} {subject.title}"

    def subtitle(self, subject) -> str:
        return f"The timeline of a proposal of {subject.committee.name}."

    def link(self, subject) -> str:
        return addresses.url(subject.get_absolute_url())

    def items(self, subject) -> list[Entry]:
        proposal = subject
        # The comments and concerns stand for the events that posted and raised them.
        told = (
            _events()
            .filter(proposal=proposal)
            .exclude(action__in=timeline.TOLD_BY_THE_DISCUSSION)
            .order_by("-id")[:ENTRIES]
        )
        entries = event_entries(told)
        comments = (
            Comment.objects.filter(proposal=proposal)
            .select_related("author", "hidden_by", "concern")
            .order_by("-created_at", "-id")[:ENTRIES]
        )
        entries += [comment_entry(comment, proposal) for comment in comments]
        entries += concern_entries(proposal)
        entries.sort(key=lambda entry: entry.published, reverse=True)
        return entries[:ENTRIES]


def comment_entry(comment: Comment, proposal: Proposal) -> Entry:
    """A comment as its proposal's page shows it to everyone: its text, or the
    placeholder a withdrawal or a chair's hiding leaves."""
    who = person(comment.author)
    concern = getattr(comment, "concern", None)
    if concern is not None:
        did = f"raised a concern: “{concern.title}”"
    elif comment.parent_id:
        did = f"replied to comment #{comment.parent_id}"
    else:
        did = "commented"
    if comment.hidden_at:
        body = format_html(
            "<p>Hidden by {}: {}</p>", person(comment.hidden_by), comment.hidden_reason
        )
    elif comment.withdrawn_at:
        body = mark_safe("<p>Withdrawn by the author.</p>")
    else:
        body = comment.body_html
    path = f"{reverse('proposals:detail', args=[proposal.pk])}#comment-{comment.pk}"
    return Entry(
        id=addresses.tag(comment.created_at, f"comment/{comment.pk}"),
        title=f"#{proposal.pk} {proposal.title}: {who} {did} (comment #{comment.pk})",
        link=addresses.url(path),
        summary=addresses.absolute_links(body),
        published=comment.created_at,
        updated=max(
            filter(
                None,
                [comment.created_at, comment.edited_at, comment.withdrawn_at, comment.hidden_at],
            )  # fmt: skip
        ),
        author=who,
        author_link=_author_link(comment.author),
    )


def concern_entries(proposal: Proposal) -> list[Entry]:
    """Concerns raised (those a comment explains are that comment's entry) and resolved,
    the newest of each."""
    concerns = Concern.objects.filter(proposal=proposal).select_related("raised_by", "resolved_by")
    raised = concerns.filter(comment__isnull=True).order_by("-raised_at", "-id")[:ENTRIES]
    resolved = concerns.filter(resolved_at__isnull=False).order_by("-resolved_at", "-id")
    lines = [timeline.ConcernLine(c, resolved=False) for c in raised]
    lines += [timeline.ConcernLine(c, resolved=True) for c in resolved[:ENTRIES]]
    path = reverse("proposals:detail", args=[proposal.pk])
    entries = []
    for line in lines:
        concern = line.concern
        at = concern.resolved_at if line.resolved else concern.raised_at
        summary = format_html("<p>{}</p>", line.sentence)
        if line.resolved and concern.resolution:
            summary = format_html("{}<p>{}</p>", summary, concern.resolution)
        user = concern.resolved_by if line.resolved else concern.raised_by
        what = "resolved" if line.resolved else "raised"
        entries.append(
            Entry(
                id=addresses.tag(at, f"concern/{concern.pk}/{what}"),
                title=f"#{proposal.pk} {proposal.title}: {plain(line.sentence)}",
                link=addresses.url(path),
                summary=addresses.absolute_links(summary),
                published=at,
                updated=at,
                author=line.who,
                author_link=_author_link(user),
            )
        )
    return entries


# The audit log's signed checkpoints

# The namespace of the elements that carry a checkpoint's fields.
CHECKPOINT_NS = "urn:x-pmc-lifecycle:checkpoint:1"


class CheckpointAtom(Atom1Feed):
    """Atom with each checkpoint's published fields as elements of their own
    (`<c:sequence>`, `<c:signature>`, ...), exactly as /audit/checkpoints.json has them."""

    def root_attributes(self) -> dict:
        return {**super().root_attributes(), "xmlns:c": CHECKPOINT_NS}

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        for name, value in item["checkpoint"].items():
            handler.addQuickElement(f"c:{name}", str(value))


class CheckpointFeed(EntryFeed):
    feed_type = CheckpointAtom
    title = "PMC Lifecycle: signed checkpoints of the audit log"
    subtitle = (
        "Each says, under the application's Ed25519 key, how many events the log held "
        "and the hash of the last. Keep copies: a log cut short or rewritten no longer "
        "matches them (verify_audit --checkpoint)."
    )

    def link(self, subject) -> str:
        return addresses.url(reverse("proposals:audit_log"))

    def items(self, subject) -> list[Entry]:
        rows = Checkpoint.objects.order_by("-sequence")[:ENTRIES]
        json_url = addresses.url(reverse("proposals:audit_checkpoints"))
        entries = []
        for row in rows:
            published = checkpoints.as_json(row)
            summary = format_html(
                "<p>The log held {} events; the last one's hash is <code>{}</code>. "
                "Signed at {} with the key {} (<code>{}</code>): <code>{}</code></p>",
                row.events,
                row.head,
                published["signed_at"],
                row.key_id,
                row.public_key,
                row.signature,
            )
            entries.append(
                Entry(
                    id=addresses.tag(row.signed_at, f"checkpoint/{row.sequence}"),
                    title=f"Checkpoint {row.sequence}: {row.events} events",
                    link=f"{json_url}?after={row.sequence - 1}",
                    summary=summary,
                    published=row.signed_at,
                    updated=row.signed_at,
                    author="PMC Lifecycle",
                    extra={"checkpoint": published},
                )
            )
        return entries
