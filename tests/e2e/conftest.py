"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

They need Chromium (/usr/bin/chromium, or PMC_CHROMIUM) and, for the accessibility checks,
axe-core (`npm ci --prefix tests/e2e`); `scripts/setup --dev` installs both. Without them
the tests skip and say why.

They run last in a session: the sync Playwright API keeps an asyncio loop running in the
main thread from the first browser test until the end of the session, and Django refuses
database calls from a thread with a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set.
That variable is set only from the first browser test on.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from pmc.models import Committee, Meeting, Project, ProjectStatus, Role
from proposals import actions, audit_triggers
from proposals.models import Proposal
from proposals.states import Kind, State
from tests.factories import make_committee, make_member, make_proposal, make_user

HERE = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("PMC_CHROMIUM", "/usr/bin/chromium"))
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _is_e2e(item: pytest.Item) -> bool:
    return Path(item.path).is_relative_to(HERE)


def _missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed: run scripts/setup --dev"
    if not CHROMIUM.exists():
        return (
            f"Chromium is not at {CHROMIUM}: install Debian's chromium package "
            "(scripts/setup --dev does as root) or set PMC_CHROMIUM"
        )
    return None


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright's own base_url fixture, unused here (the context gets the live
    # server's URL), trips a pytest deprecation that is not ours to fix.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods"
        ":pytest.PytestRemovedIn10Warning",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_tests = [item for item in items if _is_e2e(item)]
    if not browser_tests:
        return
    reason = _missing_browser()
    if reason:
        for item in browser_tests:
            item.add_marker(pytest.mark.skip(reason=reason))
    items[:] = [item for item in items if not _is_e2e(item)] + browser_tests


@pytest.fixture(scope="session", autouse=True)
def _browser_test_session(django_db_setup) -> Iterator[None]:
    """Let the test thread use the database beside Playwright's loop, and let the flush
    between transactional tests empty the append-only event table.

    pytest-django flushes in TransactionTestCase._fixture_teardown after the test's own
    fixtures are gone, so the triggers are lifted around that call, as
    tests.base.AppendOnlyTransactionTestCase does. Depending on django_db_setup makes the
    test database outlive Playwright, whose loop must be stopped before it is destroyed.
    """
    original_teardown = TransactionTestCase._fixture_teardown

    def fixture_teardown(test_case: TransactionTestCase) -> None:
        audit_triggers.uninstall(connection)
        try:
            original_teardown(test_case)
        finally:
            audit_triggers.install(connection)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        patch.setattr(TransactionTestCase, "_fixture_teardown", fixture_teardown)
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, live_server) -> dict:
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-US",
    }


@pytest.fixture
def browser_as(new_context) -> Callable[..., object]:
    """browser_as("member") is a page in a browser of its own (own cookies), signed in
    as that user through the login form; browser_as() is an anonymous one."""

    def open_page(username: str | None = None):
        from tests.e2e.helpers import sign_in

        page = new_context().new_page()
        if username:
            sign_in(page, username)
        return page

    return open_page


@pytest.fixture
def axe() -> Callable[..., list[dict]]:
    """axe(page) runs axe-core on the page and returns its violations."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: run npm ci --prefix tests/e2e")
    source = AXE.read_text(encoding="utf-8")

    def run(page) -> list[dict]:
        # Evaluated through DevTools, not added as an inline <script>: the pages'
        # Content Security Policy blocks inline scripts, and the test must not relax it.
        page.evaluate(source)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        return result["violations"]

    return run


@dataclass
class Runtime:
    """The Runtime committee: a chair, three members, an outsider, projects, a meeting."""

    committee: Committee
    chair: object
    member: object
    other_member: object
    third_member: object
    outsider: object
    project: Project
    meeting: Meeting
    proposals: dict[str, Proposal] = field(default_factory=dict)


MEETING_NOTES = """\
## Attendees

Amelia Chen (chair), Bruno Silva, Chidi Okafor, Dara Novak

## Lifecycle

