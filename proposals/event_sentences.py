"""The history in words: each event of the log as what a person reads, who did what,
with the vote, the checklist item, what an edit changed. The one home of that wording:
the proposal's timeline and the audit page both take their lines from `lines()`.

Every action the application writes (`proposals.events`, and each transition's
`proposal.<name>`) has its own wording in `WORDING`; an action without one (written by
an older version, say) still reads as a sentence naming it. Sentences are built with
`format_html`, so whatever an event's payload holds is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from pmc.models import ProjectStatus, Role
from proposals import events
from proposals.actions.proposals import TEXT_FIELDS
from proposals.models import ApiToken, Event, NotificationKind
from proposals.states import Kind, State
from proposals.templatetags.people import person

# How the application's own actors are named (`proposals.actors`).
SYSTEM_NAMES = {
    "system": "The system",
    "system:import": "The notes import",
    "system:seed_demo": "The demo data",
    "system:command": "A management command",
    "system:sign-in throttle": "The sign-in throttle",
}
# The proposal's fields an edit may change, as a sentence names them.
FIELD_NAMES = {
    "title": "the title",
    "body": "the text",
    "project": "the project",
    "proposing_team": "the proposing team",
    "condition": "the condition",
    "new_name": "the new name",
    "new_lead": "the new lead",
}
# Fields whose whole value fits in a sentence; longer ones are cut there (the page of
# the changes shows them whole).
QUOTED_LENGTH = 80


@dataclass(frozen=True)
class Line:
    """One event as read: who acted, and what they did (a sentence without its
    subject, escaped HTML)."""

    event: Event
    who: str
    what: SafeString

    @property
    def sentence(self) -> SafeString:
        return format_html("<strong>{}</strong> {}", self.who, self.what)


def lines(events_: Iterable[Event]) -> list[Line]:
    """The events as lines, in their order. The events should come with their `actor`
    (and, for seats, `membership__user`) selected; the people their payloads name by
    user name are read in one query, and only when some event names one."""
    events_ = list(events_)
    people = _people_named(events_)
    return [Line(event, who(event), describe(event, people)) for event in events_]


def who(event: Event) -> str:
    """Who acted: the person's full name, or what the application calls itself."""
    if event.actor_id is not None:
        return person(event.actor)
    name = event.actor_name
    if name in SYSTEM_NAMES:
        return SYSTEM_NAMES[name]
    if name.startswith("system:command:"):
        return f"The command {name.removeprefix('system:command:')}"
    if name.startswith("system:"):
        return f"The system ({name.removeprefix('system:')})"
    return name


def describe(event: Event, people: dict | None = None) -> SafeString:
    """What the actor did, ending with a full stop."""
    wording = WORDING.get(event.action)
    if wording is None and event.action.startswith("proposal."):
        wording = _other_transition
    text = (wording or _unknown)(event, _Context(people or {}))
    return format_html("{}.", text)


@dataclass(frozen=True)
class _Context:
    people: dict

    def named(self, username: str | None) -> str:
        if not username:
            return "someone"
        user = self.people.get(username)
        return person(user) if user is not None else username


def _people_named(events_: list[Event]) -> dict:
    usernames = {
        event.payload.get(key)
        for event in events_
        for key in _NAMES_PEOPLE.get(event.action, ())
        if isinstance(event.payload, dict)
    } - {None, ""}
    if not usernames:
        return {}
    users = get_user_model().objects.filter(username__in=usernames)
    return {user.get_username(): user for user in users}


# Pieces of sentences


def _quoted(value, length: int = QUOTED_LENGTH) -> str:
    return f"“{Truncator(str(value)).chars(length)}”"


def _label(choices, value, default: str = "—") -> str:
    """The value's label in `choices`, in lower case; the value itself if unknown."""
    try:
        return choices(value).label.lower()
    except ValueError:
        return str(value) if value not in ("", None) else default


def _state(value: str) -> str:
    return _label(State, value)


def _status(value: str) -> str:
    return _label(ProjectStatus, value, "none")


def _vote(value) -> str:
    return {1: "+1", 0: "0", -1: "−1", "recused": "recused"}.get(value, str(value))


def _meeting(payload: dict, committee: str = "") -> SafeString:
    """“the meeting of 2017-05-16”, linked to the meeting's page."""
    date = payload.get("date", "")
    whose = f"the {committee} meeting" if committee else "the meeting"
    if payload.get("meeting"):
        url = reverse("proposals:meeting_detail", args=[payload["meeting"]])
        return format_html('<a href="{}">{} of {}</a>', url, whose, date)
    return format_html("{} of {}", whose, date)


