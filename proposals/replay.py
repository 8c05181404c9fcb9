"""Replaying the audit log against the rows it describes: what the events say every
proposal, vote, recusal, seat and project is now, compared with what the tables hold.

The hash chain shows that the log was not edited; it says nothing of the rows beside
it. Someone who can write to the database can flip a vote or a proposal's state with
one UPDATE and leave the log intact. Replaying the events, oldest first, gives what
each row must hold if every change went through an action; a row that holds anything
else was changed behind the log's back, and is named.

It reads each table once: the events as a stream (only those that change a replayed
row), keeping a few values per row, then every proposal, vote, seat and project in one
query each, compared as they come. Memory grows with the number of rows, never with
the number of events, and the number of queries with neither.

What the log carries, and so what is compared:
- a proposal's state (the `to_state` of its filing and of each transition), its text
  revision (the `revision` of its filing, its edits and its vote's start) and its vote
  round (how many votes were started);
- a vote or recusal (each `vote.*` event names the vote's row, its round, the voter as
  actor, or in the payload for a proxy vote the chair recorded, the value or "recused",
  and whether it binds);
- a seat's person, committee, role, start and end (`membership.*`; the person by id
  since seats' events carried `user_id`, by user name before that);
- a project's committee, status, name, former names and lead (`project.*`; former names
  given at creation only since creations carried `former_names`: until a later event
  sets them, a project created by an older version has its former names unchecked).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Q

from pmc.models import Membership, Project
from proposals import events
from proposals.models import Event, Proposal, Vote

_CHUNK = 2000

_VOTE_ACTIONS = (
    events.VOTE_CAST,
    events.VOTE_CHANGED,
    events.VOTE_RECUSED,
    events.VOTE_PROXY_RECORDED,
)
_SEAT_ACTIONS = (events.MEMBERSHIP_STARTED, events.MEMBERSHIP_ENDED)
_PROJECT_ACTIONS = (
    events.PROJECT_CREATED,
    events.PROJECT_UPDATED,
    events.PROJECT_STATUS_CHANGED,
    events.PROJECT_RENAMED,
    events.PROJECT_LEAD_CHANGED,
)
# Only the events that change a replayed row are read: a filing and every transition
# carry a `to_state`; an edit carries the new revision.
_REPLAYED = (
    (Q(action__startswith="proposal.") & ~Q(to_state=""))
    | Q(action=events.PROPOSAL_EDITED)
    | Q(action__in=(*_VOTE_ACTIONS, *_SEAT_ACTIONS, *_PROJECT_ACTIONS))
)
_UNKNOWN = object()  # a value the log of an older version did not record


def disagreements() -> list[str]:
    """Each row that disagrees with the log, named in words (e.g. "proposal #12 is
    accepted; its events end in voting"); empty when the rows agree."""
    log = _replay(
        Event.objects.filter(_REPLAYED)
        .order_by("id")
        .values_list(
            "action",
            "proposal_id",
            "project_id",
            "membership_id",
            "committee_id",
            "actor_id",
            "actor_name",
            "to_state",
            "payload",
        )
        .iterator(chunk_size=_CHUNK)
    )
    return [
        *_proposals_against(log.proposals),
        *_votes_against(log.votes),
        *_seats_against(log.seats),
        *_projects_against(log.projects),
    ]


@dataclass
class _Log:
    """What the events say each row holds, a few values per row."""

    # proposal id: [state, revision, vote round]
    proposals: dict[int, list] = field(default_factory=dict)
    # vote id: (proposal id, round, voter id, voter's user name, value or "recused", binding)
    votes: dict[int, tuple] = field(default_factory=dict)
    # seat id: [user id or _UNKNOWN, user name, committee id, role, started on, ended on]
    seats: dict[int, list] = field(default_factory=dict)
    # project id: [committee id, status, name, former names or _UNKNOWN, lead]
    projects: dict[int, list] = field(default_factory=dict)


def _replay(rows: Iterator[tuple]) -> _Log:
    log = _Log()
    for action, proposal, project, seat, committee, actor, actor_name, to_state, payload in rows:
        payload = payload if isinstance(payload, dict) else {}
        if action in _VOTE_ACTIONS:
            if "vote" in payload:
                if action == events.VOTE_PROXY_RECORDED:  # the chair acts; the voter votes
                    actor, actor_name = payload.get("voter_id"), payload.get("voter", "")
                log.votes[payload["vote"]] = (
                    proposal,
                    payload.get("round"),
                    actor,
                    actor_name,
                    payload.get("to"),
                    payload.get("binding"),
                )
        elif action in _SEAT_ACTIONS:
            _replay_seat(log.seats, action, seat, committee, payload)
        elif action in _PROJECT_ACTIONS:
            _replay_project(log.projects, action, project, committee, payload)
        elif proposal is not None:
            _replay_proposal(log.proposals, action, proposal, to_state, payload)
    return log


def _replay_proposal(proposals: dict, action: str, pk: int, to_state: str, payload) -> None:
    if action == events.PROPOSAL_CREATED:
        proposals[pk] = [to_state, payload.get("revision", 1), 0]
        return
    known = proposals.get(pk)
    if known is None:
        # Its filing is not in the log: what follows cannot be replayed; the row is
        # named as missing from the log.
        return
    if to_state:
        known[0] = to_state
    if "revision" in payload:
        known[1] = payload["revision"]
    if action == events.transition("start_vote"):
        known[2] += 1


def _replay_seat(seats: dict, action: str, pk, committee, payload) -> None:
    if pk is None:
        return
    if action == events.MEMBERSHIP_STARTED:
        seats[pk] = [
            payload.get("user_id", _UNKNOWN),
            payload.get("user"),
            committee,
            payload.get("role"),
            payload.get("started_on"),
            None,
        ]
    elif pk in seats:
        seats[pk][5] = payload.get("ended_on")


def _replay_project(projects: dict, action: str, pk, committee, payload) -> None:
    if pk is None:
        return
    if action == events.PROJECT_CREATED:
        projects[pk] = [
            committee,
            payload.get("to"),
            payload.get("name"),
            payload.get("former_names", _UNKNOWN),
            payload.get("lead", ""),
        ]
        return
    known = projects.get(pk)
    if known is None:
        return
    if action == events.PROJECT_STATUS_CHANGED:
        known[1] = payload.get("to")
    elif action == events.PROJECT_RENAMED:
        known[2] = payload.get("to")
        if known[3] is not _UNKNOWN:
            known[3] = [*known[3], payload.get("from")]
    elif action == events.PROJECT_LEAD_CHANGED:
        known[4] = payload.get("to")
    elif action == events.PROJECT_UPDATED:
        changed = payload.get("changed") or {}
        for index, name in ((1, "status"), (2, "name"), (3, "former_names"), (4, "lead")):
            if name in changed:
                known[index] = changed[name].get("to")


# Comparing with the tables


def _proposals_against(log: dict[int, list]) -> Iterator[str]:
    rows = Proposal.objects.order_by("pk").values_list("pk", "state", "revision", "vote_round")
    for pk, state, revision, vote_round in rows.iterator(chunk_size=_CHUNK):
        said = log.pop(pk, None)
        if said is None:
            yield f"proposal #{pk} is {state}; the log does not record its filing"
            continue
        if state != said[0]:
            yield f"proposal #{pk} is {state}; its events end in {said[0]}"
        if revision != said[1]:
            yield f"proposal #{pk} is at revision {revision}; its events say revision {said[1]}"
        if vote_round != said[2]:
            yield (
                f"proposal #{pk} is in vote round {vote_round}; its events started "
                f"{said[2]} vote(s)"
            )
    for pk, said in sorted(log.items()):
        yield f"proposal #{pk} is in the log (its events end in {said[0]}) but has no row"


def _votes_against(log: dict[int, tuple]) -> Iterator[str]:
    rows = Vote.objects.order_by("pk").values_list(
        "pk", "proposal_id", "round", "voter_id", "voter__username", "value", "recused", "binding"
    )
    for pk, proposal, round_, voter, username, value, recused, binding in rows.iterator(
        chunk_size=_CHUNK
    ):
        held = "recused" if recused else value
        named = f"vote by {username} on proposal #{proposal} (round {round_})"
        said = log.pop(pk, None)
        if said is None:
            yield f"{named} is {_ballot(held)}; the log does not record it"
            continue
        said_proposal, said_round, said_voter, said_name, said_value, said_binding = said
        if (proposal, round_) != (said_proposal, said_round):
            yield (
                f"{named} is filed there; its events say proposal #{said_proposal} "
                f"(round {said_round})"
            )
        if voter != said_voter:
            yield f"{named} is {username}'s; its events say it was cast by {said_name}"
        if held != said_value:
            yield f"{named} is {_ballot(held)}; its events say {_ballot(said_value)}"
        if said_binding is not None and binding != said_binding:
            yield (
                f"{named} is {'binding' if binding else 'non-binding'}; its events say "
                f"{'binding' if said_binding else 'non-binding'}"
            )
    for pk, said in sorted(log.items()):
        yield (
            f"vote by {said[3]} on proposal #{said[0]} (round {said[1]}) is in the log "
            f"({_ballot(said[4])}) but has no row (vote #{pk})"
        )


def _ballot(value) -> str:
    return {1: "+1", 0: "0", -1: "-1", "recused": "recused", None: "empty"}.get(value, str(value))


def _seats_against(log: dict[int, list]) -> Iterator[str]:
    rows = Membership.objects.order_by("pk").values_list(
        "pk",
        "user_id",
        "user__username",
        "committee_id",
        "committee__name",
        "role",
        "started_on",
        "ended_on",
    )
    for pk, user, username, committee, committee_name, role, started, ended in rows.iterator(
        chunk_size=_CHUNK
    ):
        named = f"seat #{pk} ({username} on {committee_name})"
        said = log.pop(pk, None)
        if said is None:
            yield f"{named} is in the table; the log does not record it being given"
            continue
        said_user, said_name, said_committee, said_role, said_start, said_end = said
        same_person = username == said_name if said_user is _UNKNOWN else user == said_user
        if not same_person:
            yield f"{named} is {username}'s; its events say {said_name}'s"
        if committee != said_committee:
            yield f"{named} is on {committee_name}; its events say committee #{said_committee}"
        if role != said_role:
            yield f"{named} is {role}; its events say {said_role}"
        if str(started) != said_start:
            yield f"{named} starts on {started}; its events say {said_start}"
        if (None if ended is None else str(ended)) != said_end:
            held = "is held" if ended is None else f"ends on {ended}"
            told = "it is held" if said_end is None else f"it ended on {said_end}"
            yield f"{named} {held}; its events say {told}"
    for pk, said in sorted(log.items()):
        yield f"seat #{pk} ({said[1]}) is in the log but has no row"


def _projects_against(log: dict[int, list]) -> Iterator[str]:
    rows = Project.objects.order_by("pk").values_list(
        "pk", "committee_id", "status", "name", "former_names", "lead"
    )
    for pk, committee, status, name, former_names, lead in rows.iterator(chunk_size=_CHUNK):
        named = f"project #{pk} ({name})"
        said = log.pop(pk, None)
        if said is None:
            yield f"{named} is in the table; the log does not record it being created"
            continue
        said_committee, said_status, said_name, said_former, said_lead = said
        if committee != said_committee:
            yield f"{named} is in committee #{committee}; its events say #{said_committee}"
        if status != said_status:
            yield f"{named} is {status}; its events say {said_status}"
        if name != said_name:
            yield f"{named} is named {name}; its events say {said_name}"
        if said_former is not _UNKNOWN and list(former_names or []) != list(said_former or []):
            yield (
                f"{named} has the former names {_names(former_names)}; its events say "
                f"{_names(said_former)}"
            )
        if lead != said_lead:
            yield f"{named} is led by {lead or 'nobody'}; its events say {said_lead or 'nobody'}"
    for pk, said in sorted(log.items()):
        yield f"project #{pk} ({said[2]}) is in the log but has no row"


def _names(names) -> str:
    return ", ".join(names) if names else "none"
