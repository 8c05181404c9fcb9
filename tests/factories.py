"""Plain helpers that build rows for tests. Proposals reach a state only through actions."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from pmc.models import Committee, Meeting, Project, Role
from proposals import actions
from proposals.actors import SYSTEM
from proposals.models import Proposal
from proposals.states import Kind, State

_counter = itertools.count(1)


def make_user(username: str | None = None, **fields):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password="pw", **fields
    )


def make_committee(name: str = "Runtime", **fields) -> Committee:
    return Committee.objects.create(name=name, slug=name.lower().replace(" ", "-"), **fields)


def make_member(committee: Committee, user=None, role: str = Role.MEMBER, **fields):
    """A seat given (and ended, with `ended_on`) through the actions, so that the audit
    log records it as the site would."""
    user = user or make_user()
    ended_on = fields.pop("ended_on", None)
    seat = actions.do_add_member(
        committee=committee,
        user=user,
        actor=SYSTEM,
        role=role,
        started_on=fields.pop("started_on", timezone.localdate() - datetime.timedelta(days=30)),
        **fields,
    )
    if ended_on is not None:
        actions.do_end_membership(membership=seat, actor=SYSTEM, ended_on=ended_on)
    return user


def make_project(committee: Committee, name: str | None = None, **fields) -> Project:
    """A project put on the committee's list through the action, as the site would."""
    return actions.do_create_project(
        committee=committee, actor=SYSTEM, name=name or f"project-{next(_counter)}", **fields
    )


def make_meeting(committee: Committee, date: datetime.date | None = None, **fields) -> Meeting:
    date = date or datetime.date(2017, 5, 16)
    return Meeting.objects.create(
        committee=committee, date=date, title=fields.pop("title", f"{committee} {date}"), **fields
    )


def make_proposal(
    committee: Committee,
    proposer,
    *,
    state: str = State.DRAFT,
    chair=None,
    kind: str = Kind.ATTIC,
    project: Project | None = None,
    **fields,
) -> Proposal:
    """A proposal brought to `state` through the engine's own actions."""
    if project is None and kind in (Kind.ATTIC, Kind.PROMOTION, Kind.RENAME, Kind.OWNERSHIP):
        project = make_project(committee)
    if kind == Kind.RENAME:
        fields.setdefault("new_name", f"renamed-{next(_counter)}")
    if kind == Kind.OWNERSHIP:
        fields.setdefault("new_lead", "New Lead")
    proposal = actions.do_create_proposal(
        actor=proposer,
        committee=committee,
        kind=kind,
        title=fields.pop("title", f"Proposal {next(_counter)}"),
        project=project,
        **fields,
    )
    path = {
        State.DRAFT: [],
        State.DISCUSSION: ["submit"],
        State.VOTING: ["submit", "start_vote"],
        State.WITHDRAWN: ["withdraw"],
        State.DEFERRED: ["submit", "defer"],
        State.ACCEPTED: ["submit", "decide_yes"],
        State.REJECTED: ["submit", "decide_no"],
        State.COMPLETED: ["submit", "decide_yes", "tick_all", "complete"],
    }[state]
    for step in path:
        if step == "submit" or step == "withdraw":
            getattr(actions, f"do_{step}")(proposal=proposal, actor=proposer)
        elif step.startswith("decide"):
            # A meeting held since the proposal was filed: today's, unless one exists.
            meeting = proposal.decision_meetings().first() or make_meeting(
                committee, date=timezone.localdate()
            )
            actions.do_decide(
                proposal=proposal,
                actor=chair or SYSTEM,
                accepted=step == "decide_yes",
                meeting=meeting,
            )
        elif step == "tick_all":
            for item in proposal.checklist.to_do():
                actions.do_set_checklist_item(item=item, actor=chair or SYSTEM)
        else:
            getattr(actions, f"do_{step}")(proposal=proposal, actor=chair or SYSTEM)
    proposal.refresh_from_db()
    assert proposal.state == state, (proposal.state, state)
    return proposal


def make_accepted_long_ago(
    committee: Committee,
    proposer,
    *,
    chair,
    on: datetime.date = datetime.date(2017, 5, 16),
    **fields,
) -> Proposal:
    """A proposal accepted in the meeting of `on`, dated then, as imported notes record a
    decision (a decision taken on the site is dated when it is taken)."""
    proposal = make_proposal(committee, proposer, state=State.DISCUSSION, **fields)
    meeting, _ = Meeting.objects.get_or_create(
        committee=committee, date=on, defaults={"title": f"{committee} {on}"}
    )
    at = datetime.datetime.combine(on, datetime.time(12), tzinfo=datetime.UTC)
    actions.do_decide(proposal=proposal, actor=chair, accepted=True, meeting=meeting, at=at)
    proposal.refresh_from_db()
    return proposal
