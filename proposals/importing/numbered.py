"""Items the notes name by number (`pmc.notes.numbers`): each is the proposal of that
number, of the meeting's committee, linked with certainty; its reading is confirmed by
the number itself, so the decision written on the line moves the proposal as a decision
recorded in the notes does, without waiting for a chair's review."""

from __future__ import annotations

import dataclasses

from django.utils import timezone

from pmc.models import Committee
from pmc.notes import LifecycleMention
from proposals.importing.results import FileResult, ProposalChange
from proposals.models import Proposal, Reading
from proposals.states import ReadingStatus

CERTAIN = "Named by its number in the notes."


def resolved(
    mentions: tuple[LifecycleMention, ...], committee: Committee, result: FileResult
) -> list[LifecycleMention]:
    """The items, each numbered one given its proposal's kind and project; a number that
    is no proposal of `committee` is reported as failed (and not guessed at)."""
    numbers = {m.number for m in mentions if m.number}
    proposals = Proposal.objects.select_related("project").in_bulk(numbers) if numbers else {}
    kept = []
    for mention in mentions:
        if not mention.number:
            kept.append(mention)
            continue
        proposal = proposals.get(mention.number)
        if proposal is None or proposal.committee_id != committee.pk:
            result.proposals.append(
                ProposalChange(
                    mention.kind,
                    mention.subject,
                    "failed",
                    note=f"line {mention.line}: [#{mention.number}] is no proposal of "
                    f"{committee}; correct the number in the notes and upload them again",
                )
            )
            continue
        kept.append(
            dataclasses.replace(
                mention,
                kind=proposal.kind,
                subject=proposal.title[:300],
                project=proposal.project.name if proposal.project else "",
            )
        )
    return kept


def certain(reading: Reading) -> None:
    """A numbered item's reading needs no review: the number says which proposal. A
    chair's own review of it (dismissed, corrected) stands."""
    if reading.status == ReadingStatus.UNREVIEWED:
        reading.status = ReadingStatus.CONFIRMED
        reading.reviewed_at = timezone.now()
        reading.review_reason = CERTAIN
