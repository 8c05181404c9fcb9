"""The proposal's transitions as their decorators on `Proposal` describe them, in the
order they are offered to people (buttons, admin actions): the order of the methods."""

from __future__ import annotations

from dataclasses import dataclass

from proposals.models import NotificationKind, Proposal
from proposals.states import State


@dataclass(frozen=True)
class Transition:
    """What is said about one transition: its name, label, who may run it, the states
    it starts from and may end in, the notification it sends and the webhook delivery
    it makes."""

    name: str
    label: str  # as offered to people: "Start the vote"
    who: str  # as said to someone refused: "Only <who> may ..."
    sources: tuple[State, ...]
    targets: tuple[State, ...] = ()  # every state it may end in
    notifies: NotificationKind | None = None
    webhook: str | None = None  # the kind of webhook delivery it makes: "vote.opened"

    @property
    def sources_text(self) -> str:
        """The states it starts from, in words: "draft, discussion or voting"."""
        names = [State(source).value for source in self.sources]
        return " or ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


def _read() -> dict[str, Transition]:
    """Every transition of `Proposal.state`, by name, in the order of the methods."""
    sources: dict[str, list[State]] = {}
    targets: dict[str, list[State]] = {}
    custom: dict[str, dict] = {}
    for transition in Proposal._meta.get_field("state").get_all_transitions(Proposal):
        sources.setdefault(transition.name, []).append(transition.source)
        # A target the method chooses (RETURN_VALUE) lists the states it may return.
        ends = getattr(transition.target, "allowed_states", None) or [transition.target]
        targets[transition.name] = [State(end) for end in ends]
        custom[transition.name] = transition.custom
    order = list(vars(Proposal))
    return {
        name: Transition(
            name=name,
            label=custom[name]["label"],
            who=custom[name]["who"],
            sources=tuple(sources[name]),
            targets=tuple(targets[name]),
            notifies=custom[name].get("notifies"),
            webhook=custom[name].get("webhook"),
        )
        for name in sorted(sources, key=order.index)
    }


TRANSITIONS = _read()
LABELS = {name: transition.label for name, transition in TRANSITIONS.items()}
