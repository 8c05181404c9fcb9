"""The reading rules that find lifecycle items, by the name each item carries in
`LifecycleMention.rule`, and how sure each one can be.

A rule's name says which layout or wording it reads, and finds the code that reads it:
a method of `lifecycle.LifecycleReader` named after it (`_read_topic_lists` for
"listed-after-change-topic", `_names_after_colon` and `several_names` for
"several-projects-one-line", ...), or the rows of `kinds.SHAPE_CUES` and of the subject
patterns in `subjects` that name it (a new team, a split, a merge, ...). Whether an
item is read with "high" or "low" confidence depends on the rule (some read only where a
project is listed) and on the wording and place of the statement (`confidence`).
"""

from __future__ import annotations

CHANGE_WORDS = "change-words"
SEVERAL_PROJECTS_ONE_LINE = "several-projects-one-line"
PROJECTS_AFTER_CHANGE_LABEL = "projects-after-change-label"
LISTED_UNDER_CHANGE_LABEL = "listed-under-change-label"
LISTED_UNDER_CHANGE_HEADING = "listed-under-change-heading"
LISTED_AFTER_CHANGE_TOPIC = "listed-after-change-topic"
LISTED_UNDER_STATEMENT = "listed-under-statement"
LEAD_NOMINATION = "lead-nomination"
LEAD_VACANCY = "lead-vacancy"
WELCOME = "welcome"
UNDER_REVIEW = "under-review-proposal"
TABLE_ROW = "table-row"
NEW_TEAM_OR_PROJECT = "new-team-or-project"
JOINS_COMMITTEE = "joins-committee"
TEAM_SPLIT = "team-split"
PROJECTS_MERGED = "projects-merged"
MERGED_INTO_TEAM = "merged-into-team"
PROCESS_PROPOSAL = "process-proposal"
END_OF_LIFE = "end-of-life"
HOSTED_ELSEWHERE = "hosted-elsewhere"
PROPOSED_IN_TEAM_HEADING = "proposed-in-team-heading"
PROPOSAL_IN_PREPARATION = "proposal-in-preparation"
PROPOSAL_NUMBER = "proposal-number"

RULES = {
    CHANGE_WORDS: "a statement whose words name a kind of change and the project",
    SEVERAL_PROJECTS_ONE_LINE: "one line naming several projects: one item per project",
    PROJECTS_AFTER_CHANGE_LABEL: 'projects named after a label on the same line ("Attic: a, b")',
    LISTED_UNDER_CHANGE_LABEL: 'projects listed under a label line ("To be moved to Attic:")',
    LISTED_UNDER_CHANGE_HEADING: 'projects listed under a heading ("_To Be Retired_")',
    LISTED_AFTER_CHANGE_TOPIC: "projects listed after a topic that states the change",
    LISTED_UNDER_STATEMENT: 'projects listed under a statement about "these projects"',
    LEAD_NOMINATION: "a person nominated, proposed or confirmed as a project's lead or PM",
    LEAD_VACANCY: "a project lead position open, vacant or open for nominations",
    WELCOME: 'a project welcomed ("Welcome X!")',
    UNDER_REVIEW: "a proposal, vote or acceptance under a status section of proposals",
    TABLE_ROW: "a table row whose first cell is the project and another the change",
    NEW_TEAM_OR_PROJECT: "a new team, project or repository created or proposed",
    JOINS_COMMITTEE: "a project joining, onboarded to or accepted into a PMC",
    TEAM_SPLIT: "a team or project split in two or more",
    PROJECTS_MERGED: "projects consolidated or merged into a new one",
    MERGED_INTO_TEAM: "a project taken over by, or merged into, another team",
    PROCESS_PROPOSAL: "a proposal of a lifecycle process (incubation, graduation, attic)",
    END_OF_LIFE: "a project's end of life (EOL) proposed or discussed",
    HOSTED_ELSEWHERE: "a project's repository now hosted in another GitHub organisation",
    PROPOSED_IN_TEAM_HEADING: 'a team reporting as proposed ("Oratos (proposed incubating)")',
    PROPOSAL_IN_PREPARATION: 'a team\'s own proposal in the works ("Working on proposal")',
    PROPOSAL_NUMBER: 'a line carrying a proposal\'s number ("[#12]"), as the agenda lists it',
}

# Rules whose layout or words are themselves explicit (a nomination, a label that
# states the change).
EXPLICIT_RULES = frozenset(
    {
        SEVERAL_PROJECTS_ONE_LINE,
        PROJECTS_AFTER_CHANGE_LABEL,
        LISTED_UNDER_CHANGE_LABEL,
        LEAD_NOMINATION,
        LEAD_VACANCY,
        UNDER_REVIEW,
        PROCESS_PROPOSAL,
        PROPOSAL_NUMBER,
    }
)
# Rules that read an item only from where a project is listed: never more than "low".
LISTING_RULES = frozenset({LISTED_AFTER_CHANGE_TOPIC, PROPOSED_IN_TEAM_HEADING})


def confidence(rule: str, *, labelled: bool, explicit: bool, business: bool) -> str:
    """How sure a reading is: "high" for an explicit "Proposal:"/"Decision:" line
    anywhere, or explicit proposal, vote, nomination or decision wording in a business
    section; "low" for a team report's passing mention, an item read only from where a
    project is listed, or wording that suggests rather than says."""
    if rule in LISTING_RULES:
        return "low"
    if labelled or (explicit and business):
        return "high"
    return "low"
