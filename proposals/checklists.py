"""What carrying out an accepted proposal takes, per kind."""

from proposals.states import Kind

STEPS: dict[str, list[str]] = {
    Kind.ATTIC: [
        "Archive the repositories (read-only, with a note pointing to the attic)",
        "Move the project to the attic in the project list",
        "Announce the move on the mailing list",
    ],
    Kind.INCUBATION: [
        "Create or transfer the repositories into the incubator organisation",
        "Add the project to the project list as incubating",
        "Announce the incubation on the mailing list",
    ],
    Kind.PROMOTION: [
        "Move the repositories to the main organisation",
        "List the project as active in the project list",
        "Announce the promotion on the mailing list",
    ],
    Kind.OWNERSHIP: [
        "Hand repository admin rights to the new lead",
        "Update the lead in the project list",
        "Announce the new lead on the mailing list",
    ],
    Kind.RENAME: [
        "Rename the repositories (keeping redirects from the old names)",
        "Update the project list and documentation",
        "Announce the new name on the mailing list",
    ],
    Kind.OTHER: [
        "Carry out the decision",
        "Announce the outcome on the mailing list",
    ],
}


def steps_for(kind: str, condition: str = "") -> list[str]:
    """The checklist for a proposal; a condition becomes the first item to tick."""
    steps = list(STEPS[kind])
    if condition:
        steps.insert(0, f"Condition met: {condition}")
    return steps