- **legacy-cli**: nobody has released it since 2019; Bruno will propose the attic.
- **diego-enabler**: the plugin is superseded by the v3 CLI; vote to move it to the attic.
- **cf-networking**: ready to leave incubation, see the [graduation checklist](https://example.org/graduation).

## Team reports

| Team | Lead | Status |
|---|---|---|
| CLI | Bruno Silva | on track |
| Diego | Chidi Okafor | two open security fixes |
"""


@pytest.fixture
def runtime(transactional_db) -> Runtime:
    committee = make_committee("Runtime")
    people = {
        "chair": ("Amelia", "Chen", Role.CHAIR),
        "member": ("Bruno", "Silva", Role.MEMBER),
        "other_member": ("Chidi", "Okafor", Role.MEMBER),
        "third_member": ("Dara", "Novak", Role.MEMBER),
    }
    users = {
        username: make_member(
            committee, make_user(username, first_name=first, last_name=last), role=role
        )
        for username, (first, last, role) in people.items()
    }
    outsider = make_user("outsider", first_name="Eve", last_name="Outside")
    project = Project.objects.create(
        committee=committee,
        name="legacy-cli",
        status=ProjectStatus.ACTIVE,
        lead="Bruno Silva",
        repository_urls=["https://example.org/runtime/legacy-cli"],
    )
    meeting = Meeting.objects.create(
        committee=committee,
        date=timezone.localdate() - datetime.timedelta(days=7),
        title="Runtime PMC meeting",
        notes=MEETING_NOTES,
    )
    return Runtime(
        committee=committee, outsider=outsider, project=project, meeting=meeting, **users
    )


@pytest.fixture
def populated(runtime: Runtime) -> Runtime:
    """Proposals in several states around the Runtime committee, with votes and history;
    "voting" awaits the vote of `member`; "closed" was accepted by a vote (with a -1, a
    recusal, long reasons and a wide table in its text)."""
    rt = runtime
    diego = Project.objects.create(
        committee=rt.committee,
        name="diego-enabler",
        status=ProjectStatus.ACTIVE,
        lead="Chidi Okafor",
    )
    networking = Project.objects.create(
        committee=rt.committee, name="cf-networking", status=ProjectStatus.INCUBATING
    )
    voting = make_proposal(
        rt.committee,
        rt.other_member,
        state=State.VOTING,
        chair=rt.chair,
        kind=Kind.ATTIC,
        project=diego,
        title="Move diego-enabler to the attic",
        body=(
            "The **diego-enabler** CLI plugin switched apps to Diego during the migration "
            "from the DEA runtime. Every foundation now runs Diego only, and the v3 CLI "
            "does the same without a plugin.\n\n"
            "- archive the repository with a pointer to the v3 CLI\n"
            "- remove the plugin from the plugin repository\n"
        ),
        proposing_team="Diego team",
    )
    actions.do_link_meeting(
        proposal=voting,
        meeting=rt.meeting,
        actor=rt.chair,
        section="Lifecycle",
        excerpt="diego-enabler: the plugin is superseded by the v3 CLI; vote to move it.",
    )
    actions.do_cast_vote(proposal=voting, actor=rt.other_member, value=1, reason="Superseded.")
    actions.do_cast_vote(
        proposal=voting, actor=rt.third_member, value=0, reason="No opinion: never used it."
    )
    discussion = make_proposal(
        rt.committee,
        rt.chair,
        state=State.DISCUSSION,
        kind=Kind.PROMOTION,
        project=networking,
        title="Promote cf-networking to active",
        body="Two releases in production at three foundations; the team asks to graduate.",
    )
    actions.do_edit_proposal(
        proposal=discussion,
        actor=rt.chair,
        title="Promote cf-networking to active status",
        body=(
            "Two releases in production at five foundations; the team asks to graduate.\n\n"
            "- a security review is done\n"
        ),
        reason="Two more foundations run it.",
    )
    accepted = make_proposal(
        rt.committee,
        rt.member,
        state=State.ACCEPTED,
        chair=rt.chair,
        kind=Kind.ATTIC,
        project=rt.project,
        title="Move legacy-cli to the attic",
    )
    closed = make_proposal(
        rt.committee,
        rt.member,
        state=State.VOTING,
        chair=rt.chair,
        kind=Kind.PROMOTION,
        project=networking,
        title="Promote cf-networking to active, first attempt",
        body=(
            "Adoption so far:\n\n"
            "| Foundation | Release in production | Since | Incidents | Contact |\n"
            "|---|---|---|---|---|\n"
            "| foundation-one.example.org | cf-networking-release v1.2.0 | 2017-03-01 "
            "| none | networking-team@example.org |\n"
        ),
    )
    actions.do_cast_vote(proposal=closed, actor=rt.chair, value=1)
    actions.do_cast_vote(proposal=closed, actor=rt.member, value=1, reason="Ready.")
    actions.do_cast_vote(
        proposal=closed,
        actor=rt.other_member,
        value=-1,
        reason=(
            "Not before the policy-server has run in production at a second foundation: "
            "see https://example.org/runtime/cf-networking-release/issues/1234567890"
        ),
    )
    actions.do_recuse(proposal=closed, actor=rt.third_member, reason="I lead the team.")
    actions.do_close_vote(proposal=closed, actor=rt.chair)
    rt.proposals = {
        "voting": voting,
        "discussion": discussion,
        "accepted": accepted,
        "closed": closed,
    }
    return rt
