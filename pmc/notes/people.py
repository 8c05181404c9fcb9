"""Who an item names: the team or person proposing it, and an ownership change's new
lead."""

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
