"""Fill an empty database with a demo: `manage.py seed_demo [--allow-production]`.

Builds the Runtime PMC from its real meeting notes of 2017-05-16 (shipped as
`pmc/demo/2017-05-16-runtime.md`): one user and seat per team lead named there, the
meeting with its team reports, the projects, and the CLI team's proposal to move
Diego-Enabler to the attic that the notes record. Around it, proposals in every state
with backdated votes, checklists and decisions, so the history looks lived in; one vote
is still open, and one proposal in discussion has a conversation (threads with replies,
an edited comment, a mention). A few members of the Extensions PMC and an administrator
complete it.

Everything is built through `proposals.actions`, so the audit log tells the same story
as the rows. The command runs once: when the Runtime committee already exists it says
so and writes nothing. Every account's password is `demo-<username>`, printed at the
end, which is why it refuses to run with DEBUG off unless told `--allow-production`.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

import pmc
from pmc.models import Committee, Meeting, ProjectStatus, Role, TeamReport
from pmc.notes import fix_encoding, parse_team_reports
from proposals import acting, actions, notifications
from proposals.actors import SystemActor
from proposals.models import Proposal
from proposals.states import Kind

NOTES = Path(pmc.__file__).resolve().parent / "demo" / "2017-05-16-runtime.md"
NOTES_SOURCE = "Runtime/2017/2017-05-16-runtime.md"
MEETING_DATE = datetime.date(2017, 5, 16)
LIFECYCLE_SECTION = "PMC Lifecycle Activities"
SEATS_FROM = datetime.date(2016, 9, 1)
CHAIR = "Eric Malm"
EMERITUS = {"Michael Fraenkel": datetime.date(2018, 6, 30)}
EXTENSIONS_MEMBERS = [("Michael Maximilien", Role.CHAIR), ("Stephen Levine", Role.MEMBER)]
SEED = SystemActor("seed_demo")


ACTIVE, INCUBATING = ProjectStatus.ACTIVE, ProjectStatus.INCUBATING
# name, status, lead, GitHub repository
RUNTIME_PROJECTS = [
    ("Diego-Enabler", ACTIVE, "Dies Köper", "cloudfoundry-incubator/Diego-Enabler"),
    ("CLI", ACTIVE, "Dies Köper", "cloudfoundry/cli"),
    ("Diego", ACTIVE, "Eric Malm", "cloudfoundry/diego-release"),
    ("Garden", ACTIVE, "Julz Friedman", "cloudfoundry/garden-runc-release"),
    ("GrootFS", INCUBATING, "George Lestaris", "cloudfoundry/grootfs-release"),
    ("BPM", INCUBATING, "", "cloudfoundry-incubator/bpm-release"),
    ("Bits-Service", INCUBATING, "Simon Moser", "cloudfoundry-incubator/bits-service-release"),
    ("Loggregator", ACTIVE, "Adam Hevenor", "cloudfoundry/loggregator-release"),
    ("UAA", ACTIVE, "Sree Tummidi", "cloudfoundry/uaa-release"),
    ("CAPI", ACTIVE, "Zach Robinson", "cloudfoundry/capi-release"),
    ("consul-release", ACTIVE, "Evan Farrar", "cloudfoundry-incubator/consul-release"),
    ("etcd-release", ACTIVE, "Evan Farrar", "cloudfoundry-incubator/etcd-release"),
    ("bosh-bootloader", ACTIVE, "Evan Farrar", "cloudfoundry/bosh-bootloader"),
    ("postgres-release", ACTIVE, "Valeria Perticara", "cloudfoundry/postgres-release"),
    ("cf-deployment", ACTIVE, "David Sabeti", "cloudfoundry/cf-deployment"),
]
EXTENSIONS_PROJECTS = [
    ("App AutoScaler", INCUBATING, "", "cloudfoundry-incubator/app-autoscaler"),
    ("CF Local", INCUBATING, "Stephen Levine", "cloudfoundry-incubator/cflocal"),
]


def demo_password(username: str) -> str:
    return f"demo-{username}"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    committee: str

    @property
    def password(self) -> str:
        return demo_password(self.username)


def username_for(name: str) -> str:
    """The username for a person's name, e.g. dies.koper for Dies Köper."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ".".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))