def _listed(items: list) -> str:
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _field_change(field: str, change: dict, quote: bool = True) -> SafeString:
    name = FIELD_NAMES.get(field, field.replace("_", " "))
    old, new = change.get("from"), change.get("to")
    if not quote:
        return format_html("changed {}", name)
    if old in ("", None, []):
        return format_html("set {} to {}", name, _quoted(new))
    if new in ("", None, []):
        return format_html("cleared {} (was {})", name, _quoted(old))
    return format_html("changed {} from {} to {}", name, _quoted(old), _quoted(new))


def _in_order(changed: dict, order=FIELD_NAMES) -> list[tuple[str, dict]]:
    """The changed fields in the order the form shows them, then any others by name: the
    same sentence whatever order the database keeps a payload's keys in (PostgreSQL's
    jsonb keeps its own)."""
    known = list(order)
    return sorted(
        ((field, change if isinstance(change, dict) else {}) for field, change in changed.items()),
        key=lambda item: (known.index(item[0]) if item[0] in known else len(known), item[0]),
    )


def _changes(changed: dict, long_fields: tuple[str, ...] = ()) -> SafeString:
    parts = [
        _field_change(field, change, field not in long_fields)
        for field, change in _in_order(changed)
    ]
    if not parts:
        return mark_safe("changed nothing")
    if len(parts) == 1:
        return parts[0]
    return format_html(
        "{} and {}", format_html_join("; ", "{}", ((part,) for part in parts[:-1])), parts[-1]
    )


def _tally(tally: dict) -> str:
    counts = (
        f"+1 {tally.get('yes', 0)}, −1 {tally.get('no', 0)}, 0 {tally.get('abstain', 0)}, "
        f"{tally.get('recused', 0)} recused"
    )
    quorum = "quorum reached" if tally.get("quorum_met") else "quorum not reached"
    return f"{counts}; {quorum}"


def _reading(payload: dict) -> SafeString:
    """“the reading of diego-enabler (move to the attic) in the notes of the meeting of …”"""
    kind, _, subject = str(payload.get("key", "")).partition(":")
    label = _label(Kind, kind)
    item = f"“{subject}” ({label})" if subject else f"“{kind}”"
    return format_html("the reading of {} in the notes of {}", item, _meeting(payload))


def _proposal_link(pk) -> SafeString:
    if not pk:
        return mark_safe("")
    return format_html('<a href="{}">#{}</a>', reverse("proposals:detail", args=[pk]), pk)


# Proposals


def _created(event, _):
    payload = event.payload
    kind = _label(Kind, payload.get("kind"))
    return format_html("filed the proposal {} ({})", _quoted(payload.get("title", "")), kind)


def _edited(event, _):
    changed = event.payload.get("changed") or {}
    text = format_html("edited the proposal: {}", _changes(changed, long_fields=("body",)))
    revision = event.payload.get("revision")
    if revision and revision > 1 and any(field in TEXT_FIELDS for field in changed):
        url = reverse("proposals:revision_changes", args=[event.proposal_id, revision])
        text = format_html(
            '{}, making revision {} (<a href="{}">see the changes in revision {}</a>)',
            text,
            revision,
            url,
            revision,
        )
    return text


def _transition(wording: str):
    return lambda event, _: format_html("{}", wording)


def _start_vote(event, _):
    payload = event.payload
    hours = (payload.get("rules") or {}).get("duration_hours")
    voters = len(payload.get("eligible") or [])
    text = format_html("started the vote on revision {} of the text", payload.get("revision"))
    details = [f"{voters} member{'s' if voters != 1 else ''} may vote"]
    if hours:
        details.append(f"open for {hours} hours")
    return format_html("{} ({})", text, ", ".join(details))


def _close_vote(event, _):
    tally = _tally(event.payload.get("tally") or {})
    outcome = {
        State.ACCEPTED: "closed the vote: accepted",
        State.REJECTED: "closed the vote: rejected",
        State.VOTING: "extended the vote, as quorum was not reached",
        State.DEFERRED: "closed the vote without quorum: deferred",
    }.get(event.to_state, f"closed the vote ({_state(event.to_state)})")
    return format_html("{} ({})", outcome, tally)


def _decide(event, _):
    accepted = event.payload.get("accepted", event.to_state == State.ACCEPTED)
    text = format_html(
        "recorded the decision of {}: {}",
        _meeting(event.payload),
        "accepted" if accepted else "rejected",
    )
    if event.payload.get("present") is not None:
        text = format_html(
            "{} ({} of {} members present)",
            text,
            event.payload["present"],
            event.payload.get("seated", "?"),
        )
    return text


def _attendance_recorded(event, _):
    payload = event.payload
    guests = payload.get("guests") or []
    text = format_html(
        "recorded who attended {}: {} of {} members",
        _meeting(payload),
        payload.get("present", 0),
        payload.get("seated", "?"),
    )
    if guests:
        text = format_html("{} and {} guest{}", text, len(guests), "s" if len(guests) != 1 else "")
    return text


