"""Lifecycle items: finding them in a document's statements, their kinds, subjects and
decisions, merged into one item per proposal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pmc.notes import rules
from pmc.notes.decisions import (
    ANY_DECISION,
    CONDITION,
    DECIDED,
    DECISION_LABEL,
    DONE,
    NOT_A_CONDITION,
    OUTCOME_RANK,
    PROPOSAL_WORDS,
    STILL_OPEN,
    decided,
)
from pmc.notes.kinds import (
    ANY_CUE,
    ANY_SHAPE_CUE,
    ATTIC,
    INCUBATION,
    LABEL,
    LABEL_KINDS,
    LEAVES_INCUBATION,
    NOT_LIFECYCLE,
    OTHER,
    OWNERSHIP,
    PROMOTION,
    PROPOSAL_TALK,
    RENAME,
    SHAPE_CUES,
    STAND_IN,
    STRONG_CUES,
    WEAK_CUES,
    is_meeting_change,
    renames_a_feature,
)
from pmc.notes.links import GITHUB_REPO, Ref, parse_inline
from pmc.notes.model import LifecycleMention, normalized_name
from pmc.notes.people import PROPOSED_BY, PROPOSING_PERSON, PROPOSING_TEAM, new_lead_in
from pmc.notes.structure import Document, Statement, plain_heading, read_statements
from pmc.notes.subjects import (
    GENERIC_NOUN,
    GENERIC_PLURAL,
    Subject,
    clean_subject,
    is_generic_plural,
    is_pronoun,
    new_name_in,
    several_names,
    shape_phrases,
    subject_of,
    subject_phrase,
    valid_subject,
)
from pmc.notes.team_reports import MEETING_SECTION, REPORT_SECTION, TeamReader, team_and_lead

_I = re.IGNORECASE

_PROPOSAL_LABEL = re.compile(r"^\W*(?:new\s+)?proposals?\s*[:\-–—]\s*", _I)
_COMMITTEE_HINT = re.compile(r"\b(?:in|into|to|of)\s+the\s+(?P<name>[A-Z][\w-]*)\s+PMC\b")
_MAX_EXCERPT = 1200


_SUBJECT_LABEL = re.compile(r"^\W*(?P<label>[^:]{1,60}?)\s*:\s+\S")
# A name with its short form, or a repository's name, before a comma ("bosh boot loader
# (bbl), plan to move it ...").
_NAME_THEN_COMMA = re.compile(
    r"^\W*(?P<label>[^:,]{1,40}?\([^)]{1,20}\)|[^:,\s]*[-_.][^:,\s]*)\s*,\s"
)
# One word that is a name rather than a speaker: an acronym ("CFCR"), or CamelCase.
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{2,}|[A-Z][a-z]+[A-Z]\w*")
# What a pronoun stands for, said before it in the same statement ("their CIFS/SMB volume
# release for Azure and is ready to donate that").
_ANTECEDENT = re.compile(
    r"\b(?:their|its|his|her|our)\s+(?P<s>(?:[\w/.-]+\s+){0,3}?(?:release|plugin|broker"
    r"|library|tool|project|repository|repo|client|sdk|cli|service|buildpack))\b",
    _I,
)
# Labels that say what kind of line it is, not what it is about.
_NOT_A_SUBJECT_LABEL = re.compile(
    r"^(?:proposals?|decisions?|notes?|updates?|fyi|votes?|voting|status|agenda|announcements?"
    r"|discussion|action\s+items?|todo|questions?|lifecycle|pmc|next\s+steps?|outcome|result"
    r"|resolution|conclusion|summary|background|context|motion|request|ask|reminder|update)\b",
    _I,
)


def _labelled_subject(plain: str) -> Subject | None:
    """The project a line is labelled with ("cf-mgmt: proposal to promote to active")."""
    match = _SUBJECT_LABEL.match(plain) or _NAME_THEN_COMMA.match(plain)
    if match is None or ANY_CUE.search(match["label"].lower()):
        return None  # a topic ("Incubating HP projects: next steps"), not a name
    name = clean_subject(match["label"])
    if _NOT_A_SUBJECT_LABEL.match(name) or GENERIC_PLURAL.search(name):
        return None
    if not re.search(r"[-_./\d]|\s", name) and not _ACRONYM.fullmatch(name):
        return None  # one plain word is as likely a speaker ("Chip: let's incubate it")
    return Subject(name) if valid_subject(name) and len(name.split()) <= 4 else None


_INLINE_LIST = re.compile(r"^\W*(?P<label>[^:]{1,40}?)\s*:\s*(?P<names>[^:]+?)\W*$")
# A kind's bare word before a list on the same line ("Attic: a, b"). Not "Active": a list
# of the active projects is their status, not a proposal.
_BARE_LABEL = re.compile(r"^\W*(?P<label>attic|archive|archival|incubation|rename)\W*$", _I)


def _label_kind(label: re.Match) -> str:
    """The kind a label (`LABEL`) lists items of."""
    said = label.groupdict()
    kind = LABEL_KINDS.get((said["label"] or said.get("topic") or "").casefold())
    if kind is not None:
        return kind
    return RENAME if (said.get("noun") or "").casefold().startswith("rename") else OWNERSHIP


# A topic about which projects to change, named later ("which projects to put in the
# Attic", "repos to archive").
_WHICH_PROJECTS = re.compile(
    r"\b(?:which|what)\s+(?:projects|repos|repositories|components|teams)\b"
    r"|\b(?:projects|repos|repositories)\s+to\s+(?:put|move|archive|retire|incubate|promote"
    r"|rename|sunset)\b",
    _I,
)
# A lead-in of a list on another topic than the change.
_OTHER_TOPIC = re.compile(
    r"^\W*(?:action\s+items?|next\s+steps?|updates?|other\s+(?:business|topics?)|misc\w*"
    r"|announcements?|questions?|todo)\b",
    _I,
)
# A lead-in saying the projects listed after it stay as they are.
_STAYS = re.compile(
    r"\b(?:maintained|maintaining|active|keep|kept|keeping|stay\w*|remain\w*|continu\w*"
    r"|not\s+(?:to\s+)?(?:be\s+)?(?:moved|archived|retired))\b",
    _I,
)
# A team heading's status in parentheses saying the project is proposed.
_PROPOSED_STATUS = re.compile(r"\(\s*(?:proposed|candidate)\b[^)]*\)", _I)
# A team's own proposal in the works, and nothing said of what it proposes.
_OWN_PROPOSAL = re.compile(
    r"^\W*(?:working\s+on|reviewing|reviewed|submitted|submitting|drafting|drafted|preparing"
    r"|prepared|finali[sz]\w*|writing|wrote)\s+(?:an?\s+|the\s+|our\s+)?(?:(?:updated|initial"
    r"|first|draft|revised|new)\s+)?(?:pre-?)?proposal\b(?!\s+(?:to|of|on|about|that|which)\b)"
    # "for review", or for a thing the team names ("a proposal for a Bits Service")
    r"(?!\s+for\s+(?!review|an?\s+(?-i:[A-Z])))",
    _I,
)
SHAPE_RULES = frozenset(rule for _kind, rule, _pattern, _business in SHAPE_CUES)
_NOMINATION = re.compile(r"nominat", _I)
_ROLE = re.compile(
    r"\b(?:lead|leads|leader|leadership|pm|pms|project\s+manager|product\s+manager|owner"
    r"|maintainer)s?\b",
    _I,
)
_ACCEPTED = re.compile(r"\b(?:accepted|approved|admitted)\b", _I)
_CORE_ORGANISATION = re.compile(r"\bcore\s+(?:github\s+)?org", _I)


def _singular(name: str) -> str:
    """A name reduced for comparison with each word's plural "s" dropped, so that the
    same project spelled "Bit Service" and "Bits-Service" in one file is one item."""
    words = re.split(r"[\W_]+", name.casefold())
    return "~" + "".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def _names_a_role(statement: Statement) -> bool:
    """Whether the statement, or the one it is nested in, speaks of a lead, PM or owner
    (a nomination for an award or a track chair is not a lead change)."""
    return any(
        _ROLE.search(said.plain) for said in (statement, statement.parent) if said is not None
    )


def _stands_in(plain: str, cue: re.Match) -> bool:
    """Whether a lead change's words are about someone standing in or training ("Simon
    will be dojo'ing as PM"), not a new lead; a nomination is always a lead change."""
    if _NOMINATION.search(cue[0]):
        return False
    return bool(STAND_IN.search(plain[max(0, cue.start() - 30) : cue.end()]))