def section_lines(text: str, heading: str) -> str:
    """The non-blank lines under an H2 heading, up to the next H2."""
    lines = text.splitlines()
    start = lines.index(f"## {heading}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(line for line in lines[start:end] if line.strip())


class Command(BaseCommand):
    help = (
        "Create a demo: the Runtime PMC from its 2017-05-16 meeting notes, its team leads "
        "as members (Eric Malm chairs), projects, and proposals in every state, all built "
        "through the lifecycle actions with backdated history. Runs once; a second run "
        "reports 'already seeded' and writes nothing. Passwords are demo-<username>, so it "
        "refuses to run with DEBUG off unless --allow-production is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (the demo accounts have known passwords).",
        )

    def handle(self, *args, allow_production: bool = False, **options) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates accounts whose passwords are printed and easy to guess "
                "(demo-<username>), and DEBUG is off, so this looks like a production site. "
                "Run it against a development database with DEBUG=1, or pass "
                "--allow-production if you really want the demo accounts here."
            )
        if Committee.objects.filter(slug="runtime").exists():
            self.stdout.write("The Runtime committee exists: already seeded, nothing written.")
            self.stdout.write(
                "Demo logins: every password is demo-<username>, e.g. eric.malm / "
                "demo-eric.malm (Runtime chair), dies.koper / demo-dies.koper (member), "
                "admin / demo-admin (administrator)."
            )
            return
        # The demo is backdated history, not news: it notifies nobody.
        with transaction.atomic(), notifications.silenced(), acting.acting_as(SEED):
            logins = Seeder(now=timezone.now()).run()
        self.stdout.write(self.style.SUCCESS("Seeded the demo. Logins:"))
        self.stdout.write(self.login_table(logins))

    def login_table(self, logins: list[Login]) -> str:
        rows = [("username", "role", "committee", "password")]
        rows += [(x.username, x.role, x.committee, x.password) for x in logins]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(line.rstrip() for line in lines)