def _minutes(wording: str):
    def sentence(event, _):
        payload = event.payload
        return format_html(
            wording, _meeting(payload), payload.get("version"), payload.get("approved_version")
        )

    return sentence


def _minutes_approved(event, _):
    payload = event.payload
    return format_html(
        "recorded the approval of version {} of the minutes of {} by the {} members present "
        "at the meeting of {}",
        payload.get("version"),
        _meeting(payload),
        payload.get("present"),
        payload.get("approved_in_date"),
    )


def _other_transition(event, _):
    name = event.action.removeprefix("proposal.").replace("_", " ")
    if event.from_state or event.to_state:
        return format_html(
            "ran “{}” on the proposal ({} → {})",
            name,
            _state(event.from_state),
            _state(event.to_state),
        )
    return format_html("recorded “{}” on the proposal", event.action)


def _meeting_linked(event, _):
    section = event.payload.get("section")
    text = format_html("linked the proposal to {}", _meeting(event.payload))
    if section:
        text = format_html("{}, where it came up under {}", text, _quoted(section))
    return text


def _meeting_link_updated(event, _):
    changed = [f"the {field}" for field in sorted(event.payload.get("changed") or {})]
    return format_html(
        "updated {} quoted from the notes of {}",
        _listed(changed) or "nothing",
        _meeting(event.payload),
    )


def _meeting_unlinked(event, _):
    return format_html("unlinked the proposal from {}", _meeting(event.payload))


def _suggestion_decided(confirmed: bool):
    def wording(event, context):
        payload = event.payload
        meeting = _meeting(payload, payload.get("committee", ""))
        by = context.named(payload.get("suggested_by"))
        if confirmed:
            return format_html(
                "confirmed that the proposal came up in {}, as {} suggested", meeting, by
            )
        return format_html(
            "dismissed the suggestion by {} that the proposal came up in {}", by, meeting
        )

    return wording


# Votes and checklists


def _vote_cast(event, _):
    payload = event.payload
    value = payload.get("to")
    text = format_html("voted {}", _vote(value))
    if value == 0:
        text = format_html("{} (abstained)", text)
    return _ballot(text, payload)


def _vote_changed(event, _):
    payload = event.payload
    text = format_html(
        "changed their vote from {} to {}", _vote(payload.get("from")), _vote(payload.get("to"))
    )
    return _ballot(text, payload)


def _vote_recused(event, _):
    before = event.payload.get("from")
    if before is None:
        text = mark_safe("recused themselves from the vote")
    else:
        text = format_html("withdrew their {} and recused themselves", _vote(before))
    return _ballot(format_html("{} (a conflict of interest)", text), event.payload)


def _vote_by_proxy(event, context):
    payload = event.payload
    value = payload.get("to")
    voter = context.named(payload.get("voter"))
    before = payload.get("from")
    text = format_html(
        "recorded {}'s vote {} on their behalf (a proxy vote: {})",
        voter,
        _vote(value),
        payload.get("note", ""),
    )
    if before is not None:
        text = format_html("{}, replacing the {} recorded before", text, _vote(before))
    return _ballot(text, payload)


def _own_vote(wording):
    """A member's own vote, noting when it replaced a proxy vote the chair recorded."""

    def sentence(event, context):
        text = wording(event, context)
        if event.payload.get("replaced_proxy"):
            text = format_html("{}, replacing the proxy vote the chair recorded", text)
        return text

    return sentence


def _ballot(text, payload: dict):
    if payload.get("binding") is False:
        text = format_html("{} (non-binding)", text)
    if payload.get("round", 1) > 1:
        text = format_html("{} in round {}", text, payload["round"])
    return text


def _checklist(done: bool):
    def wording(event, _):
        item = _quoted(event.payload.get("text", ""), 200)
        if done:
            return format_html("ticked off the checklist item {}", item)
        return format_html("reopened the checklist item {}", item)

    return wording


# Discussion


def _comment_link(event) -> SafeString:
    """“comment #12”, linked to its place in the proposal's discussion."""
    pk = event.payload.get("comment")
    if not pk or not event.proposal_id:
        return format_html("comment #{}", pk or "?")
    url = reverse("proposals:detail", args=[event.proposal_id])
    return format_html('<a href="{}#comment-{}">comment #{}</a>', url, pk, pk)


def _comment_posted(event, _):
    payload = event.payload
    text = (
        format_html("replied to comment #{} ({})", payload["reply_to"], _comment_link(event))
        if payload.get("reply_to")
        else format_html("commented on the proposal ({})", _comment_link(event))
    )
    if payload.get("by_member") is False:
        text = format_html("{}, as a non-member", text)
    return text