def _ownership_rule(cue: re.Match) -> str:
    """The rule a lead change's words read: a nomination, a vacancy or other words."""
    words = cue[0].casefold()
    if re.search(r"vacan|opening|position|open", words):
        return rules.LEAD_VACANCY
    if re.search(r"nominat|confirm|\bfor\b|\bas\b|\bbe\b|new", words):
        return rules.LEAD_NOMINATION
    if words.lstrip(" *_-").startswith("welcome"):
        return rules.WELCOME
    return rules.CHANGE_WORDS


def _first_cell(statement: Statement, plain: str) -> str | None:
    """The project a table row is about: its first cell, when the change is named in
    another one ("| kubecf | incubation | approved |")."""
    cells = plain.split(" | ")
    if statement.kind != "row" or len(cells) < 2 or ANY_CUE.search(cells[0].lower()):
        return None
    return cells[0]


def parse_lifecycle(text: str) -> list[LifecycleMention]:
    """The lifecycle items in a meeting's notes, one per proposal."""
    document = Document(text)
    return LifecycleReader(document, TeamReader(document)).mentions()


@dataclass
class _Mention:
    kind: str
    subject: Subject
    statement: Statement
    tier: str = "core"
    outcome: str = "pending"
    decision: str = ""
    condition: str = ""
    proposing_team: str = ""
    new_name: str = ""
    new_lead: str = ""
    committee_hint: str = ""
    rule: str = rules.CHANGE_WORDS
    confidence: str = "low"
    also: list[Statement] = field(default_factory=list)


