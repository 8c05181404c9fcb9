"""A foundation-scale dataset, built in minutes and the same for the same seed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmc_big DEBUG=1 \\
        .venv/bin/python benchmarks/dataset.py [--seed 1] [--proposals 100000] ...

Fills an empty, migrated database with committees, people and their seats (with
turnover), projects, meetings with team reports, and proposals in every state over ten
years of history: drafts, discussions with comments, open votes with ballots, votes
closed by their tally (extended when they missed quorum, deferred after), decisions taken
in meetings, checklists worked and proposals completed with their effect on the project,
withdrawals and deferrals. Each row is what the actions would have left: a voting
proposal has its `proposal.start_vote` event, its frozen rules and eligible voters; a
closed vote's tally is the one `proposals.voting` counts from its ballots; a completed
proposal's project carries its new status, lead or name.

The audit log is built with the project's own code: every event through
`proposals.audit.new_event`, chained in time order with `Event.compute_hash` and the
previous hash, so `manage.py verify_audit` passes. Events are appended (COPY on
PostgreSQL, `bulk_create` elsewhere): the log's triggers refuse changes, not inserts.

Sizes are arguments (the defaults are the foundation's large size: 20 committees, 2,000
people, 100,000 proposals, about 1.07 million events and 394,000 votes, 5,000
meetings). Votes and events are targets: the ballots are spread to reach the votes, and
edits and meeting links to reach the events, so the figures printed at the end are
close to them, not equal. `--now` fixes the present the history leads up to; with it, a
seed gives the same rows, hashes included.

Every generated person's password is `dataset-password`: the database must be empty,
so this never lands on a site in use.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime
import hashlib
import operator
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "dataset-password"  # noqa: S105 (a benchmark database's, printed on purpose)
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
BATCH = 20_000


@dataclass(frozen=True)
class Sizes:
    """How big the dataset is. `events` and `votes` are targets (see the module's doc)."""

    committees: int = 20
    people: int = 2_000
    projects: int = 1_040
    proposals: int = 100_000
    events: int = 1_070_000
    votes: int = 394_000
    meetings: int = 5_000
    comments: int = 60_000
    seats: int = 8  # concurrent seats per committee besides its chair
    years: float = 10.0  # how far back the history goes


# The share of proposals that end in each state, and for accepted ones, how many are
# done (completed) or waiting on their checklist.
STATE_WEIGHTS = {
    "draft": 3.0,
    "discussion": 4.0,
    "voting": 1.2,
    "accepted": 2.5,
    "completed": 60.0,
    "rejected": 14.0,
    "withdrawn": 7.0,
    "deferred": 8.3,
}
# Of the proposals that are decided, the share decided by consensus in a meeting.
DECIDED_IN_MEETING = 0.15
KIND_WEIGHTS = {
    "attic": 20,
    "incubation": 12,
    "promotion": 14,
    "ownership": 18,
    "rename": 4,
    "other": 32,
}
COMMITTEE_NAMES = [
    "Runtime", "BOSH", "Extensions", "Networking", "Storage", "Security", "Observability",
    "Developer Experience", "Data Services", "Release Engineering", "Documentation",
    "Identity", "Buildpacks", "Service Mesh", "Edge", "Telemetry", "Scheduling", "Tooling",
    "Operators", "Community",
]  # fmt: skip
FIRST_NAMES = [
    "Ada", "Ben", "Chloé", "Dev", "Eric", "Fatima", "Gus", "Hana", "Ivan", "Julz", "Kai",
    "Lena", "Marco", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Usha",
    "Vera", "Wei", "Xavier", "Yuki", "Zoë", "Anja", "Bruno", "Carla", "Dmitri",
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hughes", "Ito",
    "Jansen", "Köper", "Lindqvist", "Moser", "Nakamura", "Okafor", "Perticara", "Quist",
    "Ramachandran", "Sabeti", "Tummidi", "Ueda", "Varga", "Walsh", "Xu", "Yilmaz",
    "Zimmer", "Novak", "Rossi", "Santos", "Kowalski",
]  # fmt: skip
PROJECT_WORDS = [
    "diego", "garden", "grootfs", "loggregator", "uaa", "capi", "routing", "bpm", "credhub",
    "bits", "cli", "etcd", "consul", "postgres", "mysql", "nats", "silk", "envoy", "locket",
    "metron", "syslog", "winc", "buildpack", "stemcell", "director", "agent", "bbl",
    "autoscaler", "broker", "smoke",
]  # fmt: skip
TOPICS = [
    "its maintainers moved on", "no release for a year", "two companies now maintain it",
    "the API is stable", "the upstream project replaced it", "production users asked for it",
    "it duplicates another project", "the security team reviewed it", "CI is green again",
    "the name clashes with a trademark",
]  # fmt: skip
BODIES = [
    "## Why\n\n{topic}.\n\n## What changes\n\n* the repositories\n* the release notes\n"
    "* the documentation\n\nSee the [tracker](https://example.org/tracker) for details.",
    "{topic}: the team proposes this after discussing it in two meetings.\n\n"
    "> Users keep working as before until the next major release.\n\nNo *breaking* change.",
    "**Summary**: {topic}.\n\n1. Announce it\n2. Wait two weeks\n3. Carry it out\n\n"
    "Questions go to the mailing list.",
]
COMMENTS = [
    "Agreed: {topic}. Who carries out the checklist?",
    "I would wait one more release before we vote; {topic} is not enough on its own.",
    "Our users depend on it in two deployments. Can we document a migration path first?",
    "+1 from the team. The *release notes* should say it clearly.",
    "Thanks for writing it up. {topic}, so this looks right to me.",
]
NOTES = (
    "# {committee} PMC meeting\n\n## Attendees\n\n* the chair\n* the team leads\n\n"
    "## Team reports\n\n### Core team\n\n- shipped a release\n- {topic}\n\n"
    "## PMC Lifecycle Activities\n\n- proposals were reviewed, see the links below\n"
)


@dataclass
class Seat:
    id: int
    user: int
    committee: int
    role: str
    start: datetime.date
    end: datetime.date | None

    def active(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)


@dataclass
class Plan:
    """One proposal as generated: its row's fields, and the window in which it was open
    for edits, links and comments."""

    id: int
    committee: int
    project: int
    kind: str
    proposer: int
    created: datetime.datetime
    fields: dict = field(default_factory=dict)
    open_from: datetime.datetime | None = None
    open_until: datetime.datetime | None = None


class Generator:
    """Builds the rows in memory (event specs as small dicts, sorted by time at the end)
    and writes them in batches."""

    def __init__(self, sizes: Sizes, *, seed: int, now: datetime.datetime, log=print) -> None:
        from proposals.actors import SystemActor

        self.sizes = sizes
        self.rng = random.Random(seed)  # noqa: S311 (reproducible on purpose, not secret)
        self.now = now.replace(second=0, microsecond=0)
        self.origin = self.now - datetime.timedelta(days=365.25 * sizes.years)
        self.log = log
        self.actor = SystemActor("dataset")
        self.deadlines = SystemActor()
        self.specs: list[tuple] = []  # (at, sequence, fields for new_event)
        self.rows: dict[str, list] = defaultdict(list)
        self.ids: dict[str, int] = defaultdict(int)
        self._rendered: dict[str, str] = {}

    # Small helpers

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def event(self, at: datetime.datetime, action: str, actor, **fields) -> None:
        """Record an event to write: the arguments of `proposals.audit.new_event`, with
        the ids of the rows it is about (`committee`, `proposal`, ...) instead of rows."""
        self.specs.append((at, len(self.specs), {"action": action, "actor": actor, **fields}))

    def render(self, text: str) -> str:
        from pmc.markup import render_markdown

        if text not in self._rendered:
            self._rendered[text] = render_markdown(text)
        return self._rendered[text]

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        span = max((end - start).total_seconds(), 60.0)
        moment = start + datetime.timedelta(seconds=self.rng.uniform(0, span))
        return moment.replace(microsecond=0)

    def later(self, at: datetime.datetime, low_hours: float, high_hours: float):
        return at + datetime.timedelta(hours=self.rng.uniform(low_hours, high_hours))

    def user(self, pk: int):
        return self.users[pk - 1]

    def seated(self, committee: int, day: datetime.date, *, role: str | None = None) -> list:
        return [
            seat
            for seat in self.seats[committee]
            if seat.active(day) and (role is None or seat.role == role)
        ]

    def chair(self, committee: int, at: datetime.datetime):
        return self.user(self.seated(committee, at.date(), role="chair")[0].user)

    # The foundation: people, committees, seats, projects, meetings

    def people(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        User = get_user_model()
        password = make_password(PASSWORD)
        self.users = []
        for i in range(self.sizes.people):
            first = FIRST_NAMES[i % len(FIRST_NAMES)]
            last = LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]
            round_ = i // (len(FIRST_NAMES) * len(LAST_NAMES))
            username = _ascii(f"{first}.{last}") + (f"{round_ + 1}" if round_ else "")
            user = User(
                id=i + 1,
                username=username,
                email=f"{username}@example.org",
                first_name=first,
                last_name=last,
                password=password,
                date_joined=self.origin,
                is_superuser=i == 0,
                is_staff=i == 0,
            )
            self.users.append(user)
        self.rows["users"] = self.users

    def committees(self) -> None:
        from django.utils.text import slugify

        from pmc.models import Committee, PassRule

        rules = [PassRule.MAJORITY] * 3 + [PassRule.TWO_THIRDS_CAST]
        self.committee_rows = []
        for i in range(self.sizes.committees):
            name = COMMITTEE_NAMES[i % len(COMMITTEE_NAMES)]
            if i >= len(COMMITTEE_NAMES):
                name = f"{name} {i // len(COMMITTEE_NAMES) + 1}"
            committee = Committee(
                id=i + 1,
                name=name,
                slug=slugify(name),
                description=f"The {name} PMC.",
                pass_rule=rules[i % len(rules)],
            )
            self.committee_rows.append(committee)
            self.event(
                self.origin,
                "committee.created",
                self.actor,
                committee=committee.pk,
                payload={"name": committee.name, "slug": committee.slug},
            )
        self.rows["committees"] = self.committee_rows

    def memberships(self) -> None:
        """A chair for the whole history and `seats` members at any time, each serving a
        few years; people are drawn in turn, so most hold one seat and some two."""
        from pmc.models import Role

        self.seats: dict[int, list[Seat]] = defaultdict(list)
        people = list(range(2, self.sizes.people + 1))  # the first is the administrator
        self.rng.shuffle(people)
        turn = 0
        end_day = self.now.date()
        for committee in self.committee_rows:
            taken: set[int] = set()

            def draw(taken: set[int] = taken) -> int:
                nonlocal turn
                for _ in range(len(people)):
                    pk = people[turn % len(people)]
                    turn += 1
                    if pk not in taken:
                        taken.add(pk)
                        return pk
                raise ValueError("Not enough people for the seats: raise --people.")

            self.add_seat(committee.pk, draw(), Role.CHAIR, self.origin.date(), None)
            for _ in range(self.sizes.seats):
                start = self.origin.date()
                while start <= end_day:
                    years = self.rng.uniform(1.5, 6.0)
                    end = start + datetime.timedelta(days=int(365 * years))
                    self.add_seat(
                        committee.pk, draw(), Role.MEMBER, start, end if end <= end_day else None
                    )
                    start = end
        self.rows["memberships"] = [seat for seats in self.seats.values() for seat in seats]

    def add_seat(self, committee: int, user: int, role: str, start, end) -> None:
        seat = Seat(self.next_id("membership"), user, committee, role, start, end)
        self.seats[committee].append(seat)
        username = self.user(user).username
        started = max(_noon(start), self.origin)
        self.event(
            started, "membership.started", self.actor, committee=committee, membership=seat.id,
            payload={"user": username, "role": role, "started_on": str(start)},
        )  # fmt: skip
        if end is not None:
            self.event(
                _noon(end), "membership.ended", self.actor, committee=committee,
                membership=seat.id, reason="Stepped down at the end of the term.",
                payload={"user": username, "ended_on": str(end)},
            )  # fmt: skip

    def projects(self) -> None:
        from pmc.models import Project, ProjectStatus

        statuses = [ProjectStatus.ACTIVE] * 6 + [ProjectStatus.INCUBATING] * 3
        statuses.append(ProjectStatus.ATTIC)
        self.project_rows = []
        self.projects_of: dict[int, list[Project]] = defaultdict(list)
        for i in range(self.sizes.projects):
            committee = self.committee_rows[i % len(self.committee_rows)]
            word = PROJECT_WORDS[i % len(PROJECT_WORDS)]
            name = f"{word}-{i // len(PROJECT_WORDS) + 1}" if i >= len(PROJECT_WORDS) else word
            lead = self.user(self.rng.randint(2, self.sizes.people)).get_full_name()
            project = Project(
                id=i + 1,
                name=name,
                committee=committee,
                status=self.rng.choice(statuses),
                lead=lead,
                repository_urls=[f"https://github.com/foundation/{name}"],
            )
            self.project_rows.append(project)
            self.projects_of[committee.pk].append(project)
            self.event(
                self.origin + HOUR,
                "project.created",
                self.actor,
                committee=committee.pk,
                project=project.pk,
                payload={
                    "from": "",
                    "to": project.status,
                    "name": project.name,
                    "repository_urls": project.repository_urls,
                    "lead": project.lead,
                },
            )
        self.rows["projects"] = self.project_rows

    def meetings(self) -> None:
        """Meetings at a regular rhythm per committee, the last of each a week ahead."""
        from pmc.models import Meeting, TeamReport

        per_committee = max(1, self.sizes.meetings // len(self.committee_rows))
        first, last = self.origin.date() + 7 * DAY, self.now.date() + 7 * DAY
        step = max(1, (last - first).days // per_committee)
        self.meeting_days: dict[int, list[datetime.date]] = {}
        self.meeting_ids: dict[int, list[int]] = {}
        for committee in self.committee_rows:
            days = [last - i * step * DAY for i in range(per_committee)][::-1]
            self.meeting_days[committee.pk], self.meeting_ids[committee.pk] = days, []
            for day in days:
                topic = self.rng.choice(TOPICS)
                notes = NOTES.format(committee=committee.name, topic=topic)
                meeting = Meeting(
                    id=self.next_id("meeting"),
                    committee=committee,
                    date=day,
                    title=f"{committee.name} PMC meeting {day:%Y-%m-%d}",
                    notes=notes,
                    notes_html=self.render(notes),
                    source=f"{committee.slug}/{day:%Y}/{day:%Y-%m-%d}.md",
                    source_sha256=hashlib.sha256(notes.encode()).hexdigest(),
                    imported_at=self.meeting_time(day),
                )
                self.rows["meetings"].append(meeting)
                self.meeting_ids[committee.pk].append(meeting.pk)
                teams = [("Core team", self.user(self.seats[committee.pk][0].user).get_full_name())]
                teams.append(("Release team", ""))
                for position, (team, lead) in enumerate(teams):
                    self.rows["team_reports"].append(
                        TeamReport(
                            id=self.next_id("team_report"), meeting_id=meeting.pk,
                            position=position, team=team, lead=lead, body=f"- {topic}",
                        )
                    )  # fmt: skip
                self.event(
                    self.meeting_time(day),
                    "meeting.imported",
                    self.actor,
                    committee=committee.pk,
                    payload={
                        "meeting": meeting.pk,
                        "date": day.isoformat(),
                        "source": meeting.source,
                        "sha256": meeting.source_sha256,
                        "changed": ["title", "notes", "source", "source_sha256", "team_reports"],
                        "team_reports": len(teams),
                        "teams_added": [f"{team} ({lead or 'no lead'})" for team, lead in teams],
                        "teams_removed": [],
                    },
                )

    def meeting_time(self, day: datetime.date) -> datetime.datetime:
        """`pmc.models.meeting_time` with this history's present: noon UTC of the day,
        never later than now."""
        return min(_noon(day), self.now)

    def meeting_after(self, committee: int, at: datetime.datetime, before: datetime.datetime):
        """The committee's first meeting held after `at` and before `before`, or None."""
        days = self.meeting_days[committee]
        i = bisect.bisect_right(days, at.date())
        if i < len(days) and _noon(days[i]) < min(before, self.now):
            return self.meeting_ids[committee][i], days[i]
        return None

    # Proposals

    def proposals(self) -> None:
        states = list(STATE_WEIGHTS)
        weights = list(STATE_WEIGHTS.values())
        kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
        voted_share = sum(STATE_WEIGHTS[s] for s in ("voting", "accepted", "completed", "rejected"))
        voted_share = voted_share / sum(weights) * (1 - DECIDED_IN_MEETING * 0.9)
        self.plans: list[Plan] = []
        for _ in range(self.sizes.proposals):
            state = self.rng.choices(states, weights)[0]
            kind = self.rng.choices(kinds, kind_weights)[0]
            self.plans.append(self.proposal(state, kind))
        self.plans.sort(key=lambda plan: plan.created)
        for new_id, plan in enumerate(self.plans, start=1):
            plan.id = new_id  # ids in filing order, as the database would give them
        eligible = self.sizes.seats + 1
        for done, plan in enumerate(self.plans):
            if done % 200 == 0:  # the turnout that brings the votes to their target
                left = self.sizes.votes - len(self.rows["votes"])
                ahead = (self.sizes.proposals - done) * voted_share * eligible
                self.turnout = max(0.0, min(0.98, left / max(1.0, ahead)))
            self.lifecycle(plan)

    def proposal(self, state: str, kind: str) -> Plan:
        committee = self.rng.choice(self.committee_rows).pk
        project = self.rng.choice(self.projects_of[committee])
        start, end = self.origin + 30 * DAY, self.now - 60 * DAY
        if state == "voting":
            start, end = self.now - 30 * DAY, self.now - 4 * DAY
        elif state in ("draft", "discussion"):
            start, end = self.now - 400 * DAY, self.now - DAY
        elif state == "accepted":
            start, end = self.now - 700 * DAY, self.now - 40 * DAY
        created = self.between(start, end)
        proposer = self.rng.choice(self.seated(committee, created.date(), role="member"))
        plan = Plan(0, committee, project.pk, kind, proposer.user, created)
        plan.fields["target"] = state
        return plan

    def lifecycle(self, plan: Plan) -> None:
        """The proposal's row and events from filing to the state it ends in. The row's
        fields are gathered in a namespace (a Proposal's state cannot be set twice) and
        become a Proposal when written."""
        target = plan.fields.pop("target")
        project = self.project_rows[plan.project - 1]
        topic = self.rng.choice(TOPICS)
        body = self.rng.choice(BODIES).format(topic=topic.capitalize())
        details = _details(plan.kind, project, plan.id, self.rng, self.users)
        row = SimpleNamespace(
            id=plan.id,
            committee_id=plan.committee,
            project_id=plan.project,
            kind=plan.kind,
            title=_title(plan.kind, project.name, details, topic, plan.id),
            body=body,
            body_html=self.render(body),
            proposer_id=plan.proposer,
            proposing_team=f"{project.name} team",
            created_at=plan.created,
            state="discussion" if target != "draft" else "draft",
            **{"condition": "", "new_name": "", "new_lead": "", **details},
        )
        plan.row = row
        proposer = self.user(plan.proposer)
        at = plan.created
        created = {"kind": row.kind, "title": row.title, "revision": 1}
        self.proposal_event(plan, at, "proposal.created", proposer, to_state="draft",
                            payload=created)  # fmt: skip
        plan.open_from, plan.open_until, last = at, self.now, at
        if target != "draft":
            at = self.later(at, 1, 72)
            self.proposal_event(plan, at, "proposal.submit", proposer, "draft", "discussion")
            plan.open_from = at
            last = self.decide_fate(plan, target, at)
        row.updated_at = last
        self.rows["proposals"].append(row)

    def decide_fate(self, plan: Plan, target: str, submitted) -> datetime.datetime:
        """From discussion to `target` (the state the tally or meeting leads to may differ:
        the row follows what the events say). Returns the time of the last change."""
        proposer = self.user(plan.proposer)
        at = self.later(submitted, 24 * 3, 24 * 21)
        if target == "discussion":
            return submitted
        if target == "withdrawn":
            plan.open_until, plan.row.state = at, "withdrawn"
            self.proposal_event(plan, at, "proposal.withdraw", proposer, "discussion",
                                "withdrawn", reason="Overtaken by events.")  # fmt: skip
            return at
        if target == "deferred" and self.rng.random() < 0.6:
            plan.open_until, plan.row.state = at, "deferred"
            chair = self.chair(plan.committee, at)
            self.proposal_event(plan, at, "proposal.defer", chair, "discussion", "deferred",
                                reason="Revisit next quarter.")  # fmt: skip
            return at
        if target in ("accepted", "completed", "rejected") and (
            self.rng.random() < DECIDED_IN_MEETING
        ):
            meeting = self.meeting_after(plan.committee, at, self.now - 2 * DAY)
            if meeting is not None:
                return self.decide_in_meeting(plan, target, meeting)
        if target == "voting":  # open now: started within the committee's 72 hours
            at = self.between(max(submitted + HOUR, self.now - 60 * HOUR), self.now - HOUR)
        return self.vote(plan, target, at)

    def decide_in_meeting(self, plan: Plan, target: str, meeting) -> datetime.datetime:
        from proposals.models import ProposalMeeting

        meeting_id, day = meeting
        at = self.meeting_time(day)
        chair = self.chair(plan.committee, at)
        accepted = target != "rejected"
        plan.open_until = at
        self.rows["proposal_meetings"].append(
            ProposalMeeting(id=self.next_id("proposal_meeting"), proposal_id=plan.id,
                            meeting_id=meeting_id, section="PMC Lifecycle Activities",
                            excerpt=f"- {plan.row.title}", from_notes=True)
        )  # fmt: skip
        payload = {"meeting": meeting_id, "date": day.isoformat()}
        self.proposal_event(plan, at, "proposal.meeting_linked", self.actor,
                            payload={**payload, "section": "PMC Lifecycle Activities"})  # fmt: skip
        state = "accepted" if accepted else "rejected"
        self.proposal_event(
            plan, at + datetime.timedelta(seconds=1), "proposal.decide", chair, "discussion",
            state, reason="Consensus in the meeting.", payload={**payload, "accepted": accepted},
        )  # fmt: skip
        plan.row.decided_in_id, plan.row.decided_at = meeting_id, at
        plan.linked = {meeting_id}
        return self.carry_out(plan, target, state, at + datetime.timedelta(seconds=1))

    def vote(self, plan: Plan, target: str, started) -> datetime.datetime:
        """Start the vote, cast the ballots and close it by its tally, as the deadline
        sweep would."""
        from proposals import voting
        from proposals.actions.transitions import _tally_payload

        row = plan.row
        committee = self.committee_rows[plan.committee - 1]
        rules = committee.voting_rules()
        closes_at = voting.default_deadline(rules, started)
        voters = sorted(seat.user for seat in self.seated(plan.committee, started.date()))
        chair = self.chair(plan.committee, started)
        plan.open_until = started
        self.proposal_event(
            plan, started, "proposal.start_vote", chair, "discussion", "voting",
            payload={"revision": 1, "rules": rules, "eligible": voters,
                     "closes_at": closes_at.isoformat()},
        )  # fmt: skip
        row.vote_round, row.vote_rules, row.vote_started_at = 1, rules, started
        row.closes_at, row.vote_extensions = closes_at, 0
        for user in voters:
            self.rows["eligible"].append((plan.id, user, 1))
        ballots = self.ballots(plan, target, voters, started, closes_at)
        if target == "voting":
            row.state = "voting"
            return ballots[-1] if ballots else started
        tally = voting.count(rules["pass_rule"], len(voters), self.last_ballots)
        at, extensions = closes_at, 0
        while True:
            outcome = voting.close_outcome(
                tally, rules=rules, extensions=extensions, closes_at=row.closes_at, at=at
            )
            self.proposal_event(
                plan, at, "proposal.close_vote", self.deadlines, "voting", outcome.state,
                payload={"round": 1, "tally": _tally_payload(tally)},
            )  # fmt: skip
            if outcome.state != "voting":
                break
            extensions += 1
            row.closes_at = outcome.closes_at
            at = outcome.closes_at
        row.vote_extensions, row.vote_closed_at = extensions, at
        return self.carry_out(plan, target, outcome.state, at)

    def ballots(self, plan: Plan, target: str, voters: list[int], started, closes_at) -> list:
        """Ballots of the eligible voters: enough for quorum when the vote is meant to
        decide, fewer when it is meant to be deferred; the values lean to the target."""
        from proposals import voting

        count = len(voters)
        wanted = self.rng.gauss(self.turnout * count, 1.5)
        if target in ("accepted", "completed", "rejected"):
            wanted = max(wanted, count // 2 + 1)
        elif target == "deferred":
            wanted = min(wanted, (count - 1) // 2)
        wanted = max(0, min(count, round(wanted)))
        # The chances of +1 and of -1 (the rest abstain) by what the vote is meant to end in.
        yes, no = {"rejected": (0.3, 0.6), "deferred": (0.6, 0.2)}.get(target, (0.85, 0.05))
        self.last_ballots = []
        times = []
        for user in self.rng.sample(voters, wanted):
            at = self.between(started + 5 * 60 * datetime.timedelta(seconds=1), min(
                closes_at - HOUR, self.now - 10 * datetime.timedelta(seconds=1)))  # fmt: skip
            roll = self.rng.random()
            recused = roll > 0.98
            value = None if recused else (1 if roll < yes else (-1 if roll < yes + no else 0))
            reason = "Not before the migration guide is out." if value == -1 else ""
            if recused:
                reason = "I lead the project."
            vote_id = self.next_id("vote")
            self.rows["votes"].append(
                (vote_id, plan.id, user, 1, value, recused, reason, True, at, 1)
            )
            action = "vote.recused" if recused else "vote.cast"
            self.proposal_event(
                plan, at, action, self.user(user), reason=reason,
                payload={"vote": vote_id, "round": 1, "from": None,
                         "to": "recused" if recused else value, "binding": True, "revision": 1},
            )  # fmt: skip
            self.last_ballots.append(voting.Ballot(value=value, recused=recused, binding=True))
            times.append(at)
        return sorted(times)

    def carry_out(self, plan: Plan, target: str, state: str, at) -> datetime.datetime:
        """After a decision: an accepted proposal's checklist, worked and (for a
        completed one) finished with its effect on the project."""
        from proposals import kinds
        from proposals.models import ChecklistItem

        row = plan.row
        row.state = state
        if state != "accepted":
            return at
        steps = kinds.checklist_for(row.kind, row.condition)
        items = []
        for position, step in enumerate(steps):
            item = ChecklistItem(
                id=self.next_id("checklist"), proposal_id=plan.id, position=position,
                text=step.text, owner_id=None if step.by_system else plan.proposer,
                by_system=step.by_system,
            )  # fmt: skip
            items.append(item)
        self.rows["checklist"].extend(items)
        to_do = [item for item in items if not item.by_system]
        finishing = target == "completed"
        ticked = to_do if finishing else to_do[: self.rng.randint(0, len(to_do) - 1)]
        for item in ticked:
            at = self.later(at, 2, 24 * 10)
            if at >= self.now:
                break
            seated = {seat.user for seat in self.seated(plan.committee, at.date())}
            actor = self.user(plan.proposer) if plan.proposer in seated else None
            actor = actor or self.chair(plan.committee, at)
            item.done, item.done_at, item.done_by_id = True, at, actor.pk
            self.proposal_event(plan, at, "checklist.done", actor,
                                payload={"item": item.pk, "text": item.text})  # fmt: skip
        if not finishing or any(not item.done for item in to_do):
            return at
        at = self.later(at, 1, 24 * 5)
        if at >= self.now:
            return at
        system_items = [item for item in items if item.by_system]
        self.proposal_event(
            plan, at, "proposal.complete", self.chair(plan.committee, at), "accepted",
            "completed", payload={"done_by_system": [item.text for item in system_items]}
            if system_items else None,
        )  # fmt: skip
        for item in system_items:
            item.done, item.done_at = True, at
        row.state = "completed"
        self.effects.append((at, plan))
        return at

    def proposal_event(self, plan, at, action, actor, from_state="", to_state="", **fields):
        self.event(
            at, action, actor, committee=plan.committee, proposal=plan.id, project=plan.project,
            from_state=from_state, to_state=to_state, **fields,
        )  # fmt: skip

    def apply_effects(self) -> None:
        """What completing each proposal did to its project, in the order they were
        completed: the project's row ends as the last of them left it."""
        from proposals.kinds import KINDS, Effect

        for at, plan in sorted(self.effects, key=lambda pair: pair[0]):
            kind, project = KINDS[plan.kind], self.project_rows[plan.project - 1]
            at = at + datetime.timedelta(microseconds=1)
            if kind.effect == Effect.STATUS and project.status != kind.project_status:
                old, project.status = project.status, kind.project_status
                action, new = "project.status_changed", project.status
            elif kind.effect == Effect.RENAME:
                old, project.former_names = project.name, [*project.former_names, project.name]
                project.name = new = plan.row.new_name
                action = "project.renamed"
            elif kind.effect == Effect.LEAD:
                old, project.lead = project.lead, plan.row.new_lead
                action, new = "project.lead_changed", project.lead
            else:
                continue
            self.event(
                at, action, self.chair(plan.committee, at), committee=plan.committee,
                proposal=plan.id, project=project.pk,
                payload={"from": old, "to": new, "name": project.name},
            )  # fmt: skip

    # Comments, and the edits and links that bring the log to its size

    def comments(self) -> None:
        from proposals.models import Comment, CommentVersion

        talked = [plan for plan in self.plans if plan.open_from != plan.created]
        weights = [5 if plan.row.state in ("discussion", "voting") else 1 for plan in talked]
        threads: dict[int, list[tuple[int, datetime.datetime]]] = defaultdict(list)
        for plan in self.rng.choices(talked, weights, k=self.sizes.comments) if talked else []:
            end = min(plan.open_until or self.now, self.now)
            at = self.between(plan.open_from, end)
            body = self.rng.choice(COMMENTS).format(topic=self.rng.choice(TOPICS))
            parent = None
            if threads[plan.id] and self.rng.random() < 0.3:
                parent, parent_at = self.rng.choice(threads[plan.id])
                if parent_at + 60 * datetime.timedelta(seconds=1) >= end:
                    parent = None  # no time left after it: a comment of its own
                else:
                    at = self.between(parent_at + datetime.timedelta(seconds=60), end)
            author = self.rng.choice(self.seated(plan.committee, at.date())).user
            comment = Comment(
                id=self.next_id("comment"), proposal_id=plan.id, parent_id=parent,
                author_id=author, by_member=True, body=body, body_html=self.render(body),
                created_at=at,
            )  # fmt: skip
            if parent is None:
                threads[plan.id].append((comment.pk, at))
            self.rows["comments"].append(comment)
            self.rows["comment_versions"].append(
                CommentVersion(id=comment.pk, comment_id=comment.pk, number=1, body=body,
                               written_at=at)
            )  # fmt: skip
            self.proposal_event(
                plan, at, "comment.posted", self.user(author),
                payload={"comment": comment.pk, "reply_to": parent, "version": 1,
                         "by_member": True, "text_sha256": _digest(body)},
            )  # fmt: skip

    def filler(self) -> None:
        """Edits of the proposing team and links to the meetings a proposal came up in,
        while it was open, until the log reaches its target size."""
        from proposals.models import ProposalMeeting

        missing = self.sizes.events - len(self.specs)
        open_plans = [plan for plan in self.plans if plan.open_until > plan.open_from]
        for _ in range(max(0, missing) if open_plans else 0):  # one event each
            plan = self.rng.choice(open_plans)
            at = self.between(plan.open_from, min(plan.open_until, self.now))
            meeting = self.meeting_after(plan.committee, at - 30 * DAY, plan.open_until)
            linked = getattr(plan, "linked", set())
            if (
                meeting is not None
                and meeting[0] not in linked
                and plan.open_from <= self.meeting_time(meeting[1]) <= plan.open_until
                and self.rng.random() < 0.4
            ):
                meeting_id, day = meeting
                plan.linked = linked | {meeting_id}
                self.rows["proposal_meetings"].append(
                    ProposalMeeting(id=self.next_id("proposal_meeting"), proposal_id=plan.id,
                                    meeting_id=meeting_id, section="PMC Lifecycle Activities",
                                    excerpt=f"- {plan.row.title}", from_notes=True)
                )  # fmt: skip
                self.proposal_event(
                    plan, self.meeting_time(day), "proposal.meeting_linked", self.actor,
                    payload={"meeting": meeting_id, "date": day.isoformat(),
                             "section": "PMC Lifecycle Activities"},
                )  # fmt: skip
            else:
                after = f"{plan.row.title.split()[0]} team {self.rng.randint(1, 99)}"
                self.edits.append((at, plan, after))
        # Each proposal's edits in time order, so that each one's "from" is the one
        # before's "to", and the row ends with the last.
        self.edits.sort(key=lambda edit: (edit[1].id, edit[0]))
        previous: dict[int, str] = {}
        for at, plan, after in self.edits:
            before = previous.get(plan.id, plan.row.proposing_team)
            previous[plan.id] = after
            plan.row.updated_at = max(plan.row.updated_at, at)
            self.proposal_event(
                plan, at, "proposal.edited", self.user(plan.proposer), reason="Team renamed.",
                payload={"changed": {"proposing_team": {"from": before, "to": after}},
                         "revision": 1},
            )  # fmt: skip
        for plan in self.plans:
            if plan.id in previous:
                plan.row.proposing_team = previous[plan.id]

    # Building and writing

    def build(self) -> None:
        self.effects: list = []
        self.edits: list = []
        steps = [self.people, self.committees, self.memberships, self.projects, self.meetings,
                 self.proposals, self.apply_effects, self.comments, self.filler]  # fmt: skip
        for step in steps:
            started = time.monotonic()
            step()
            self.log(f"  {step.__name__}: {time.monotonic() - started:.1f} s")

    def write(self) -> dict[str, int]:
        from django.contrib.auth import get_user_model
        from django.db import connection

        from pmc.models import Committee, Meeting, Membership, Project, TeamReport
        from proposals.models import (
            ChecklistItem,
            Comment,
            CommentVersion,
            EligibleVoter,
            Proposal,
            ProposalMeeting,
            Vote,
        )

        memberships = [
            Membership(id=s.id, user_id=s.user, committee_id=s.committee, role=s.role,
                       started_on=s.start, ended_on=s.end)
            for s in self.rows["memberships"]
        ]  # fmt: skip
        counts = {}
        plan = [
            (get_user_model(), self.rows["users"]),
            (Committee, self.rows["committees"]),
            (Membership, memberships),
            (Project, self.rows["projects"]),
            (Meeting, self.rows["meetings"]),
            (TeamReport, self.rows["team_reports"]),
            (Proposal, [Proposal(**vars(row)) for row in self.rows["proposals"]]),
            (ProposalMeeting, self.rows["proposal_meetings"]),
            (ChecklistItem, self.rows["checklist"]),
            (Comment, self.rows["comments"]),
            (CommentVersion, self.rows["comment_versions"]),
        ]
        for model, rows in plan:
            started = time.monotonic()
            counts[model._meta.label] = insert(model, rows)
            self.log(f"  {model._meta.label}: {time.monotonic() - started:.1f} s")
        # Plain rows for the biggest tables on PostgreSQL (COPY reads their attributes):
        # building a model instance for each costs more than writing it.
        row = Row if connection.vendor == "postgresql" else None
        counts["proposals.EligibleVoter"] = insert(
            EligibleVoter,
            (
                (row or EligibleVoter)(id=i, proposal_id=p, user_id=u, round=r)
                for i, (p, u, r) in enumerate(self.rows["eligible"], start=1)
            ),
        )
        counts["proposals.Vote"] = insert(
            Vote,
            (
                (row or Vote)(id=i, proposal_id=p, voter_id=u, round=r, value=v, recused=rec,
                              reason=reason, binding=b, cast_at=at, revision=rev,
                              recorded_by_id=None, proxy_note="")
                for i, p, u, r, v, rec, reason, b, at, rev in self.rows["votes"]
            ),
        )  # fmt: skip
        started = time.monotonic()
        counts["proposals.Event"] = insert_events(self.sorted_specs(), self.users)
        self.log(f"  proposals.Event: {time.monotonic() - started:.1f} s")
        reset_sequences()
        return counts

    def sorted_specs(self):
        self.specs.sort(key=lambda spec: (spec[0], spec[1]))
        for at, _sequence, fields_ in self.specs:
            yield at, fields_


Row = SimpleNamespace


def new_event(at: datetime.datetime, spec: dict, users: list):
    """The event a generated spec stands for, built like the actions build theirs
    (`proposals.audit.new_event`), with the ids of the rows it is about."""
    from proposals import audit

    actor = spec.pop("actor")
    ids = {name: spec.pop(name, None) for name in ("committee", "proposal", "project")}
    membership = spec.pop("membership", None)
    event = audit.new_event(at=at, actor=actor, **spec)
    event.committee_id, event.proposal_id = ids["committee"], ids["proposal"]
    event.project_id, event.membership_id = ids["project"], membership
    return event


def chain(events: list, previous: str) -> str:
    """Link `events` (in log order) after the event whose hash is `previous`, as
    `proposals.audit` links the events it appends: recorded when they happened (this is
    history written as it was lived), each with the hash of the one before and its own.
    Returns the hash of the last."""
    for event in events:
        event.recorded_at = event.at
        event.prev_hash = previous
        event.hash = previous = event.compute_hash()
    return previous


def insert_events(specs, users) -> int:
    from proposals.models import GENESIS_HASH, Event

    previous, written, batch = GENESIS_HASH, 0, []
    for at, spec in specs:
        event = new_event(at, dict(spec), users)
        written += 1
        event.id = written
        batch.append(event)
        if len(batch) >= BATCH:
            previous = chain(batch, previous)
            insert(Event, batch)
            batch = []
    previous = chain(batch, previous)
    insert(Event, batch)
    return written


def insert(model, rows) -> int:
    """Append rows (with their ids set) in batches: COPY on PostgreSQL, `bulk_create`
    elsewhere."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is read per row
    written, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            written += _insert_batch(model, batch, connection)
            batch = []
    if batch:
        written += _insert_batch(model, batch, connection)
    return written


def _insert_batch(model, batch, connection) -> int:
    if connection.vendor != "postgresql":
        model.objects.bulk_create(batch, batch_size=500)
        return len(batch)
    from django.db.models import JSONField
    from psycopg.types.json import Jsonb

    columns = model._meta.concrete_fields
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    # The attributes as they are: ids, texts, numbers and aware times need no preparing,
    # and the JSON fields are JSON (their encoder is json.dumps, as Jsonb's).
    getters = [
        (lambda row, name=f.attname: Jsonb(getattr(row, name)))
        if isinstance(f, JSONField)
        else operator.attrgetter(f.attname)
        for f in columns
    ]
    copy_sql = f"COPY {table} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
        for row in batch:
            copy.write_row([get(row) for get in getters])
    return len(batch)


@contextlib.contextmanager
def foreign_keys_checked_after():
    """On PostgreSQL, the foreign keys are dropped for the load and added again after it,
    as a restore of a dump does: adding one checks every row in one statement, where
    keeping it checks (and locks the row referred to) row by row, which costs most of
    the load. Nothing is skipped: a row that refers to nothing fails the load."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    print(f"  foreign keys checked: {time.monotonic() - started:.1f} s")


def reset_sequences() -> None:
    """The id sequences continue after the ids given here."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    models = [m for config in apps.get_app_configs() for m in config.get_models()]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def generate(sizes: Sizes, *, seed: int = 1, now=None, log=print) -> dict[str, int]:
    """Build the dataset into the (empty, migrated) default database; returns the rows
    written per model."""
    from django.db import transaction
    from django.utils import timezone

    from proposals.models import Event, Proposal

    if Event.objects.exists() or Proposal.objects.exists():
        raise SystemExit(
            "The database already has events or proposals: the dataset goes into an empty, "
            "migrated database (create one, run `manage.py migrate`, then this)."
        )
    generator = Generator(sizes, seed=seed, now=now or timezone.now(), log=log)
    started = time.monotonic()
    log("Building the rows in memory:")
    generator.build()
    log(f"Writing ({len(generator.specs):,} events):")
    written = time.monotonic()
    with transaction.atomic(), foreign_keys_checked_after():
        counts = generator.write()
    log(f"  written in {time.monotonic() - written:.1f} s; "
        f"total {time.monotonic() - started:.1f} s")  # fmt: skip
    return counts


# Names and details


def _ascii(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "")


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), datetime.UTC)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _details(kind: str, project, pk: int, rng: random.Random, users: list) -> dict:
    if kind == "ownership":
        return {"new_lead": rng.choice(users[1:]).get_full_name()}
    if kind == "rename":
        return {"new_name": f"{project.name.split('-')[0]}-next-{pk}"}
    if kind == "attic" and rng.random() < 0.3:
        return {"condition": "the last users have migrated"}
    return {}


def _title(kind: str, name: str, details: dict, topic: str, pk: int) -> str:
    return {
        "attic": f"Move {name} to the attic",
        "incubation": f"Incubate {name} again",
        "promotion": f"Promote {name} to active",
        "ownership": f"Hand {name} to {details.get('new_lead')}",
        "rename": f"Rename {name} to {details.get('new_name')}",
        "other": f"{name}: {topic}",
    }[kind] + f" (#{pk})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = Sizes()
    for item in fields(Sizes):
        parser.add_argument(
            f"--{item.name}", type=type(getattr(defaults, item.name)),
            default=getattr(defaults, item.name),
        )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--now", help="the present the history leads up to (ISO 8601, UTC); default: now"
    )
    args = parser.parse_args()
    sizes = Sizes(**{item.name: getattr(args, item.name) for item in fields(Sizes)})
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmc.settings")
    import django

    django.setup()
    now = None
    if args.now:
        now = datetime.datetime.fromisoformat(args.now).replace(tzinfo=datetime.UTC)
    counts = generate(sizes, seed=args.seed, now=now)
    for label, count in counts.items():
        print(f"{label:28} {count:>10,}")


if __name__ == "__main__":
    main()