def _comment_edited(event, _):
    return format_html(
        "edited {}, making version {}", _comment_link(event), event.payload.get("version", "?")
    )


def _comment_withdrawn(event, _):
    return format_html("withdrew their {}", _comment_link(event))


def _comment_hidden(event, _):
    return format_html("hid {}", _comment_link(event))


def _concern_title(payload: dict) -> str:
    title = payload.get("title")
    return _quoted(title, 200) if title else ""


def _concern_raised(event, _):
    title = _concern_title(event.payload)
    return format_html("raised a concern: {}", title) if title else mark_safe("raised a concern")


def _concern_resolved(event, _):
    title = _concern_title(event.payload)
    return (
        format_html("resolved the concern {}", title) if title else mark_safe("resolved a concern")
    )


# Meetings and their notes


def _meeting_imported(event, _):
    payload = event.payload
    count = payload.get("team_reports", 0)
    text = format_html("imported the notes of {}", _meeting(payload))
    if payload.get("source"):
        text = format_html("{} from {}", text, payload["source"])
    return format_html("{}, with {} team report{}", text, count, "" if count == 1 else "s")


def _meeting_updated(event, _):
    payload = event.payload
    changed = [str(field).replace("_", " ") for field in payload.get("changed") or []]
    text = format_html("updated the notes of {}: {} changed", _meeting(payload), _listed(changed))
    extra = []
    if payload.get("teams_added"):
        extra.append(f"teams added: {', '.join(payload['teams_added'])}")
    if payload.get("teams_removed"):
        extra.append(f"teams removed: {', '.join(payload['teams_removed'])}")
    if extra:
        text = format_html("{} ({})", text, "; ".join(extra))
    return text


def _meeting_scheduled(event, _):
    payload = event.payload
    return format_html("scheduled {}, at {}", _meeting(payload), payload.get("local", ""))


def _meeting_rescheduled(event, _):
    changed = [str(field).replace("_", " ") for field in event.payload.get("changed") or []]
    return format_html("rescheduled {}: {} changed", _meeting(event.payload), _listed(changed))


def _meeting_cancelled(event, _):
    return format_html("cancelled {}", _meeting(event.payload))


def _agenda_item_added(event, _):
    payload = event.payload
    return format_html("put “{}” on the agenda of {}", payload.get("text", ""), _meeting(payload))


def _agenda_proposal_added(event, _):
    return format_html("put this proposal on the agenda of {}", _meeting(event.payload))


def _link_suggested(verb: str):
    def wording(event, _):
        payload = event.payload
        proposal = payload.get("proposal")
        title = payload.get("title")
        named = (
            format_html("{} {}", _proposal_link(proposal), _quoted(title))
            if title
            else (_proposal_link(proposal))
        )
        return format_html(
            "{} to the chair of {} that their proposal {} came up in {}",
            verb,
            payload.get("to", "another committee"),
            named,
            _meeting(payload),
        )

    return wording


# Readings of notes


def _reading_confirmed(event, _):
    steps = event.payload.get("steps") or []
    text = format_html("confirmed {}", _reading(event.payload))
    if steps:
        text = format_html("{}; steps taken: {}", text, _listed(steps))
    return text


def _reading_corrected(event, _):
    payload = event.payload
    before, after = payload.get("before") or {}, payload.get("after") or {}
    changes = [
        format_html(
            "{} from {} to {}",
            str(field).replace("_", " "),
            _quoted(before.get(field) or "—"),
            _quoted(after.get(field) or "—"),
        )
        for field in payload.get("changed") or []
    ]
    text = format_html(
        "corrected {}: {}",
        _reading(payload),
        format_html_join("; ", "{}", ((change,) for change in changes)) or "nothing",
    )
    return _reading_consequences(text, payload)


def _reading_merged(event, _):
    payload = event.payload
    into = (payload.get("after") or {}).get("proposal")
    text = format_html("merged {} into proposal {}", _reading(payload), _proposal_link(into))
    return _reading_consequences(text, payload)


def _reading_dismissed(event, _):
    payload = event.payload
    if payload.get("left_out"):
        kind, _, subject = str(payload.get("key", "")).partition(":")
        return format_html(
            "left out {} when uploading the notes of {}",
            _quoted(subject or kind),
            _meeting(payload),
        )
    return _reading_consequences(format_html("dismissed {} as misread", _reading(payload)), payload)


