"""The proposal states and kinds, with their labels."""

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
