"""People in the notes: who an item names (the team or person proposing it, an
ownership change's new lead) and the names of a team's lead as its heading writes them."""

from __future__ import annotations

import re

PROPOSING_TEAM = re.compile(
    r"\b(?:[Tt]he\s+)?(?P<team>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3}\s+team)\s+(?:is\s+)?"
    r"(?:propos\w+|would\s+like|wants?|suggests?|plans?|intends?|asks?|requests?)\b"
)
PROPOSING_PERSON = re.compile(
    r"^\W*(?P<person>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})\s+(?:is\s+)?(?:propos(?:es|ed|ing)"
    r"|would\s+like\s+to\s+propose|suggest(?:s|ed|ing))\b"
)
# "Proposal to move X to the attic (Amit)"
PROPOSED_BY = re.compile(
    r"^\W*[Pp]ropos\w*\b.*\((?P<person>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,2})\)\W*$"
)

_PERSON = r"(?P<person>(?:Dr\.\s+)?[A-Z][\w'.-]*(?:\s+(?:van|de|von|der)?\s*[A-Z][\w'.-]*){0,3})"
_NEW_LEAD = [
    re.compile(r"\bnominat(?:ed|es|ing)\s+" + _PERSON),
    re.compile(
        _PERSON + r"\s+(?:(?:is|was|has\s+been|will\s+be|as)\s+)?(?:nominated|elected|appointed"
        r"|the\s+new|taking\s+over|new)"
    ),
    re.compile(
        r"\bnew\s+(?:project\s+)?(?:lead|leader|owner|maintainer)\s*(?:is|:|-)\s*" + _PERSON
    ),
    re.compile(r"\b(?:lead|leader|owner|maintainer)\s*:\s*" + _PERSON),
    re.compile(r"!\s*" + _PERSON + r"\s*$"),
    re.compile(r"\b(?:approve|appoint|elect|confirm|welcome|nominate)\s+" + _PERSON + r"\s+as\b"),
    re.compile(
        _PERSON + r"\s+(?:(?:is|was|has\s+been)\s+)?(?:confirmed|approved|appointed)\s+as\b"
    ),
    re.compile(
        r"\b(?:chang\w+|mov\w+|transition\w*|switch\w*|hand\w*)\s+(?:over\s+)?to\s+" + _PERSON
    ),
    # "Adam Hevenor → Jesse Weaver", "from Adam Hevenor to Jesse Weaver"
    re.compile(r"(?:→|->|=>|⇒)\s*" + _PERSON),
    re.compile(r"\bfrom\s+[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3}\s+to\s+" + _PERSON),
    re.compile(_PERSON + r"\s+(?:replaces|replacing|succeeds|succeeding|takes\s+over)\b"),
]
_NOT_A_PERSON = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March"
    r"|April|May|June|July|August|September|October|November|December|The|This|We|It|PMC"
    r"|CF|Cloud|Foundry)\b"
)


def new_lead_in(plain: str) -> str:
    for pattern in _NEW_LEAD:
        match = pattern.search(plain)
        if match is None:
            continue
        person = match["person"].strip(" .,")
        if person and not _NOT_A_PERSON.match(person) and len(person.split()) <= 4:
            return person
    return ""


# How a team's lead is written in a heading: one or more people, each maybe with the
# organisation they work for and a remark ("Sean O'Sullivan, Pivotal", "Peter Goetz (Out
# of the office until 09/13)"). The lead is the people's names alone.
_NAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "la", "le", "ter"}
_BETWEEN_PEOPLE = re.compile(r"(\s*(?:&|/|\+|\band\b)\s*)")
_WITH_AFFILIATION = re.compile(r"^(?P<name>[^,]+?)\s*,\s*(?P<other>[^,]+?)$")
_WITH_REMARK = re.compile(r"^(?P<name>[^()]*?[^\s(])\s*\((?P<remark>[^()]*)\)?$")


def looks_like_name(text: str) -> bool:
    """Whether `text` is written as a person's name: one to four capitalised words (an
    initial, "O'Sullivan", "Köper"; particles such as "van" aside), no acronym, no digit."""
    words = text.split()
    if not 1 <= len(words) <= 4 or words[0] in _NAME_PARTICLES:
        return False
    return all(
        word in _NAME_PARTICLES
        or (word[0].isupper() and not any(c.isdigit() for c in word)
            and (len(word.rstrip(".")) == 1 or not word.isupper()))
        for word in words
    )  # fmt: skip


def lead_names(lead: str) -> str:
    """The names of a lead as written in a team's heading, without what is not a name.

    A remark in parentheses after the names goes ("Peter Goetz (Out of the office until
    09/13)", even when its parenthesis is left open), unless it is itself a full name.
    Each person keeps their name but not their organisation after a comma: in "Name,
    Other" the other part is an organisation when it is not written as a name ("Julz,
    IBM"), or when it is a single word after a full name ("George Lestaris, Pivotal"); a
    list of first names ("Scott, Stephen") or of full names ("Ryan Jones, Merlin Glynn")
    stays as it is.
    """
    lead = lead.strip()
    remark = _WITH_REMARK.match(lead)
    if remark and not _is_full_name(remark["remark"].strip()):
        lead = remark["name"]
    parts = _BETWEEN_PEOPLE.split(lead)
    for index in range(0, len(parts), 2):
        parts[index] = _without_affiliation(parts[index])
    return "".join(parts).strip()


def _without_affiliation(person: str) -> str:
    match = _WITH_AFFILIATION.match(person.strip())
    if match is None:
        return person
    name, other = match["name"], match["other"]
    if not looks_like_name(other):
        return name  # "Julz, IBM", "Dies Köper, of Fujitsu"
    if _is_full_name(name) and len(other.split()) == 1:
        return name  # "George Lestaris, Pivotal"
    return person


def _is_full_name(text: str) -> bool:
    return looks_like_name(text) and len(text.split()) > 1