def _reading_consequences(text, payload: dict):
    parts = []
    if payload.get("steps"):
        parts.append(format_html("steps taken: {}", _listed(payload["steps"])))
    if payload.get("filed"):
        parts.append(format_html("filed proposal {}", _proposal_link(payload["filed"])))
    if payload.get("unlinked"):
        parts.append(format_html("unlinked proposal {}", _proposal_link(payload["unlinked"])))
    if payload.get("withdrawn"):
        parts.append(format_html("withdrew proposal {}", _proposal_link(payload["withdrawn"])))
    if not parts:
        return text
    return format_html("{}; {}", text, format_html_join("; ", "{}", ((p,) for p in parts)))


# Projects


def _project_created(event, _):
    payload = event.payload
    return format_html(
        "added the project {} as {}", _quoted(payload.get("name", "")), _status(payload.get("to"))
    )


def _project_updated(event, _):
    payload = event.payload
    changed = payload.get("changed") or {}
    parts = []
    for field, change in _in_order(changed, order=()):
        old, new = change.get("from"), change.get("to")
        if field == "status":
            old, new = _status(old), _status(new)
        elif isinstance(old, list) or isinstance(new, list):
            old, new = ", ".join(old or []) or "none", ", ".join(new or []) or "none"
        parts.append(
            format_html(
                "{} from {} to {}",
                field.replace("_", " "),
                _quoted(old or "—"),
                _quoted(new or "—"),
            )
        )
    return format_html(
        "corrected the project {}: {}",
        _quoted(payload.get("name", "")),
        format_html_join("; ", "{}", ((part,) for part in parts)) or "nothing",
    )


def _project_status_changed(event, _):
    payload = event.payload
    return format_html(
        "moved the project {} from {} to {}",
        _quoted(payload.get("name", "")),
        _status(payload.get("from")),
        _status(payload.get("to")),
    )


def _project_renamed(event, _):
    payload = event.payload
    return format_html(
        "renamed the project {} to {}", _quoted(payload.get("from")), _quoted(payload.get("to"))
    )


def _project_lead_changed(event, _):
    payload = event.payload
    old, new = payload.get("from"), payload.get("to")
    name = _quoted(payload.get("name", ""))
    if not old:
        return format_html("made {} the lead of the project {}", new, name)
    if not new:
        return format_html("left the project {} without a lead (was {})", name, old)
    return format_html("changed the lead of the project {} from {} to {}", name, old, new)


# Committees and seats


def _committee_created(event, _):
    return format_html("added the committee {}", event.payload.get("name", ""))


def _committee_updated(event, _):
    changed = event.payload.get("changed") or {}
    parts = [
        format_html(
            "{} from {} to {}",
            str(field).replace("_", " "),
            _quoted(change.get("from")),
            _quoted(change.get("to")),
        )
        for field, change in _in_order(changed, order=())
    ]
    committee = event.committee.name if event.committee_id else "a committee"
    return format_html(
        "changed {}: {}",
        committee,
        format_html_join("; ", "{}", ((part,) for part in parts)) or "nothing",
    )


def _seat_holder(event, context) -> str:
    if event.membership_id is not None:
        return person(event.membership.user)
    return context.named(event.payload.get("user"))


def _membership_started(event, context):
    role = _label(Role, event.payload.get("role"), "member")
    committee = event.committee.name if event.committee_id else "a committee"
    return format_html(
        "gave {} a seat on {} as {} from {}",
        _seat_holder(event, context),
        committee,
        role,
        event.payload.get("started_on", ""),
    )


def _membership_ended(event, context):
    committee = event.committee.name if event.committee_id else "a committee"
    return format_html(
        "ended the seat of {} on {} on {}",
        _seat_holder(event, context),
        committee,
        event.payload.get("ended_on", ""),
    )


# People and their powers


def _themselves(event) -> bool:
    """Whether the person acted on their own account."""
    return event.actor_id is not None and event.actor_id == event.payload.get("user_id")


def _subject(event, context) -> str:
    """The person the event is about, or “themselves”."""
    return "themselves" if _themselves(event) else context.named(event.payload.get("user"))


def _account_of(event, context) -> str:
    if _themselves(event):
        return "their account"
    return f"the account of {context.named(event.payload.get('user'))}"


def _account_created(event, context):
    payload = event.payload
    powers = [name for name in ("staff", "superuser") if payload.get(name)]
    if payload.get("active") is False:
        powers.append("inactive")
    text = format_html("created {}", _account_of(event, context))
    return format_html("{} ({})", text, ", ".join(powers)) if powers else text


def _account_verb(verb: str):
    def wording(event, context):
        return format_html("{} {}", verb, _account_of(event, context))

    return wording


def _second_factor_set(event, context):
    verb = (
        "replaced the authenticator app of"
        if event.payload.get("replaced")
        else ("set up an authenticator app for")
    )
    return format_html("{} {}", verb, _account_of(event, context))


def _recovery_code_used(event, context):
    return format_html(
        "confirmed the second factor of {} with a recovery code ({} left)",
        _account_of(event, context),
        event.payload.get("left", "some"),
    )


