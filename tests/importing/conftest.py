"""Print the notes import's accuracy figures (tests/importing/test_accuracy.py measures
them) at the end of the test run, with the database they were measured on."""

import pytest

from tests.importing.accuracy import figures_table

_MEASURED = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def accuracy_record(request) -> dict:
    """Where the accuracy test leaves its figures for the summary."""
    return request.config.stash.setdefault(_MEASURED, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    measured = config.stash.get(_MEASURED, {})
    if not measured.get("rows"):
        return  # the accuracy test did not run
    terminalreporter.section("notes import accuracy")
    terminalreporter.write_line(
        f"The {len(measured['rows'])} figures on tests/fixtures/notes, imported into "
        f"{measured['database']} (tests/importing/test_accuracy.py holds each to its floor):"
    )
    for line in figures_table(measured["rows"], measured["floors"]):
        terminalreporter.write_line(line)
