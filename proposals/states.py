"""The proposal states, their labels, and the transition map shown to people."""

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    DISCUSSION = "discussion", "Discussion"
    VOTING = "voting", "Voting"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DEFERRED = "deferred", "Deferred"


class Kind(models.TextChoices):
    INCUBATION = "incubation", "Incubation"
    PROMOTION = "promotion", "Promotion to active"
    ATTIC = "attic", "Move to the attic"
    OWNERSHIP = "ownership", "Ownership / lead change"
    RENAME = "rename", "Rename"
    OTHER = "other", "Other"


FINAL_STATES = {State.REJECTED, State.COMPLETED, State.WITHDRAWN}
EDITABLE_STATES = {State.DRAFT, State.DISCUSSION}

# Each transition as offered to people (buttons, admin actions), in the order a chair
# would read them.
TRANSITION_LABELS = {
    "submit": "Submit for discussion",
    "start_vote": "Start the vote",
    "close_vote": "Close the vote",
    "return_to_discussion": "Return to discussion",
    "decide": "Record a meeting decision",
    "complete": "Mark completed",
    "defer": "Defer",
    "resume": "Resume discussion",
    "withdraw": "Withdraw",
}
