"""Schemathesis against a live server with the demo's data: for every operation in the
schema at /api/schema/, and for a member with a write token, the same member with a read
token, an outsider and an anonymous caller, no answer is a 5xx, every answer has a
documented status and content type and matches its schema; the read token and the
anonymous caller change nothing, and no one but the write token's member receives a
hidden comment or another person's e-mail address. The counts are printed at the end of
the run ("API schema checks")."""

from __future__ import annotations

import io
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import LiveServerTestCase, override_settings

from pmc.models import Committee, Meeting, Membership, Project, Role
from proposals import actions
from proposals.api.authentication import token_hash
from proposals.models import ApiToken, Comment, Event, Proposal
from proposals.states import State
from tests.api import schemathesis_run
from tests.api.schemathesis_run import Caller
from tests.base import AppendOnlyTransactionTestCase
from tests.factories import make_user

SCHEMA = "/api/schema/?format=json"
# Cases per operation and caller with data that fits the schema (half as many with data
# that does not): most for the member who may write, enough for the leak checks of the
# others; the run stays within a few minutes.
WRITER_EXAMPLES = 10
EXAMPLES = 5
_REPORTS = pytest.StashKey[dict]()
# The model of the rows under each list of the API, whose ids the cases use.
ROWS = {
    "committees": Committee,
    "events": Event,
    "meetings": Meeting,
    "projects": Project,
    "proposals": Proposal,
}


class Summary:
    """Prints the runs' counts in pytest's terminal summary."""

    def __init__(self, reports: dict) -> None:
        self.reports = reports

    def pytest_terminal_summary(self, terminalreporter) -> None:
        terminalreporter.section("API schema checks (schemathesis)")
        for name, (database, report) in self.reports.items():
            terminalreporter.write_line(f"{name}, on {database}:")
            for line in report.summary():
                terminalreporter.write_line(f"  {line}")


class SchemathesisTestCase(AppendOnlyTransactionTestCase, LiveServerTestCase):
    @pytest.fixture(autouse=True)
    def _summary(self, request) -> None:
        stash = request.config.stash
        if _REPORTS not in stash:
            stash[_REPORTS] = {}
            request.config.pluginmanager.register(Summary(stash[_REPORTS]), "api-schema-checks")
        self.reports = stash[_REPORTS]

    def setUp(self) -> None:
        call_command("seed_demo", allow_production=True, stdout=io.StringIO())
        discussed = Proposal.objects.filter(state=State.DISCUSSION).first()
        seats = Membership.objects.filter(committee=discussed.committee).select_related("user")
        chair = seats.filter(role=Role.CHAIR).first().user
        self.member = seats.filter(role=Role.MEMBER).first().user
        self.outsider = make_user("api-outsider")
        self.discussed = discussed
        self.hidden = self.hide_comments(discussed, chair)
        self.tokens = {}
        self.callers = [
            Caller("anonymous", None, may_change=False, restricted=True, examples=EXAMPLES),
            self.caller("member, read token", self.member, ApiToken.Scope.READ, False),
            self.caller("outsider, write token", self.outsider, ApiToken.Scope.WRITE, True),
            self.caller("member, write token", self.member, ApiToken.Scope.WRITE, True),
        ]
        self.callers[-1].restricted = False
        self.callers[-1].examples = WRITER_EXAMPLES

    def caller(self, name: str, user, scope: str, may_change: bool) -> Caller:
        token = secrets.token_urlsafe(32)
        row = ApiToken.objects.create(
            user=user, name=name, scope=scope, prefix=token[:8], key_hash=token_hash(token)
        )
        self.tokens[row.pk] = token
        return Caller(
            name,
            token,
            may_change=may_change,
            restricted=True,
            own_email=user.email,
            examples=EXAMPLES,
        )

    def hide_comments(self, proposal, chair) -> list[str]:
        """A hidden comment and a withdrawn one, with texts no one may read through the API."""
        texts = [f"hidden-{secrets.token_hex(8)}", f"withdrawn-{secrets.token_hex(8)}"]
        hidden = actions.do_post_comment(proposal=proposal, actor=self.member, body=texts[0])
        actions.do_hide_comment(comment=hidden, actor=chair, reason="Off topic.")
        withdrawn = actions.do_post_comment(proposal=proposal, actor=self.member, body=texts[1])
        actions.do_withdraw_comment(comment=withdrawn, actor=self.member)
        assert Comment.objects.filter(hidden_at__isnull=False).exists()
        return texts

    def ids(self, path: str) -> list[int]:
        """The ids of the rows an operation's `{id}` names, the proposal with the hidden
        comments first (a test's own views name no rows)."""
        model = ROWS.get(path.removeprefix("/api/").partition("/")[0])
        if model is None:
            return []
        found = list(model.objects.order_by("pk").values_list("pk", flat=True))
        if model is Proposal:
            found.remove(self.discussed.pk)
            found.insert(0, self.discussed.pk)
        return found

    def keep_tokens(self) -> None:
        """A write token may revoke itself (a DELETE on its own id): give it back."""
        ApiToken.objects.filter(pk__in=self.tokens).update(revoked_at=None)

    def run_checks(self, callers: list[Caller]) -> schemathesis_run.Report:
        emails = list(get_user_model().objects.exclude(email="").values_list("email", flat=True))
        return schemathesis_run.run(
            self.live_server_url,
            SCHEMA,
            callers,
            secrets=lambda: self.hidden,
            emails=lambda: emails,
            ids=self.ids,
            before_operation=self.keep_tokens,
        )


class SchemaChecksTest(SchemathesisTestCase):
    def test_the_api_answers_as_its_schema_says_and_leaks_nothing(self):
        report = self.run_checks(self.callers)
        self.reports["every operation of /api/schema/"] = (self.vendor(), report)
        self.assertEqual(report.failures, [], "\n".join(report.summary()))

    def vendor(self) -> str:
        return connection.vendor


@override_settings(ROOT_URLCONF="tests.api.contract_urls")
class HarnessTest(SchemathesisTestCase):
    """The checks find what they look for, on test views that misbehave on purpose."""

    def test_it_reports_server_errors_and_leaks(self):
        report = self.run_checks(self.callers[:2])
        failures = "\n".join(report.failures)
        self.assertGreater(report.operations, 5)
        self.assertGreater(report.cases, report.operations)
        self.assertIn("anonymous GET /api/test/crash/: Server error (HTTP 500)", failures)
        self.assertIn("anonymous GET /api/test/careless/: the e-mail address", failures)
        self.assertIn("anonymous POST /api/test/careless/: a write was answered 201", failures)
        self.assertIn("anonymous POST /api/test/careless/: changed the database", failures)
        self.assertIn("member, read token POST /api/test/careless/: changed the database", failures)
        self.assertNotIn("GET /api/test/private/", failures)  # a view that behaves
        self.assertNotIn("member, read token POST /api/test/tokens/", failures)  # refused
