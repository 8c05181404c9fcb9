"""Each kind of proposal, described once: what it needs, what carrying it out takes,
what completing it does to its project, and how imported notes name and file it.

Adding a kind means adding it to `Kind` (`proposals.states`) and an entry here.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from pmc.models import ProjectStatus
from proposals.states import Kind

if TYPE_CHECKING:
    from pmc.notes import LifecycleMention


class Effect(enum.Enum):
    """What completing a proposal does to its project."""

    NONE = "none"
    STATUS = "status"  # the project takes the kind's `project_status`
    RENAME = "rename"  # the project takes the proposal's new name, keeping the old as former
    LEAD = "lead"  # the project takes the proposal's new lead


@dataclass(frozen=True)
class Detail:
    """A field a kind needs besides the project, and how the import's report names it."""

    field: str
    wording: str


@dataclass(frozen=True, kw_only=True)
class KindRules:
    """What one kind of proposal needs, takes and does."""

    summary: str  # what such a proposal is for, as the new-proposal form offers the kind
    needs_project: bool
    detail: Detail | None = None
    may_name: bool = False  # may name the project it brings into being (`new_name`)
    steps: tuple[str, ...]  # what people do: each an item for its owner to tick
    # What completing the proposal does by itself (`effect`), listed on the checklist so
    # that the steps read whole: done by the system on completion, asked of nobody.
    on_completion: tuple[str, ...] = ()
    effect: Effect
    project_status: str | None = None  # the status `Effect.STATUS` gives the project
    creates_project: bool = False  # completed without a project, it creates one
    new_project_status: str  # a project first named in imported notes by such an item
    title: Callable[[str, LifecycleMention], str]  # the import's title, from project and item

    @property
    def needs(self) -> tuple[str, ...]:
        """The fields a proposal of this kind needs before submit, vote and complete."""
        project = ("project",) if self.needs_project else ()
        return project + ((self.detail.field,) if self.detail else ())

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields about the project a proposal of this kind has, needed or not:
        the project (every kind may name one), and its detail or the new project's name."""
        fields = ["project"]
        if self.detail:
            fields.append(self.detail.field)
        elif self.may_name:
            fields.append("new_name")
        return tuple(fields)


KINDS: dict[str, KindRules] = {
    Kind.ATTIC: KindRules(
        summary="Retire a project: archive its repositories and list it in the attic.",
        needs_project=True,
        steps=(
            "Archive the repositories (read-only, with a note pointing to the attic)",
            "Announce the move on the mailing list",
        ),
        on_completion=("Move the project to the attic in the project list",),
        effect=Effect.STATUS,
        project_status=ProjectStatus.ATTIC,
        new_project_status=ProjectStatus.ACTIVE,
        title=lambda name, item: f"Move {name} to the attic",
    ),
    Kind.INCUBATION: KindRules(
        summary="Start a new project, or bring one in, as incubating.",
        needs_project=False,
        may_name=True,
        steps=(
            "Create or transfer the repositories into the incubator organisation",
            "Announce the incubation on the mailing list",
        ),
        on_completion=("Add the project to the project list as incubating",),
        effect=Effect.STATUS,
        project_status=ProjectStatus.INCUBATING,
        creates_project=True,
        new_project_status=ProjectStatus.PROPOSED,
        title=lambda name, item: f"Incubate {name}",
    ),
    Kind.PROMOTION: KindRules(
        summary="Promote an incubating project to active.",
        needs_project=True,
        steps=(
            "Move the repositories to the main organisation",
            "Announce the promotion on the mailing list",
        ),
        on_completion=("List the project as active in the project list",),
        effect=Effect.STATUS,
        project_status=ProjectStatus.ACTIVE,
        new_project_status=ProjectStatus.INCUBATING,
        title=lambda name, item: f"Promote {name} to active",
    ),
    Kind.OWNERSHIP: KindRules(
        summary="Hand a project to a new lead.",
        needs_project=True,
        detail=Detail("new_lead", "the new lead"),
        steps=(
            "Hand repository admin rights to the new lead",
            "Announce the new lead on the mailing list",
        ),
        on_completion=("Update the lead in the project list",),
        effect=Effect.LEAD,
        new_project_status=ProjectStatus.ACTIVE,
        title=lambda name, item: (
            f"Hand {name} to {item.new_lead}" if item.new_lead else f"Find a lead for {name}"
        ),
    ),
    Kind.RENAME: KindRules(
        summary="Give a project a new name (the old one is kept as a former name).",
        needs_project=True,
        detail=Detail("new_name", "the new name"),
        steps=(
            "Rename the repositories (keeping redirects from the old names)",
            "Update the documentation",
            "Announce the new name on the mailing list",
        ),
        on_completion=("Rename the project in the project list, keeping the old name",),
        effect=Effect.RENAME,
        new_project_status=ProjectStatus.ACTIVE,
        title=lambda name, item: (
            f"Rename {name}" + (f" to {item.new_name}" if item.new_name else "")
        ),
    ),
    Kind.OTHER: KindRules(
        summary="Any other change to a project's lifecycle.",
        needs_project=False,
        steps=(
            "Carry out the decision",
            "Announce the outcome on the mailing list",
        ),
        effect=Effect.NONE,
        new_project_status=ProjectStatus.ACTIVE,
        title=lambda name, item: f"{name}: {item.summary or 'lifecycle change'}",
    ),
}
if set(KINDS) != set(Kind):
    raise ImproperlyConfigured(f"proposals.kinds.KINDS must describe every Kind: {set(Kind)}")

# Each kind's checklist, by kind, as read from `KINDS`: people's steps, then the system's.
STEPS: dict[str, list[str]] = {
    kind: [*rules.steps, *rules.on_completion] for kind, rules in KINDS.items()
}


@dataclass(frozen=True)
class Step:
    """One item of a proposal's checklist."""

    text: str
    by_system: bool = False  # done by the system when the proposal is completed


def checklist_for(kind: str, condition: str = "") -> list[Step]:
    """The checklist for a proposal: a condition first, then what people do, then what
    completing the proposal does by itself."""
    rules = KINDS[kind]
    steps = [Step(text) for text in rules.steps]
    if condition:
        steps.insert(0, Step(f"Condition met: {condition}"))
    return steps + [Step(text, by_system=True) for text in rules.on_completion]


def steps_for(kind: str, condition: str = "") -> list[str]:
    """The texts of the checklist for a proposal, in order (see `checklist_for`)."""
    return [step.text for step in checklist_for(kind, condition)]
