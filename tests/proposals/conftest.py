"""Print which attacks on the audit log verification detected (measured by
tests/proposals/test_audit_attacks.py) at the end of the test run."""

import pytest
from django.db import connection

_ATTACKS = pytest.StashKey[list]()


@pytest.fixture
def attack_table(request) -> list:
    """Where the attack tests leave (attack, what detected it) for the summary."""
    return request.config.stash.setdefault(_ATTACKS, [])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    rows = config.stash.get(_ATTACKS, [])
    if not rows:
        return
    terminalreporter.section("audit log attacks")
    terminalreporter.write_line(
        f"{len(rows)} attacks on the audit log, on {connection.vendor} "
        "(tests/proposals/test_audit_attacks.py; verify_audit with its default arguments):"
    )
    width = max(len(attack) for attack, _, _ in rows)
    terminalreporter.write_line(f"{'attack':<{width}}  detected  by")
    for attack, detected, by in sorted(rows):
        terminalreporter.write_line(f"{attack:<{width}}  {'yes' if detected else 'NO':<8}  {by}")