class Seeder:
    """Builds the demo's rows through the actions, with backdated times."""

    def __init__(self, *, now: datetime.datetime) -> None:
        self.now = now.replace(second=0, microsecond=0)
        self.users: dict[str, object] = {}
        self.logins: list[Login] = []
        self.text = fix_encoding(NOTES.read_text(encoding="utf-8"))

    def run(self) -> list[Login]:
        self.runtime = Committee.objects.create(
            name="Runtime",
            slug="runtime",
            description="Runtime PMC: CLI, Diego, Garden, routing, logging, UAA, CAPI and the "
            "releases that deploy them.",
        )
        self.extensions = Committee.objects.create(
            name="Extensions",
            slug="extensions",
            description="Extensions PMC: projects that extend the platform.",
        )
        self.seat_team_leads()
        self.seat_extensions_members()
        self.add_admin()
        self.meeting = self.add_meeting()
        self.projects = {
            name: actions.do_create_project(
                committee=committee,
                actor=SEED,
                name=name,
                status=status,
                lead=lead,
                repository_urls=[f"https://github.com/{repository}"],
                at=datetime.datetime.combine(SEATS_FROM, datetime.time(12), datetime.UTC),
            )
            for committee, specs in [
                (self.runtime, RUNTIME_PROJECTS),
                (self.extensions, EXTENSIONS_PROJECTS),
            ]
            for name, status, lead, repository in specs
        }
        self.diego_enabler_to_attic()
        self.promote_bpm()
        self.withdraw_winc()
        self.reject_consul_attic()
        self.defer_postgres_lead()
        self.vote_on_grootfs()
        self.discuss_etcd_attic()
        self.draft_bbl_rename()
        self.schedule_next_meeting()
        return self.logins

    # People

    def add_user(self, name: str):
        first, _, last = name.rpartition(" ")
        username = username_for(name)
        user = get_user_model().objects.create_user(
            username=username,
            email=f"{username}@example.org",
            password=demo_password(username),
            first_name=first,
            last_name=last,
        )
        self.users[name] = user
        return user

    def seat(self, committee: Committee, name: str, role: str, started_on: datetime.date):
        user = self.add_user(name)
        membership = actions.do_add_member(
            committee=committee, user=user, actor=SEED, role=role, started_on=started_on
        )
        shown = role
        if name in EMERITUS:
            actions.do_end_membership(
                membership=membership,
                actor=SEED,
                ended_on=EMERITUS[name],
                reason="The team was folded into others.",
            )
            shown = "emeritus"
        self.logins.append(Login(user.username, shown, committee.name))

    def seat_team_leads(self) -> None:
        leads = [report.lead for report in parse_team_reports(self.text) if report.lead]
        for name in sorted(set(leads), key=lambda n: (n != CHAIR, leads.index(n))):
            role = Role.CHAIR if name == CHAIR else Role.MEMBER
            self.seat(self.runtime, name, role, SEATS_FROM)

    def seat_extensions_members(self) -> None:
        for name, role in EXTENSIONS_MEMBERS:
            self.seat(self.extensions, name, role, datetime.date(2017, 6, 1))

    def add_admin(self) -> None:
        admin = Login("admin", "superuser", "-")
        get_user_model().objects.create_superuser(
            username=admin.username, email="admin@example.org", password=admin.password
        )
        self.logins.insert(0, admin)

    def user(self, name: str):
        return self.users[name]

    # The meeting

    def add_meeting(self) -> Meeting:
        title = next(line[2:].strip() for line in self.text.splitlines() if line.startswith("# "))
        meeting = Meeting.objects.create(
            committee=self.runtime,
            date=MEETING_DATE,
            title=title,
            notes=self.text,
            source=NOTES_SOURCE,
        )
        TeamReport.objects.bulk_create(
            TeamReport(meeting=meeting, position=i, team=r.team, lead=r.lead, body=r.body)
            for i, r in enumerate(parse_team_reports(self.text))
        )
        return meeting

    # Proposals, oldest first

    def days_ago(self, days: float, hour: int | None = None) -> datetime.datetime:
        at = self.now - datetime.timedelta(days=days)
        return at if hour is None else at.replace(hour=hour, minute=0)

    def propose(self, proposer: str, *, at, **fields) -> Proposal:
        return actions.do_create_proposal(
            actor=self.user(proposer), committee=self.runtime, at=at, **fields
        )

    def votes(self, proposal: Proposal, ballots: list[tuple[str, int, str]], first_at) -> None:
        for i, (name, value, reason) in enumerate(ballots):
            at = first_at + datetime.timedelta(hours=3 * i)
            actions.do_cast_vote(
                proposal=proposal, actor=self.user(name), value=value, reason=reason, at=at
            )

    def diego_enabler_to_attic(self) -> None:
        """The proposal in the notes: voted through, waiting for the DEAs' end of life."""
        excerpt = section_lines(self.text, LIFECYCLE_SECTION)
        chair = self.user(CHAIR)
        meeting_day = datetime.datetime.combine(MEETING_DATE, datetime.time(9), datetime.UTC)
        proposal = self.propose(
            "Dies Köper",
            at=meeting_day,
            kind=Kind.ATTIC,
            title="Move Diego-Enabler to the attic",
            body=excerpt,
            project=self.projects["Diego-Enabler"],
            proposing_team="CLI team",
            condition="the DEAs reach end of life",
        )
        actions.do_link_meeting(
            proposal=proposal,
            meeting=self.meeting,
            actor=SEED,
            section=LIFECYCLE_SECTION,
            excerpt=excerpt,
        )
        at = meeting_day + datetime.timedelta(hours=8)
        actions.do_submit(proposal=proposal, actor=self.user("Dies Köper"), at=at)
        started = meeting_day + datetime.timedelta(days=1, hours=7)
        actions.do_start_vote(proposal=proposal, actor=chair, at=started)
        self.votes(
            proposal,
            [
                ("Eric Malm", 1, ""),
                ("Dies Köper", 1, ""),
                ("Julz Friedman", 1, ""),
                ("Zach Robinson", 1, "CAPI stops supporting DEAs at the same time."),
                ("Adam Hevenor", 1, ""),
                ("Usha Ramachandran", 0, ""),
                ("Shannon Coen", 1, ""),
                ("David Sabeti", 1, ""),
                ("George Lestaris", 1, ""),
                ("Sree Tummidi", 1, ""),
            ],
            started + datetime.timedelta(hours=2),
        )
        proposal.refresh_from_db()
        actions.do_close_vote(proposal=proposal, actor=SEED, at=proposal.closes_at)
        announce = proposal.checklist.get(text__startswith="Announce")
        actions.do_set_checklist_item(
            item=announce, actor=self.user("Dies Köper"), at=proposal.closes_at
        )

    def promote_bpm(self) -> None:
        """Voted, carried out and completed: BPM is active now."""
        chair = self.user(CHAIR)
        proposal = self.propose(
            "Julz Friedman",
            at=self.days_ago(62, 10),
            kind=Kind.PROMOTION,
            title="Promote BPM to active",
            body="BPM runs the jobs of Diego, CAPI and Loggregator in production on every "
            "cf-deployment. Its API is stable and it has two maintaining companies.",
            project=self.projects["BPM"],
            proposing_team="Garden team",
        )
        actions.do_submit(
            proposal=proposal, actor=self.user("Julz Friedman"), at=self.days_ago(61, 9)
        )
        actions.do_start_vote(proposal=proposal, actor=chair, at=self.days_ago(54, 15))
        self.votes(
            proposal,
            [
                (name, 1, "")
                for name in [
                    "Eric Malm",
                    "Julz Friedman",
                    "Dies Köper",
                    "Adam Hevenor",
                    "Zach Robinson",
                    "Sree Tummidi",
                    "Evan Farrar",
                    "Marco Nicosia",
                    "Simon Moser",
                ]
            ]
            + [("Julian Hjortshoj", 0, "Not used by Persi yet.")],
            self.days_ago(54, 17),
        )
        proposal.refresh_from_db()
        actions.do_close_vote(proposal=proposal, actor=SEED, at=proposal.closes_at)
        for day, item in zip([48, 45, 41], proposal.checklist.to_do(), strict=False):
            actions.do_set_checklist_item(item=item, actor=chair, at=self.days_ago(day, 11))
        actions.do_complete(proposal=proposal, actor=chair, at=self.days_ago(40, 14))

    def withdraw_winc(self) -> None:
        proposal = self.propose(
            "A William Martin",
            at=self.days_ago(45, 9),
            kind=Kind.INCUBATION,
            title="Incubate winc, a Windows container runtime for Garden",
            body="Greenhouse and Garden built winC, an OCI runtime for Windows Server 2016 "
            "on the HCS API. We propose to incubate it as its own project.",
            new_name="winc",
            proposing_team="Greenhouse team",
        )
        actor = self.user("A William Martin")
        actions.do_submit(proposal=proposal, actor=actor, at=self.days_ago(44, 10))
        actions.do_withdraw(
            proposal=proposal,
            actor=actor,
            at=self.days_ago(37, 16),
            reason="Garden-Windows will carry winc; it needs no incubation of its own.",
        )

    def reject_consul_attic(self) -> None:
        """Voted down: the -1s carry their reasons."""
        proposal = self.propose(
            "David Sabeti",
            at=self.days_ago(36, 11),
            kind=Kind.ATTIC,
            title="Move consul-release to the attic",
            body="cf-deployment no longer needs consul: locket and the route emitters "
            "replaced it. Stop maintaining consul-release.",
            project=self.projects["consul-release"],
            proposing_team="Release Integration team",
        )
        actions.do_submit(
            proposal=proposal, actor=self.user("David Sabeti"), at=self.days_ago(35, 9)
        )
        actions.do_start_vote(proposal=proposal, actor=self.user(CHAIR), at=self.days_ago(31, 15))
        operators = "Operators still run cf-release with consul; give them a migration path first."
        self.votes(
            proposal,
            [
                ("David Sabeti", 1, ""),
                ("Evan Farrar", -1, "Windows cells still register through consul."),
                ("Eric Malm", -1, operators),
                ("Shannon Coen", -1, "Routing's TCP router still finds its peers via consul."),
                ("Usha Ramachandran", 1, ""),
                ("Marco Nicosia", -1, operators),
                ("Adam Hevenor", 0, ""),
                ("Simon Moser", -1, operators),
                ("Zach Robinson", 1, ""),
                ("Julz Friedman", -1, "Greenhouse depends on it until the next release."),
            ],
            self.days_ago(31, 17),
        )
        proposal.refresh_from_db()
        actions.do_close_vote(proposal=proposal, actor=SEED, at=proposal.closes_at)

    def defer_postgres_lead(self) -> None:
        self.deferred = proposal = self.propose(
            "Valeria Perticara",
            at=self.days_ago(21, 10),
            kind=Kind.OWNERSHIP,
            title="Hand postgres-release to the MySQL team's lead",
            body="The data services teams are merging; Marco Nicosia would lead both "
            "postgres-release and the MySQL releases.",
            project=self.projects["postgres-release"],
            new_lead="Marco Nicosia",
        )
        actions.do_submit(
            proposal=proposal, actor=self.user("Valeria Perticara"), at=self.days_ago(20, 9)
        )
        actions.do_defer(
            proposal=proposal,
            actor=self.user(CHAIR),
            at=self.days_ago(14, 17),
            reason="Revisit once MySQL v36 has shipped.",
        )

    def discuss_etcd_attic(self) -> None:
        proposal = self.propose(
            "Evan Farrar",
            at=self.days_ago(9, 14),
            kind=Kind.ATTIC,
            title="Move etcd-release to the attic",
            body="Diego moved its data to SQL and cf-deployment no longer deploys etcd.",
            project=self.projects["etcd-release"],
            proposing_team="Infrastructure team",
            condition="cf-deployment no longer deploys etcd",
        )
        actions.do_submit(
            proposal=proposal, actor=self.user("Evan Farrar"), at=self.days_ago(8, 10)
        )
        self.etcd_attic = proposal
        self.discussion_of_etcd_attic(proposal)
        self.open_concern(proposal)

    def discussion_of_etcd_attic(self, proposal: Proposal) -> None:
        """A real discussion: threads with replies, an edited comment, a mention."""

        def say(name: str, at, body: str, reply_to=None):
            return actions.do_post_comment(
                proposal=proposal, actor=self.user(name), body=body, reply_to=reply_to, at=at
            )

        deployments = say(
            "Shannon Coen",
            self.days_ago(7, 11),
            "Routing still reads etcd in two older deployments we support. Do we know who "
            "else runs etcd-release outside cf-deployment?",
        )
        say(
            "Evan Farrar",
            self.days_ago(7, 15),
            "Only the bosh-lite manifests, as far as we can tell; they go away with the "
            "next cf-deployment major.",
            reply_to=deployments,
        )
        say(
            "Shannon Coen",
            self.days_ago(6, 9),
            "Good: then the condition covers us.",
            reply_to=deployments,
        )
        migration = say(
            "Adam Hevenor",
            self.days_ago(5, 10),
            "Loggregator moved off etcd in v93. Happy to move the release to the attic "
            "once the condition is met.",
        )
        actions.do_edit_comment(
            comment=migration,
            actor=self.user("Adam Hevenor"),
            at=self.days_ago(5, 11),
            body="Loggregator moved off etcd in **v95** (not v93, my mistake). Happy to "
            "move the release to the attic once the condition is met.",
        )
        say(
            "Eric Malm",
            self.days_ago(3, 16),
            f"@{self.user('David Sabeti').username}, could Release Integration confirm "
            "when cf-deployment drops the etcd job? That is the one thing left before we "
            "vote.",
        )
        # Concerns (an open one here, a resolved one on another proposal) belong after
        # the comments they answer; the concern actions add them.

    def vote_on_grootfs(self) -> None:
        """The open vote: started yesterday, with a -1, a changed vote and a recusal."""
        proposal = self.propose(
            "Julz Friedman",
            at=self.days_ago(12, 10),
            kind=Kind.PROMOTION,
            title="Promote GrootFS to active",
            body="GrootFS is the default image plugin for Garden in cf-deployment; its "
            "releases have been stable for six months.",
            project=self.projects["GrootFS"],
            proposing_team="Garden team",
        )
        actions.do_submit(
            proposal=proposal, actor=self.user("Julz Friedman"), at=self.days_ago(11, 9)
        )
        self.resolved_concern(proposal)
        started = self.days_ago(1)
        actions.do_start_vote(proposal=proposal, actor=self.user(CHAIR), at=started)
        hour = datetime.timedelta(hours=1)
        actions.do_recuse(
            proposal=proposal,
            actor=self.user("George Lestaris"),
            at=started + hour,
            reason="I lead the GrootFS team.",
        )
        self.votes(
            proposal,
            [
                ("Eric Malm", 1, ""),
                ("Julz Friedman", 1, ""),
                ("Dies Köper", 0, ""),
                (
                    "Zach Robinson",
                    -1,
                    "Not while GrootFS is unfit for production: user processes still get "
                    "stuck in D-state on XFS. +1 once that is fixed.",
                ),
            ],
            started + 2 * hour,
        )
        actions.do_cast_vote(
            proposal=proposal, actor=self.user("Dies Köper"), value=1, at=started + 9 * hour
        )

    # Blocking concerns: one still holds a vote back, one was resolved before its vote

    def open_concern(self, proposal: Proposal) -> None:
        """The etcd attic proposal cannot go to a vote yet: David Sabeti answers the
        chair's question with a concern."""
        actions.do_raise_concern(
            proposal=proposal,
            actor=self.user("David Sabeti"),
            title="cf-deployment drops the etcd job only in its next major release",
            explanation="The bosh-lite manifests still deploy etcd until cf-deployment 2.0 "
            "ships, which is not cut yet. Until then operators on bosh-lite need a supported "
            "etcd-release.\n\n@evan.farrar, I will resolve this as soon as 2.0 is out.",
            at=self.days_ago(2, 10),
        )

    def resolved_concern(self, proposal: Proposal) -> None:
        """GrootFS's promotion waited for a migration guide; its vote started after."""
        concern = actions.do_raise_concern(
            proposal=proposal,
            actor=self.user("Dies Köper"),
            title="Operators need a guide to move from the old image plugin",
            explanation="Promoting GrootFS makes it the default for everyone. Before we "
            "vote, operators need to know how to move existing cells and what happens to "
            "images already cached.",
            at=self.days_ago(10, 11),
        )
        actions.do_resolve_concern(
            concern=concern,
            actor=self.user("Dies Köper"),
            reason="The Garden team published the migration guide in the GrootFS README.",
            at=self.days_ago(3, 16),
        )

    def draft_bbl_rename(self) -> None:
        self.propose(
            "Evan Farrar",
            at=self.days_ago(2, 16),
            kind=Kind.RENAME,
            title="Rename bosh-bootloader to bbl",
            body="Everyone calls it bbl already, including its own CLI.",
            project=self.projects["bosh-bootloader"],
            new_name="bbl",
            proposing_team="Infrastructure team",
        )

    # The next meeting, scheduled: its agenda is there to download.

    def schedule_next_meeting(self) -> None:
        """Two weeks from now, at 08:00 in California, with a point and the deferred
        proposal put on its agenda."""
        zone = "America/Los_Angeles"
        day = (self.now + datetime.timedelta(days=14)).date()
        meeting = actions.do_schedule_meeting(
            actor=self.user(CHAIR),
            committee=self.runtime,
            starts_at=datetime.datetime.combine(day, datetime.time(8)),
            time_zone=zone,
            call_link="https://meet.example.org/runtime-pmc",
            note="The usual call; the agenda is on the meeting's page.",
        )
        actions.do_add_agenda_item(
            actor=self.user(CHAIR), meeting=meeting, text="Meeting times for next year"
        )
        actions.do_put_proposal_on_agenda(
            actor=self.user(CHAIR), meeting=meeting, proposal=self.deferred
        )
