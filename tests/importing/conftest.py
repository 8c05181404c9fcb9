"""Print the parser's precision and recall on the sample notes after the test run."""

from tests.importing.accuracy import report


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    terminalreporter.section("notes import accuracy")
    terminalreporter.write_line(report())