class LifecycleReader:
    """Finds lifecycle items in a document: statements whose words say a kind of change
    ("to the attic", "incubation", "rename X to Y", "project lead nomination"), lists under
    labels ("To Attic", "_To Be Retired_"), and the decisions recorded about them."""

    def __init__(self, document: Document, teams: TeamReader) -> None:
        self.document = document
        self.teams = teams.team_line_map()
        self.team_headings = {team.index for team in teams.teams()}
        self.team_names = {normalized_name(team.team) for team in teams.teams()}
        self.statements = read_statements(document)
        self.found: list[_Mention] = []
        # Per statement (keyed by id, as the statements live as long as the reader): the
        # kind its words name, and the mentions it raised or added to.
        self._kinds: dict[int, tuple[str | None, re.Match | None, str]] = {}
        self._mentions: dict[int, list[_Mention]] = {}

    def mentions(self) -> list[LifecycleMention]:
        for statement in self.statements:
            self._read(statement)
        try:
            return self._merged()
        finally:
            self._release()

    def _release(self) -> None:
        """Break the statements' links to each other, so that a file's parse is freed as
        soon as it is done rather than at the next full garbage collection (which keeps
        the memory of a long import flat)."""
        for statement in self.statements:
            statement.release()
        self.found = []
        self._kinds = {}
        self._mentions = {}
        self.statements = []

    # Reading one statement

    def _read(self, statement: Statement) -> None:
        if statement.index in self.team_headings:
            self._read_proposed_in_team_heading(statement)
            return
        if any(heading.ignored for heading in statement.path):
            return
        lowered = statement.text.lower()
        # The cheap test first: most text names no change.
        if (
            not ANY_CUE.search(lowered)
            and not self._proposed_here(statement)
            and not self._prepares_proposal(statement)
        ):
            if ANY_DECISION.search(lowered):
                self._attach_decision(statement)
            return
        if not statement.plain.strip():
            return
        if self._read_label(statement):
            return
        kind, cue = self._kind(statement)
        if kind is None:
            self._attach_decision(statement)
            return
        if self._read_topic_lists(kind, statement):
            return
        rule = self._rule(statement)
        self._read_change(kind, cue, rule, statement)
        if kind != OWNERSHIP:
            self._read_lead_change_too(statement, cue)

    def _read_change(self, kind: str, cue: re.Match, rule: str, statement: Statement) -> None:
        """The items of one kind a statement names: its projects, the items listed under
        it, or the item it is nested in or its context is about."""
        subjects = self._subjects(kind, statement, cue, rule)
        if subjects is None:  # refers to the items listed after it
            listed = self._listed(statement)
            for child in listed:
                self._add(
                    kind,
                    self._head_subject(child),
                    child,
                    source=statement,
                    rule=rules.LISTED_UNDER_STATEMENT,
                )
            if listed:
                return
            subjects = []
        if len(subjects) > 1 and rule == rules.CHANGE_WORDS:
            rule = rules.SEVERAL_PROJECTS_ONE_LINE
        if not subjects:
            inherited = self._inherit(statement, kind)
            if inherited:
                return
            context = self._context_subject(statement)
            subjects = [context] if context is not None else []
        # A team's own proposal in the works is a passing mention, whatever its words.
        tier = "secondary" if rule == rules.PROPOSAL_IN_PREPARATION else None
        for subject in subjects:
            self._add(kind, subject, statement, tier=tier, rule=rule)

    def _read_lead_change_too(self, statement: Statement, cue: re.Match) -> None:
        """A statement that names a change and, after it, a lead for the project ("split
        the Garden team into two, with a proposal for Julz Friedman to be one of the
        garden PMs") raises both items."""
        rest = statement.plain[cue.end() :]
        for kind, pattern in STRONG_CUES:
            if kind == OWNERSHIP and pattern.search(rest) and _names_a_role(statement):
                self._read_change(OWNERSHIP, pattern.search(rest), rules.LEAD_NOMINATION,
                                  statement)  # fmt: skip
                return

    def _kind(self, statement: Statement) -> tuple[str | None, re.Match | None]:
        """The kind of change the statement's words name, and the words."""
        key = id(statement)
        if key not in self._kinds:
            self._kinds[key] = self._find_kind(statement)
        kind, cue, _rule = self._kinds[key]
        return kind, cue

    def _rule(self, statement: Statement) -> str:
        """The name of the reading rule that found the statement's kind of change."""
        self._kind(statement)
        rule = self._kinds[id(statement)][2]
        if rule == rules.CHANGE_WORDS and _first_cell(statement, statement.plain):
            return rules.TABLE_ROW  # "| kubecf | incubation | approved |"
        return rule

    def _mentions_of(self, statement: Statement) -> list[_Mention]:
        """The mentions the statement raised or added to, in order."""
        return self._mentions.get(id(statement), [])

    def _find_kind(self, statement: Statement) -> tuple[str | None, re.Match | None, str]:
        """The kind of change a statement names, the words that name it and the rule
        that reads them: a change of shape, then strong words (anywhere), then weak ones
        (only where the meeting handles business)."""
        plain = statement.plain
        lowered = plain.lower()
        if not ANY_CUE.search(lowered):
            if self._proposed_here(statement):
                cue = PROPOSAL_TALK.search(plain) or _ACCEPTED.search(plain)
                return INCUBATION, cue, rules.UNDER_REVIEW
            if self._prepares_proposal(statement):
                return INCUBATION, _OWN_PROPOSAL.match(plain), rules.PROPOSAL_IN_PREPARATION
            return None, None, rules.CHANGE_WORDS
        business = self._is_business(statement) or (
            statement.parent is not None and self._is_business(statement.parent)
        )
        excluded = bool(NOT_LIFECYCLE.search(lowered))
        if not excluded and ANY_SHAPE_CUE.search(lowered):
            for kind, rule, pattern, business_only in SHAPE_CUES:
                match = pattern.search(plain)
                if match is not None and (business or not business_only):
                    return kind, match, rule
        found = self._strong_kind(statement, excluded)
        if found is None and not excluded:
            found = self._weak_kind(plain, business)
        if found is None and self._prepares_proposal(statement):
            return INCUBATION, _OWN_PROPOSAL.match(plain), rules.PROPOSAL_IN_PREPARATION
        if found is None or found[0] is None:
            return None, None, rules.CHANGE_WORDS
        kind, match = found
        return kind, match, _ownership_rule(match) if kind == OWNERSHIP else rules.CHANGE_WORDS

    def _strong_kind(
        self, statement: Statement, excluded: bool
    ) -> tuple[str | None, re.Match | None] | None:
        """The change strong words name; (None, None) when they name a change that is
        not a project's (a meeting moved, a feature renamed), None when there are none."""
        plain = statement.plain
        for kind, pattern in STRONG_CUES:
            match = pattern.search(plain)
            if match is None:
                continue
            if kind == INCUBATION and LEAVES_INCUBATION.search(plain):
                continue
            # Strong words survive an exclusion ("move the deprecated X to the attic"),
            # except for attic-less ones or a meeting-time change.
            if excluded and (is_meeting_change(plain) or kind not in (ATTIC, RENAME, INCUBATION)):
                return None, None
            if kind == OWNERSHIP and statement.kind == "heading":
                continue
            if kind == OWNERSHIP and _NOMINATION.match(match[0]) and not _names_a_role(statement):
                continue  # people nominated for an award or a track, not as a lead
            if kind == OWNERSHIP and _stands_in(plain, match):
                continue  # someone standing in or training, not a new lead
            if kind == RENAME and renames_a_feature(plain, match):
                return None, None  # a property, flag or command renamed, not a project
            return kind, match
        return None

    def _weak_kind(self, plain: str, business: bool) -> tuple[str, re.Match] | None:
        """The change weak words name: a move to another organisation anywhere, the
        others only where the meeting handles business."""
        for kind, pattern in WEAK_CUES:
            match = pattern.search(plain)
            if match is None:
                continue
            if kind == OTHER:
                destination = plain[match.start() : match.end()].casefold()
                if "incubator" in destination or "attic" in destination:
                    continue
                if _CORE_ORGANISATION.search(destination):
                    return PROMOTION, match  # out of the incubator, into the core org
                return kind, match
            if business:
                return kind, match
        return None

    def _read_proposed_in_team_heading(self, heading: Statement) -> None:
        """A team reporting as a proposed project ("### Oratos (proposed incubating) -
        Adam Hevenor"): an implicit item of the kind its parenthesis names (incubation
        unless it names another)."""
        if "(" not in heading.text:
            return  # the cheap test first: most team headings have no parenthesis
        status = _PROPOSED_STATUS.search(heading.plain)
        if status is None:
            return
        words = status[0].casefold()
        kind = next((k for word, k in LABEL_KINDS.items() if word in words), INCUBATION)
        name = clean_subject(_PROPOSED_STATUS.sub("", team_and_lead(heading.text)[0]))
        self._add(kind, Subject(name), heading, tier="implicit",
                  rule=rules.PROPOSED_IN_TEAM_HEADING)  # fmt: skip

    def _prepares_proposal(self, statement: Statement) -> bool:
        """A team's report saying it works on its own proposal, with nothing after it
        ("Working on proposal", "reviewing pre-proposal"): the team's project is being
        proposed (a proposal "to" or "for" something is a feature's)."""
        return (
            statement.kind == "item"
            and "propos" in statement.text.lower()  # the cheap test before the inline text
            and self.teams[statement.index] is not None
            and _OWN_PROPOSAL.match(statement.plain) is not None
        )

    def _proposed_here(self, statement: Statement) -> bool:
        """A proposal or vote mentioned under "_Under Review_", where the projects
        proposed for incubation are listed: the section says what is proposed."""
        return (
            statement.kind != "heading"
            and any(heading.under_review for heading in statement.path)
            and bool(PROPOSAL_TALK.search(statement.text) or _ACCEPTED.search(statement.text))
        )

    def _is_business(self, statement: Statement) -> bool:
        """Whether the statement is where the meeting handles business (agenda,
        lifecycle, proposals, announcements, discussion) rather than a team's report."""
        if self.teams[statement.index] is not None:
            return False
        return any(heading.business for heading in statement.path)

    def _read_topic_lists(self, kind: str, statement: Statement) -> bool:
        """A topic that states a change of unnamed projects ("Discussion on which projects
        to put in the Attic:"): the projects listed after it in its section are items of
        that kind, read with low confidence, up to a heading or a list whose lead-in says
        they stay as they are ("Being maintained:")."""
        plain = statement.plain.strip()
        if (
            statement.kind == "heading"
            or not plain.endswith(":")
            or not _WHICH_PROJECTS.search(plain)
        ):
            return False
        start = self.statements.index(statement)
        for other in self.statements[start + 1 :]:
            if other.kind == "heading":
                break
            if other.kind != "item" or other.section is not statement.section:
                continue
            intro = other.parent
            if intro is not None and intro.kind == "item":
                continue  # a sub-item says more about its item
            if intro is not None and intro is not statement:
                lead_in = intro.plain
                if _OTHER_TOPIC.match(lead_in):
                    break  # the meeting moved on to another topic
                if LABEL.match(lead_in.strip(" :")) or _STAYS.search(lead_in):
                    continue  # a label of its own, or projects that stay as they are
            if self._kind(other)[0] is not None:
                continue  # it says more than a name: read on its own
            self._add(
                kind,
                self._head_subject(other, loose=True),
                other,
                tier="core",
                source=statement,
                rule=rules.LISTED_AFTER_CHANGE_TOPIC,
            )
        return True

    def _read_label(self, statement: Statement) -> bool:
        """A label such as "To Attic" or "_To Be Retired_": the projects listed under it
        are items of that kind."""
        plain = statement.plain.strip()
        inline = _INLINE_LIST.match(plain)
        if inline is not None:
            head = LABEL.match(inline["label"]) or _BARE_LABEL.match(inline["label"])
            if head is not None:
                return self._read_inline_list(statement, _label_kind(head))
        if len(plain) > 40:
            return False
        label = LABEL.match(plain)
        if label is None:
            return False
        kind = _label_kind(label)
        if statement.kind == "heading":
            listed = self._section_items(statement)
            lifecycle = any(heading.business for heading in statement.path[:-1])
            tier = "core" if lifecycle or label["topic"] else "implicit"
        else:
            listed = statement.children
            tier = "core"
        found = False
        for child in listed:
            if self._kind(child)[0] is not None:
                continue  # it says more than a name: read on its own
            subject = self._head_subject(child, loose=True)
            if subject is not None:
                rule = (
                    rules.LISTED_UNDER_CHANGE_HEADING
                    if statement.kind == "heading"
                    else rules.LISTED_UNDER_CHANGE_LABEL
                )
                self._add(kind, subject, child, tier=tier, source=statement, rule=rule)
                found = True
        return found or statement.kind != "heading"

    def _read_inline_list(self, statement: Statement, kind: str) -> bool:
        """The projects named after a label on the same line ("Attic: cf-uaa-lib,
        omniauth-uaa-oauth2"), linked or plain."""
        refs = [ref for ref in statement.refs if ref.is_project()]
        if refs:
            subjects = [subject_of(ref) for ref in refs]
        else:
            names = re.split(
                r"\s*(?:,|;|\band\b|&)\s*", _INLINE_LIST.match(statement.plain)["names"]
            )
            subjects = [
                Subject(name)
                for name in map(clean_subject, names)
                if valid_subject(name)
                and len(name.split()) <= 4
                and not ANY_CUE.search(name.lower())
            ]
        for subject in subjects:
            self._add(kind, subject, statement, tier="core", rule=rules.PROJECTS_AFTER_CHANGE_LABEL)
        return bool(subjects)

    def _section_items(self, heading: Statement) -> list[Statement]:
        listed = []
        start = self.statements.index(heading)
        for statement in self.statements[start + 1 :]:
            if statement.kind == "heading":
                if statement.heading_level <= heading.heading_level:
                    break
                listed.append(statement)
            elif statement.kind == "item" and statement.parent is None:
                listed.append(statement)
        return listed

    def _listed(self, statement: Statement) -> list[Statement]:
        """The items a statement about "these projects" refers to: its sub-items, or for
        a heading the items of its section."""
        if statement.kind == "heading":
            # The section's own list items, and those listed after its sentences ("Several
            # repositories are being incubated:").
            candidates = [c for c in self._section_items(statement) if c.kind == "item"]
            candidates += [
                child
                for other in self.statements
                if other.kind == "sentence" and other.section is statement.section
                for child in other.children
            ]
        else:
            candidates = statement.children
        listed = []
        for child in candidates:
            if self._kind(child)[0] is not None:
                continue
            if self._head_subject(child) is not None and child not in listed:
                listed.append(child)
        return listed

    # Subjects

    def _subjects(
        self, kind: str, statement: Statement, cue: re.Match, rule: str
    ) -> list[Subject] | None:
        """The projects a statement is about; [] when it names none (a pronoun, or no
        name at all), None when it refers to the items listed under it."""
        if rule in SHAPE_RULES:
            return self._shape_subjects(rule, statement)
        plain = _PROPOSAL_LABEL.sub("", statement.plain)
        if kind == OWNERSHIP and re.match(r"^\W*welcome\s", plain, _I):
            return self._welcomed(statement, plain)
        listed = self._names_after_colon(kind, statement, cue)
        if listed:
            return listed
        phrase = _first_cell(statement, plain) or subject_phrase(kind, plain)
        if phrase is None:
            return []
        statement.phrase = phrase
        several = several_names(phrase)
        if several:
            return [self._subject_named(statement, name) for name in several]
        if is_generic_plural(phrase):
            refs = [ref for ref in statement.refs if ref.is_project()]
            return [subject_of(ref) for ref in refs] or None
        if is_pronoun(phrase):
            return []
        refs = self._refs_within(statement, phrase)
        if refs:
            return [subject_of(ref) for ref in refs]
        name = clean_subject(phrase)
        if not valid_subject(name):
            return []
        return [Subject(name)]

    def _subject_named(self, statement: Statement, name: str) -> Subject:
        """The subject a name stands for: the statement's link of that name, if any."""
        refs = self._refs_within(statement, name)
        return subject_of(refs[0]) if len(refs) == 1 else Subject(name)

    def _names_after_colon(
        self, kind: str, statement: Statement, cue: re.Match | None
    ) -> list[Subject]:
        """Several projects named after a colon that follows the change's words ("Project
        Lead positions open for nominations: UAA, Diego, Release Integration")."""
        plain = statement.plain
        colon = plain.rfind(": ")
        if cue is None or colon < cue.end() - 1 or colon < 0:
            return []
        listed = plain[colon + 2 :].strip(" .;")
        if not re.match(r"[\w`\[]", listed) or re.search(r"[.!?]\s", listed):
            return []  # votes or sentences after the colon, not names
        before = subject_phrase(kind, plain[:colon])
        if before and valid_subject(clean_subject(before)) and not is_pronoun(before):
            return []  # the project is named before the colon
        names = several_names(listed)
        if not names or any(ANY_CUE.search(name.lower()) for name in names):
            return []
        return [self._subject_named(statement, name) for name in names]

    def _shape_subjects(self, rule: str, statement: Statement) -> list[Subject]:
        """The projects a change of shape (a new team, a split, a merge, joining a PMC,
        a process proposed, an end of life) is about."""
        plain = statement.plain
        if rule == rules.JOINS_COMMITTEE:
            repos = [ref for ref in statement.refs if ref.is_project() and ref.slug]
            if repos:
                return [subject_of(repos[0])]
        subjects = []
        for phrase in shape_phrases(rule, plain):
            if is_pronoun(phrase):
                continue
            refs = self._refs_within(statement, phrase)
            subjects.append(subject_of(refs[0]) if refs else Subject(clean_subject(phrase)))
        return [subject for subject in subjects if valid_subject(subject.name)]

    def _refs_within(self, statement: Statement, phrase: str) -> list[Ref]:
        """The links or code spans that the phrase naming the subject consists of."""
        wanted = normalized_name(phrase)
        if not wanted:
            return []
        refs = [ref for ref in statement.refs if ref.is_project()]
        inside = [ref for ref in refs if normalized_name(ref.text) and normalized_name(ref.text)
                  in wanted]  # fmt: skip
        if inside:
            return inside
        for child in statement.children:
            for ref in child.refs:
                slug = normalized_name(ref.slug or ref.name)
                if ref.is_project() and slug and (slug in wanted or wanted in slug):
                    return [ref]
        return []

    def _welcomed(self, statement: Statement, plain: str) -> list[Subject]:
        match = re.match(r"^\W*welcome\s+(?P<names>[^!.]+)", plain, _I)
        if match is None:
            return []
        names = re.split(r"\s*,\s*|\s+and\s+|\s*&\s*", match["names"].strip())
        subjects = []
        for name in names:
            name = clean_subject(name)
            ref = next((r for r in statement.refs if r.text.strip() == name), None)
            if ref is not None:
                subjects.append(subject_of(ref))
            elif name and (re.search(r"[-_/.]", name) or name[:1].islower()):
                subjects.append(Subject(name))
        return subjects

    def _head_subject(self, statement: Statement, *, loose: bool = False) -> Subject | None:
        """The project a list item or heading starts with: "[CF Swagger](...) - was ...",
        a bare repository URL, "`cflocal`"; with `loose`, also a short plain name."""
        plain = statement.plain.strip()
        for ref in statement.refs:
            if not ref.is_project():
                continue
            if ref.start <= 24 or GITHUB_REPO.search(ref.url or ""):
                return subject_of(ref)
        if statement.kind == "heading":
            name = team_and_lead(statement.text)[0] if loose else ""
        else:
            name = re.split(r"\s+[-–—:]\s+|\s*[:(]", plain, maxsplit=1)[0] if loose else ""
        name = clean_subject(name)
        if loose and valid_subject(name) and len(name.split()) <= 4:
            return Subject(name)
        return None

    def _antecedent(self, statement: Statement) -> Subject | None:
        """The project a pronoun stands for, named before it in the same statement."""
        if not statement.phrase or not is_pronoun(statement.phrase):
            return None
        plain = statement.plain
        before = plain[: plain.rfind(statement.phrase)] if statement.phrase in plain else ""
        found = list(_ANTECEDENT.finditer(before))
        if not found:
            return None
        name = clean_subject(found[-1]["s"])
        return Subject(name) if valid_subject(name) and not is_pronoun(name) else None

    def _subsection_subject(self, statement: Statement, team_heading: int) -> Subject | None:
        """The repository a subsection of a team's report is about, when its heading
        names one (a code span or a link)."""
        for heading in reversed(statement.path):
            if heading.index <= team_heading:
                return None
            _plain, refs = parse_inline(heading.title, self.document.references)
            refs = [ref for ref in refs if ref.is_project()]
            if refs:
                return subject_of(refs[0])
        return None

    def _context_subject(self, statement: Statement) -> Subject | None:
        """What "it" or an unnamed item refers to: the item it is nested in, an earlier
        sentence of its paragraph, the team whose report it is in, or its heading."""
        own = self._head_subject(statement) if statement.kind in ("sentence", "item") else None
        if own is not None:  # "The [binary buildpack][b] was ... moved into ..."
            return own
        antecedent = self._antecedent(statement)
        if antecedent is not None:
            return antecedent
        labelled = _labelled_subject(statement.plain)
        if labelled is not None:  # "Project Quarks: the SUSE team would like to incubate it"
            return labelled
        parent = statement.parent
        while parent is not None:
            subject = self._head_subject(parent)
            if subject is not None:
                return subject
            parent = parent.parent
        if statement.kind == "sentence":
            for other in self.statements:
                if other is statement:
                    break
                if other.container == statement.container:
                    refs = [ref for ref in other.refs if ref.is_project()]
                    if refs:
                        return subject_of(refs[0])
        team = self.teams[statement.index]
        if team is not None:
            within = self._subsection_subject(statement, team.index)
            if within is not None:  # "#### `nats-release`" inside a team's report
                return within
            name = team.team
            noun = GENERIC_NOUN.match(statement.phrase)
            if noun is not None:
                words = name.split()
                for i, word in enumerate(words):
                    if word.casefold().startswith(noun["noun"].casefold()):
                        name = " ".join(words[: i + 1])
                        break
            return Subject(plain_heading(name))
        return self._heading_subject(statement)

    def _heading_subject(self, statement: Statement) -> Subject | None:
        """The project the nearest heading of the statement (not a meeting's or report's
        section) names."""
        for heading in reversed(statement.path):
            if heading.level == 1 and not heading.bold:
                break
            title = plain_heading(heading.title)
            if MEETING_SECTION.match(title) or REPORT_SECTION.match(title):
                continue
            plain, refs = parse_inline(heading.title, self.document.references)
            refs = [ref for ref in refs if ref.is_project()]
            if refs:
                return subject_of(refs[0])
            for kind, pattern in STRONG_CUES:
                if pattern.search(plain):
                    phrase = subject_phrase(kind, plain)
                    if phrase and not is_pronoun(phrase):
                        name = clean_subject(phrase)
                        if valid_subject(name) and not is_generic_plural(phrase):
                            return Subject(name)
            name = clean_subject(title)
            if valid_subject(name) and len(name.split()) <= 3 and not GENERIC_PLURAL.search(name):
                return Subject(name)
            return None
        return None

    # Recording

    def _add(
        self,
        kind: str,
        subject: Subject | None,
        statement: Statement,
        *,
        tier: str | None = None,
        source: Statement | None = None,
        rule: str = rules.CHANGE_WORDS,
    ) -> None:
        if subject is None or not valid_subject(subject.name):
            return
        said = source or statement
        plain = _PROPOSAL_LABEL.sub("", said.plain)
        mention = _Mention(kind, subject, statement, rule=rule)
        if source is not None:
            mention.also.append(source)
        mention.tier = tier or self._tier(said, plain)
        self._judge(mention, said)
        mention.confidence = (
            "low" if mention.tier == "implicit" else self._confidence(rule, said, statement)
        )
        kind_cue = self._kind(said)[1]
        condition = self._condition(said.plain, kind_cue.end() if kind_cue else len(said.plain))
        if condition:
            mention.condition = condition
            if mention.outcome == "approved":
                mention.outcome = "deferred"
        team = (
            PROPOSING_TEAM.search(plain)
            or PROPOSING_PERSON.search(plain)
            or PROPOSED_BY.search(said.plain)
        )
        if team is not None:
            mention.proposing_team = (team.groupdict().get("team") or team["person"]).strip()
        elif self.teams[said.index] is not None and re.search(r"\bwe\b", plain, _I):
            mention.proposing_team = f"{self.teams[said.index].team} team"
        hint = _COMMITTEE_HINT.search(plain)
        if hint is not None:
            mention.committee_hint = hint["name"]
        if kind == RENAME:
            mention.new_name = new_name_in(plain)
        if kind == OWNERSHIP:
            mention.new_lead = new_lead_in(plain)
        self._mentions.setdefault(id(statement), []).append(mention)
        if source is not None and source is not statement:
            self._mentions.setdefault(id(source), []).append(mention)
        self.found.append(mention)

    def _confidence(self, rule: str, said: Statement, statement: Statement) -> str:
        """How sure the reading is (`rules.confidence`), from the rule, the words of the
        statement that says the change (or of the item itself) and where it is."""
        texts = {said.plain, statement.plain}
        labelled = any(_PROPOSAL_LABEL.match(t) or DECISION_LABEL.match(t) for t in texts)
        explicit = rule in rules.EXPLICIT_RULES or any(
            PROPOSAL_WORDS.search(t) or DECIDED.search(t) for t in texts
        )
        if said.kind == "heading" and rule != rules.CHANGE_WORDS:
            explicit = True  # a heading that states the change ("To Attic")
        business = self.teams[statement.index] is None and (
            self._is_business(said) or any(heading.under_review for heading in said.path)
        )
        return rules.confidence(rule, labelled=labelled, explicit=explicit, business=business)

    def _tier(self, statement: Statement, plain: str) -> str:
        if self._is_business(statement) or statement.kind == "heading":
            return "core"
        if PROPOSAL_WORDS.search(plain) or DECIDED.search(plain):
            return "core"
        return "secondary"

    def _judge(self, mention: _Mention, statement: Statement) -> None:
        """The outcome the statement records, if any."""
        plain = _PROPOSAL_LABEL.sub("", statement.plain)
        label = DECISION_LABEL.match(plain)
        if label is not None:
            mention.decision = statement.plain.strip()
            mention.outcome = decided(label["text"])
        elif DECIDED.search(plain):
            mention.decision = statement.plain.strip()
            mention.outcome = decided(plain)
        elif DONE.search(plain) and not STILL_OPEN.search(plain):
            mention.decision = statement.plain.strip()
            mention.outcome = "completed"

    def _condition(self, plain: str, after: int = 0) -> str:
        """What the change waits for, said after the words that name the change."""
        for match in CONDITION.finditer(plain, after):
            condition = match["condition"].strip().rstrip(",:;-– ")
            if not NOT_A_CONDITION.match(condition):
                return condition[:500]
        return ""

    def _inherit(self, statement: Statement, kind: str) -> bool:
        """A statement with a kind's words but no name of its own ("Decision: Moved to
        active projects!", "Pivotal nominated Zach Robinson") adds to the item it is
        nested in."""
        parent = statement.parent
        while parent is not None and not self._mentions_of(parent):
            parent = parent.parent
        if parent is None:
            return False
        raised = self._mentions_of(parent)
        targets = [m for m in raised if m.kind == kind] or raised
        for mention in targets:
            self._update(mention, statement)
        return True

    def _attach_decision(self, statement: Statement) -> None:
        """A decision recorded without naming what it decides applies to the item it is
        nested in, or to the items raised before it in the same section. The items come
        first: most statements with a decision's words have none to apply to, and then
        their inline text is never built nor read for a decision."""
        targets = self._decision_targets(statement)
        if not targets:
            return
        plain = statement.plain
        if not (DECISION_LABEL.match(plain) or DECIDED.search(plain)):
            return
        for mention in targets:
            self._update(mention, statement)

    def _decision_targets(self, statement: Statement) -> list[_Mention]:
        """The items a decision the statement records would apply to."""
        if not self.found:
            return []  # no item raised yet
        parent = statement.parent
        while parent is not None and not self._mentions_of(parent):
            parent = parent.parent
        if parent is not None:
            return self._mentions_of(parent)
        if statement.kind == "item" and statement.parent is not None:
            return []
        return [
            m
            for m in self.found
            if m.statement.section is statement.section
            and m.statement.index < statement.index
            and m.outcome == "pending"
        ]

    def _update(self, mention: _Mention, statement: Statement) -> None:
        mention.also.append(statement)
        plain = _PROPOSAL_LABEL.sub("", statement.plain)
        judged = _Mention(mention.kind, mention.subject, statement)
        self._judge(judged, statement)
        if OUTCOME_RANK[judged.outcome] > OUTCOME_RANK[mention.outcome]:
            mention.outcome, mention.decision = judged.outcome, judged.decision
            if judged.decision and self._is_business(statement):
                mention.confidence = "high"  # a decision recorded where business is done
        if mention.kind == OWNERSHIP and not mention.new_lead:
            mention.new_lead = new_lead_in(plain)
        if mention.kind == RENAME and not mention.new_name:
            mention.new_name = new_name_in(plain)
        if not mention.condition:
            cue = self._kind(statement)[1]
            mention.condition = self._condition(statement.plain, cue.end() if cue else 0)
            if mention.condition and mention.outcome == "approved":
                mention.outcome = "deferred"

    # Merging mentions of the same proposal

    def _merged(self) -> list[LifecycleMention]:
        groups: dict[str, list[_Mention]] = {}
        aliases: dict[str, str] = {}
        in_report: dict[tuple[int, str], list[tuple[str, str]]] = {}
        for mention in self.found:
            names = [normalized_name(mention.subject.project)]
            names.append(_singular(mention.subject.project))  # "Bit Service", "Bits-Service"
            if mention.subject.slug:
                names.append(normalized_name(mention.subject.slug))
            keys = [f"{mention.kind}:{name}" for name in names]
            group = next((aliases[k] for k in keys if k in aliases), None)
            team = self.teams[mention.statement.index]
            if group is None and team is not None:
                # In the report of the team "Stratos-UI", "stratos" is the same project.
                own = normalized_name(team.team)
                for name, other in in_report.get((team.index, mention.kind), []):
                    shorter, longer = sorted((name, names[0]), key=len)
                    if own in (name, names[0]) and len(shorter) >= 4 and longer.startswith(shorter):
                        group = other
                        break
            group = group or keys[0]
            for key in keys:
                aliases.setdefault(key, group)
            if team is not None:
                in_report.setdefault((team.index, mention.kind), []).append((names[0], group))
            groups.setdefault(group, []).append(mention)
        return [self._combine(group) for group in groups.values()]

    def _combine(self, group: list[_Mention]) -> LifecycleMention:
        def weight(m: _Mention) -> tuple:
            return (
                OUTCOME_RANK[m.outcome] > 0 and bool(m.decision),
                self._is_business(m.statement) or m.statement.kind == "heading",
                m.tier == "core",
                -m.statement.index,
            )

        primary = max(group, key=weight)
        outcome_from = max(group, key=lambda m: (OUTCOME_RANK[m.outcome], -m.statement.index))
        statements: list[Statement] = []
        for mention in sorted(group, key=lambda m: m.statement.index):
            for statement in [mention.statement, *mention.also]:
                if statement not in statements:
                    statements.append(statement)
        statements.sort(key=lambda s: s.index)
        lines = sorted({i for s in statements for i in s.lines})
        excerpt = self._excerpt(primary.statement, statements)
        tier = min((m.tier for m in group), key=("core", "secondary", "implicit").index)

        def first(attribute: str) -> str:
            return next((getattr(m, attribute) for m in group if getattr(m, attribute)), "")

        confident = [m for m in group if m.confidence == "high"]
        found_by = max(confident or group, key=weight)
        # The name as a team of the meeting spells it, when one mention does.
        named = primary.subject
        if normalized_name(named.project) not in self.team_names:
            named = next(
                (m.subject for m in group if normalized_name(m.subject.project) in self.team_names),
                named,
            )
        subject = named
        if not subject.url:
            subject = next((m.subject for m in group if m.subject.url), subject)
        section = next(
            (plain_heading(h.title) if h.bold else h.title for h in primary.statement.path
             if h.level >= 2 and not h.bold), ""
        ) or (primary.statement.path[-1].title if primary.statement.path else "")  # fmt: skip
        return LifecycleMention(
            kind=primary.kind,
            subject=named.name,
            project=subject.project,
            line=primary.statement.index + 1,
            section=section[:300],
            excerpt=excerpt,
            tier=tier,
            outcome=outcome_from.outcome,
            decision=outcome_from.decision[:1000],
            condition=first("condition"),
            proposing_team=first("proposing_team")[:200],
            new_name=first("new_name")[:200],
            new_lead=first("new_lead")[:200],
            repository_url=subject.url,
            committee_hint=first("committee_hint"),
            summary=" ".join(primary.statement.plain.split())[:200],
            lines=tuple(i + 1 for i in lines),
            confidence=found_by.confidence,
            rule=found_by.rule,
        )

    def _excerpt(self, primary: Statement, statements: list[Statement]) -> str:
        lines = self.document.lines
        chosen: list[int] = []
        for statement in [primary, *statements]:
            indexes = list(statement.lines)
            if statement is primary:
                indexes += [i for child in statement.children for i in child.lines]
            for index in indexes:
                if index not in chosen:
                    chosen.append(index)
        chosen.sort()
        parts: list[str] = []
        previous = None
        for index in chosen:
            if previous is not None and index > previous + 1:
                parts.append("…")
            parts.append(lines[index].rstrip())
            previous = index
        return "\n".join(parts).strip()[:_MAX_EXCERPT]
