"""Why an action was refused. Each message says what happened and what to do instead."""


class LifecycleError(Exception):
    """An action on a proposal, vote or membership was refused; nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPermitted(LifecycleError):
    """The actor lacks the role the action needs."""


class InvalidTransition(LifecycleError):
    """The proposal's state does not allow the transition."""


class ConditionNotMet(LifecycleError):
    """The state allows the transition, but a precondition is not met yet."""


class StaleState(LifecycleError):
    """The proposal moved since the page was loaded."""


class VoteRefused(LifecycleError):
    """A vote or recusal cannot be recorded (voting closed, a -1 without a reason)."""
