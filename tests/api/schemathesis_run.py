"""Schemathesis's property-based checks of a live server against its own schema, for
several callers, plus our permission-leak checks: what a caller who may not change
anything sends changes nothing, and no restricted caller sees a hidden comment or another
person's e-mail address.

Each operation gets at most the caller's `examples` cases with data that fits the schema
and half as many with data that does not, derandomised so that a run repeats; a failing
case is recorded, not shrunk, so one run reports every failure it meets. An `{id}` in
the path of a case that fits the schema is mostly the id of a row that exists (`ids`), so
that the cases reach the rows (the hidden comments among them) rather than a 404.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
from collections.abc import Callable

import hypothesis
import requests
import schemathesis
from django.apps import apps
from django.core.cache import caches
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from proposals.api import throttles

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# One case in this many that fits the schema keeps the id it was generated with (most
# likely no row's): the others take an existing row's.
UNKNOWN_ID_EVERY = 4
# The apps whose rows a caller who may not change anything must leave as they are.
GUARDED_APPS = ("pmc", "proposals", "auth")


@dataclasses.dataclass
class Caller:
    """Who sends the requests: `token` None is anonymous."""

    name: str
    token: str | None
    may_change: bool
    restricted: bool  # must not see hidden comments nor others' e-mail addresses
    own_email: str = ""
    examples: int = 3  # cases per operation with data that fits the schema; half as many not


@dataclasses.dataclass
class Report:
    operations: int = 0
    cases: int = 0
    statuses: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    failures: list[str] = dataclasses.field(default_factory=list)

    def fail(self, where: str, what: str) -> None:
        self.failures.append(f"{where}: {what}")

    def summary(self) -> list[str]:
        lines = [
            f"operations: {self.operations}, test cases: {self.cases}, "
            f"failures: {len(self.failures)}",
            "statuses: "
            + (", ".join(f"{code} x{n}" for code, n in sorted(self.statuses.items())) or "none"),
        ]
        distinct = sorted(set(self.failures))
        lines += [f"  {failure}" for failure in distinct[:40]]
        if len(distinct) > 40:
            lines.append(f"  ... and {len(distinct) - 40} more")
        return lines


def state() -> dict[str, int]:
    """How many rows each guarded model has: what a change would alter (each change
    writes an audit event, so an edit in place adds a row too)."""
    return {
        model._meta.label: model._default_manager.count()
        for name in GUARDED_APPS
        for model in apps.get_app_config(name).get_models()
    }


def run(
    base_url: str,
    schema_path: str,
    callers: list[Caller],
    *,
    secrets: Callable[[], list[str]],
    emails: Callable[[], list[str]],
    ids: Callable[[str], list[int]] = lambda path: [],
    before_operation: Callable[[], None] = lambda: None,
) -> Report:
    """Run every operation of the schema at `schema_path` for each caller. `secrets` and
    `emails` give the texts that restricted callers must never receive; `ids(path)` the
    ids of rows an operation's `{id}` may name."""
    report = Report()
    schema = schemathesis.openapi.from_url(f"{base_url}{schema_path}")
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            operations.append(result.ok())
        else:  # an operation the schema cannot describe
            report.fail("schema", str(result.err()))
    report.operations = len(operations)
    # Closed at the end: the live server's thread for a kept-alive connection holds a
    # database connection until then.
    with requests.Session() as session:
        _run_all(
            Checks(base_url, session, report, ids),
            operations,
            callers,
            secrets,
            emails,
            before_operation,
        )
    return report


def _run_all(checks, operations, callers, secrets, emails, before_operation) -> None:
    report = checks.report
    for caller in callers:
        for operation in operations:
            before_operation()
            caches[throttles.CACHE].clear()  # rate limits: each batch starts afresh
            before = state()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                examples = caller.examples if mode.is_positive else max(1, caller.examples // 2)
                checks.cases(operation, mode, examples, caller, secrets(), emails())
            after = state()
            if not caller.may_change and after != before:
                changed = {k: (v, after[k]) for k, v in before.items() if after[k] != v}
                report.fail(f"{caller.name} {operation.label}", f"changed the database: {changed}")


@dataclasses.dataclass
class Checks:
    base_url: str
    session: requests.Session
    report: Report
    ids: Callable[[str], list[int]]

    def cases(self, operation, mode, examples: int, caller: Caller, secrets, emails) -> None:
        """Up to `examples` cases of the operation in this mode, each sent and checked."""
        others = [email for email in emails if email and email != caller.own_email]
        known = self.ids(operation.path) if mode.is_positive else []

        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(
            case=operation.as_strategy(generation_mode=mode),
            pick=hypothesis.strategies.integers(min_value=0, max_value=10**6),
        )
        def one(case, pick: int) -> None:
            # The simplest pick, tried first, names the first row (the one that matters).
            keep = pick % UNKNOWN_ID_EVERY == UNKNOWN_ID_EVERY - 1
            if known and "id" in (case.path_parameters or {}) and not keep:
                case.path_parameters["id"] = known[pick // UNKNOWN_ID_EVERY % len(known)]
            self.one(case, caller, secrets, others)

        # No case of a mode may exist (nothing to make invalid in a bare GET).
        with contextlib.suppress(hypothesis.errors.Unsatisfiable):
            one()

    def one(self, case, caller: Caller, secrets: list[str], others: list[str]) -> None:
        where = f"{caller.name} {case.operation.label}"
        report = self.report
        report.cases += 1
        case.headers = {
            name: value
            for name, value in (case.headers or {}).items()
            if name.lower() != "authorization"
        }
        sent = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
        try:
            response = case.call(
                base_url=self.base_url, session=self.session, headers=sent, timeout=60
            )
        except requests.RequestException as error:
            report.fail(where, f"no answer: {error}")
            return
        report.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=sent)
        except BaseExceptionGroup as group:
            for failure in group.exceptions:
                report.fail(where, _title(failure, response.status_code))
        except AssertionError as failure:
            report.fail(where, _title(failure, response.status_code))
        writes = case.method.upper() not in SAFE_METHODS
        if writes and not caller.may_change and response.status_code < 400:
            report.fail(where, f"a write was answered {response.status_code}")
        if caller.restricted:
            text = response.content.decode("utf-8", "replace")
            if any(secret in text for secret in secrets):
                report.fail(where, "a hidden comment's text was in the answer")
            for email in others:
                if email in text:
                    report.fail(where, f"the e-mail address {email} was in the answer")


def _title(failure: BaseException, status: int) -> str:
    title = getattr(failure, "title", None) or str(failure).splitlines()[0]
    return f"{title} (HTTP {status})"