def _calendar_address_set(event, context):
    verb = "reset the address of" if event.payload.get("replaced") else "made the address of"
    return format_html("{} the personal calendar of {}", verb, _account_of(event, context))


def _power(granted: bool, power: str):
    def wording(event, context):
        if granted:
            return format_html("granted {} status to {}", power, _subject(event, context))
        return format_html("removed {} status from {}", power, _subject(event, context))

    return wording


DETAIL_NAMES = {
    "username": "the user name",
    "first_name": "the first name",
    "last_name": "the last name",
    "email": "the e-mail address",
}


def _details_changed(event, context):
    parts = []
    for field, change in _in_order(event.payload.get("changed") or {}, order=DETAIL_NAMES):
        name = DETAIL_NAMES.get(field, field.replace("_", " "))
        if "from" in change or "to" in change:
            old, new = _quoted(change.get("from") or "—"), _quoted(change.get("to") or "—")
            parts.append(format_html("{} from {} to {}", name, old, new))
        else:  # a value the public log leaves out
            parts.append(format_html("{}", name))
    return format_html(
        "changed {}: {}",
        _account_of(event, context),
        format_html_join("; ", "{}", ((part,) for part in parts)) or "nothing",
    )


def _added_removed(payload: dict, added: str, removed: str, *args) -> SafeString:
    """“added … the groups “a” and “b” and removed … the group “c””: each wording takes
    `args`, then “s” for more than one, then the names."""
    parts = []
    for key, wording in (("added", added), ("removed", removed)):
        names = payload.get(key) or []
        if names:
            plural = "s" if len(names) > 1 else ""
            parts.append(format_html(wording, *args, plural, _listed([_quoted(n) for n in names])))
    if not parts:
        return mark_safe("changed nothing")
    return format_html_join(" and ", "{}", ((part,) for part in parts))


def _groups_changed(event, context):
    return _added_removed(
        event.payload,
        "added {} to the group{} {}",
        "removed {} from the group{} {}",
        _subject(event, context),
    )


def _permissions_changed(event, context):
    return _added_removed(
        event.payload,
        "gave {} the permission{} {}",
        "took from {} the permission{} {}",
        _subject(event, context),
    )


def _group_permissions_changed(event, _):
    return _added_removed(
        event.payload,
        "gave the group {} the permission{} {}",
        "took from the group {} the permission{} {}",
        _quoted(event.payload.get("group", "")),
    )


def _password(reset: bool):
    def wording(event, context):
        if event.payload.get("usable") is False:
            return format_html("disabled the password of {}", _subject(event, context))
        if _themselves(event):
            if reset:
                return mark_safe("reset their password without signing in (a reset link)")
            return mark_safe("changed their password")
        return format_html("set a new password for {}", _subject(event, context))

    return wording


def _preferences_changed(event, context):
    payload = event.payload
    parts = []
    notifications = payload.get("notifications") or {}
    for key, verb in (("turned_on", "turned on"), ("turned_off", "turned off")):
        kinds = notifications.get(key) or []
        if kinds:
            labels = [f"“{_label(NotificationKind, kind)}”" for kind in kinds]
            parts.append(format_html("{} the e-mails {}", verb, _listed(labels)))
    zone = payload.get("time_zone")
    if isinstance(zone, dict):
        parts.append(
            format_html(
                "set the time zone to {} (was {})",
                zone.get("to") or "the site's",
                zone.get("from") or "the site's",
            )
        )
    whose = _subject(event, context)
    return format_html(
        "changed {}: {}",
        "their preferences" if _themselves(event) else f"the preferences of {whose}",
        format_html_join("; ", "{}", ((part,) for part in parts)) or "nothing",
    )


def _locked_out(event, context):
    payload = event.payload
    failures = payload.get("failures", "several")
    minutes = payload.get("minutes")
    until = f" for {minutes} minutes" if minutes else ""
    if payload.get("by") == "address":
        return format_html(
            "locked out the sign-ins from one address{} after {} failed sign-ins for any user "
            "names",
            until,
            failures,
        )
    return format_html(
        "locked out the sign-in of {} at one address{} after {} failed sign-ins",
        _throttled(payload, context),
        until,
        failures,
    )


def _unlocked(event, context):
    payload = event.payload
    if payload.get("by") == "address":
        return mark_safe("unlocked the sign-ins from an address that was locked out")
    addresses = payload.get("addresses", 1)
    where = "one address" if addresses == 1 else f"{addresses} addresses"
    return format_html("unlocked the sign-in of {} at {}", _throttled(payload, context), where)


def _throttled(payload: dict, context) -> str:
    if payload.get("user"):
        return context.named(payload["user"])
    return "a user name that is no account"


