"""The proposal states and kinds, and what a reading of meeting notes can be, with
their labels."""

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


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    LOW = "low", "Low"


class ReadingStatus(models.TextChoices):
    UNREVIEWED = "unreviewed", "To review"
    CONFIRMED = "confirmed", "Confirmed"
    CORRECTED = "corrected", "Corrected"
    MERGED = "merged", "Merged into another proposal"
    DISMISSED = "dismissed", "Dismissed as misread"


# A reading a chair has vouched for: the steps it records may all be taken.
CONFIRMED_READINGS = {ReadingStatus.CONFIRMED, ReadingStatus.CORRECTED}