def _api_token(verb: str):
    """“created the API token “deploy bot” (read and write, pmc_AbCd1234…) for their
    account”: the token by its name, scope and first characters, which is all its event
    holds."""

    def wording(event, context):
        payload = event.payload
        scope = _label(ApiToken.Scope, payload.get("scope"), "unknown scope")
        whose = "for" if verb == "created" else "of"
        return format_html(
            "{} the API token {} ({}, {}…) {} {}",
            verb,
            _quoted(payload.get("name", "")),
            scope,
            payload.get("prefix", ""),
            whose,
            _account_of(event, context),
        )

    return wording


def _invitation(verb: str):
    def sentence(event, context):
        committee = event.committee.name if event.committee_id else "a committee"
        role = _label(Role, event.payload.get("role"), "member")
        who = event.payload.get("to") or "someone"
        if verb == "accepted":
            return format_html(
                "accepted the invitation sent to {} and sits on {} as {}", who, committee, role
            )
        return format_html("{} {} to a seat on {} as {}", verb, who, committee, role)

    return sentence


def _hook_value(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return _quoted(", ".join(map(str, value)) if isinstance(value, list) else value)


def _webhook(verb: str):
    """A committee's webhook, named by the origin of its address (never its secret)."""

    def sentence(event, context):
        committee = event.committee.name if event.committee_id else "a committee"
        target = event.payload.get("target") or "an address"
        payload = event.payload
        if verb == "changed" and payload.get("secret_rotated"):
            return format_html("gave {}'s webhook to {} a new secret", committee, target)
        if verb == "changed":
            changed = payload.get("changed") or {}
            parts = [
                format_html(
                    "{} from {} to {}", field, _hook_value(c.get("from")), _hook_value(c.get("to"))
                )
                for field, c in _in_order(changed, order=("url", "events", "active"))
            ]
            return format_html(
                "changed {}'s webhook to {}: {}",
                committee,
                target,
                format_html_join("; ", "{}", ((part,) for part in parts)) or "nothing",
            )
        if verb == "resent":
            return format_html(
                "sent {}'s webhook delivery of {} to {} again",
                committee,
                _quoted(payload.get("kind") or "an event"),
                target,
            )
        return format_html("{} a webhook to {} for {}", verb, target, committee)

    return sentence


def _unknown(event, _):
    text = format_html("recorded “{}”", event.action)
    if event.from_state or event.to_state:
        text = format_html("{} ({} → {})", text, _state(event.from_state), _state(event.to_state))
    return text


WORDING: dict[str, Callable] = {
    events.PROPOSAL_CREATED: _created,
    events.PROPOSAL_EDITED: _edited,
    events.transition("submit"): _transition("submitted the proposal for discussion"),
    events.transition("start_vote"): _start_vote,
    events.transition("close_vote"): _close_vote,
    events.transition("return_to_discussion"): _transition(
        "stopped the vote and returned the proposal to discussion"
    ),
    events.transition("decide"): _decide,
    events.transition("complete"): _transition("marked the proposal completed"),
    events.transition("defer"): _transition("deferred the proposal"),
    events.transition("resume"): _transition("resumed the discussion of the proposal"),
    events.transition("withdraw"): _transition("withdrew the proposal"),
    events.PROPOSAL_MEETING_LINKED: _meeting_linked,
    events.PROPOSAL_MEETING_LINK_UPDATED: _meeting_link_updated,
    events.PROPOSAL_MEETING_UNLINKED: _meeting_unlinked,
    events.PROPOSAL_LINK_SUGGESTION_CONFIRMED: _suggestion_decided(confirmed=True),
    events.PROPOSAL_LINK_SUGGESTION_DISMISSED: _suggestion_decided(confirmed=False),
    events.VOTE_CAST: _own_vote(_vote_cast),
    events.VOTE_CHANGED: _own_vote(_vote_changed),
    events.VOTE_RECUSED: _own_vote(_vote_recused),
    events.VOTE_PROXY_RECORDED: _vote_by_proxy,
    events.MEETING_ATTENDANCE_RECORDED: _attendance_recorded,
    events.MINUTES_PROPOSED: _minutes("proposed the notes of {} as the minutes (version {})"),
    events.MINUTES_APPROVED: _minutes_approved,
    events.MINUTES_CHANGED: _minutes(
        "changed the approved minutes of {}: version {} replaces the approved version {}"
    ),
    events.CHECKLIST_DONE: _checklist(done=True),
    events.CHECKLIST_REOPENED: _checklist(done=False),
    events.COMMENT_POSTED: _comment_posted,
    events.COMMENT_EDITED: _comment_edited,
    events.COMMENT_WITHDRAWN: _comment_withdrawn,
    events.COMMENT_HIDDEN: _comment_hidden,
    events.CONCERN_RAISED: _concern_raised,
    events.CONCERN_RESOLVED: _concern_resolved,
    events.MEETING_IMPORTED: _meeting_imported,
    events.MEETING_UPDATED: _meeting_updated,
    events.MEETING_SCHEDULED: _meeting_scheduled,
    events.MEETING_RESCHEDULED: _meeting_rescheduled,
    events.MEETING_CANCELLED: _meeting_cancelled,
    events.AGENDA_ITEM_ADDED: _agenda_item_added,
    events.AGENDA_PROPOSAL_ADDED: _agenda_proposal_added,
    events.MEETING_LINK_SUGGESTED: _link_suggested("suggested"),
    events.MEETING_LINK_SUGGESTION_UPDATED: _link_suggested("updated the suggestion"),
    events.MEETING_LINK_SUGGESTION_WITHDRAWN: _link_suggested("withdrew the suggestion"),
    events.READING_CONFIRMED: _reading_confirmed,
    events.READING_CORRECTED: _reading_corrected,
    events.READING_MERGED: _reading_merged,
    events.READING_DISMISSED: _reading_dismissed,
    events.PROJECT_CREATED: _project_created,
    events.PROJECT_UPDATED: _project_updated,
    events.PROJECT_STATUS_CHANGED: _project_status_changed,
    events.PROJECT_RENAMED: _project_renamed,
    events.PROJECT_LEAD_CHANGED: _project_lead_changed,
    events.COMMITTEE_CREATED: _committee_created,
    events.COMMITTEE_UPDATED: _committee_updated,
    events.MEMBERSHIP_STARTED: _membership_started,
    events.MEMBERSHIP_ENDED: _membership_ended,
    events.ACCOUNT_CREATED: _account_created,
    events.ACCOUNT_DELETED: _account_verb("deleted"),
    events.ACCOUNT_DETAILS_CHANGED: _details_changed,
    events.ACCOUNT_DEACTIVATED: _account_verb("deactivated"),
    events.ACCOUNT_REACTIVATED: _account_verb("reactivated"),
    events.ACCOUNT_STAFF_GRANTED: _power(True, "staff"),
    events.ACCOUNT_STAFF_REMOVED: _power(False, "staff"),
    events.ACCOUNT_SUPERUSER_GRANTED: _power(True, "superuser"),
    events.ACCOUNT_SUPERUSER_REMOVED: _power(False, "superuser"),
    events.ACCOUNT_GROUPS_CHANGED: _groups_changed,
    events.ACCOUNT_PERMISSIONS_CHANGED: _permissions_changed,
    events.GROUP_PERMISSIONS_CHANGED: _group_permissions_changed,
    events.ACCOUNT_PASSWORD_CHANGED: _password(reset=False),
    events.ACCOUNT_PASSWORD_RESET: _password(reset=True),
    events.ACCOUNT_PREFERENCES_CHANGED: _preferences_changed,
    events.ACCOUNT_LOCKED_OUT: _locked_out,
    events.ACCOUNT_UNLOCKED: _unlocked,
    events.ACCOUNT_SECOND_FACTOR_SET: _second_factor_set,
    events.ACCOUNT_SECOND_FACTOR_REMOVED: _account_verb("removed the authenticator app of"),
    events.ACCOUNT_RECOVERY_CODES_RENEWED: _account_verb("made new recovery codes for"),
    events.ACCOUNT_RECOVERY_CODE_USED: _recovery_code_used,
    events.ACCOUNT_CALENDAR_ADDRESS_SET: _calendar_address_set,
    events.INVITATION_SENT: _invitation("invited"),
    events.INVITATION_WITHDRAWN: _invitation("withdrew the invitation of"),
    events.INVITATION_ACCEPTED: _invitation("accepted"),
    events.WEBHOOK_CREATED: _webhook("added"),
    events.WEBHOOK_CHANGED: _webhook("changed"),
    events.WEBHOOK_REMOVED: _webhook("removed"),
    events.WEBHOOK_DELIVERY_RESENT: _webhook("resent"),
    events.API_TOKEN_CREATED: _api_token("created"),
    events.API_TOKEN_REVOKED: _api_token("revoked"),
}

# The payload keys that name a person by user name, per action.
_NAMES_PEOPLE = {
    events.PROPOSAL_LINK_SUGGESTION_CONFIRMED: ("suggested_by",),
    events.PROPOSAL_LINK_SUGGESTION_DISMISSED: ("suggested_by",),
    events.VOTE_PROXY_RECORDED: ("voter",),
    **{action: ("user",) for action in WORDING if action.startswith("account.")},
    events.API_TOKEN_CREATED: ("user",),
    events.API_TOKEN_REVOKED: ("user",),
}
