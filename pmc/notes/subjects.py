"""What an item is about: the project a statement names, cleaned of filler words, and
a rename's new name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pmc.notes.kinds import ATTIC, INCUBATION, OTHER, OWNERSHIP, PROMOTION, RENAME
from pmc.notes.links import ORGANISATION, Ref
from pmc.notes.structure import MAX_STATEMENT

_I = re.IGNORECASE

_NOISE_WORDS = {
    "a", "an", "the", "our", "their", "to", "of", "no", "objections",
    "objection", "having", "have", "has", "move", "moving", "moved", "voting", "vote", "on",
    "officially", "proposal", "proposals", "propose", "proposed", "proposing", "proposes",
    "for", "about", "regarding", "discuss", "discussion", "re", "we", "will", "should", "also",
    "still", "using", "use", "plan", "plans", "and", "consider", "considering", "suggest",
    "suggests", "put", "placing", "place", "bring", "bringing", "maybe", "possibly",
    "please", "request", "requesting", "request:", "agenda", "item", "decision", "decided",
    "retire", "retiring", "archive", "archiving", "incubate", "incubating", "promote",
    "promoting", "rename", "renaming", "transfer", "transferring", "new", "is", "are",
    "be", "being", "been", "was", "were", "it's", "let's", "just", "then", "so", "whether",
    "if", "in", "into", "from", "with", "by", "as", "or", "all",
}  # fmt: skip
_TRAILING_NOISE = {"project", "repo", "repository", "now", "too", "also", "itself", "team"}
PRONOUN = re.compile(
    r"^(?:it|this|that|these|those|them|they|one|"
    r"(?:(?:the|this|that|our|its|their)\s+)?(?:repo|repository|project|plugin|tool|library"
    r"|client|cli|sdk|one|code(?:base)?|release|component|extension|broker)"
    # "incubate it next quarter", "archive them soon"
    r"|(?:it|them|this|that)\s+(?:next|now|soon|later|today|tomorrow|this|in|by|after|before"
    r"|once|when|at|too|also|as|then|first)\b.*)$",
    _I,
)
GENERIC_PLURAL = re.compile(
    r"\b(?:projects|repos|repositories|plugins|libraries|tools|releases|components|extensions)"
    r"\s*$|^(?:several|some|all|these|those|the\s+following|following|both|multiple|two|three"
    r"|four|five|various|other|the\s+other)\b",
    _I,
)
GENERIC_NOUN = re.compile(
    r"^(?:(?:the|this|that|our|its)\s+)?(?P<noun>plugin|tool|tools|library|client|cli|sdk"
    r"|extension|release|component|broker)$",
    _I,
)


@dataclass
class Subject:
    name: str
    url: str = ""
    slug: str = ""

    @property
    def project(self) -> str:
        """The registry name: the name without a trailing parenthetical aside."""
        bare = re.sub(r"\s*\([^)]*\)\s*$", "", self.name).strip()
        return bare or self.name


def subject_of(ref: Ref) -> Subject:
    return Subject(clean_subject(ref.name) or ref.name, ref.url, ref.slug)


_NAME = r"(?P<s>(?:[^.;:!?|]|\.(?=\S)){1,120}?)"
_SUBJECT_PATTERNS: dict[str, list[re.Pattern]] = {
    RENAME: [
        re.compile(r"\bchange\W?\s+from\s+" + _NAME + r"\s+to\s", _I),
        re.compile(r"\brenam\w*\s+(?:of\s+)?(?:the\s+)?" + _NAME + r"\s+(?:to|as|into)\s", _I),
        re.compile(
            r"(?P<s>[\w`.()\-]+(?:\s+[\w`.()\-]+){0,4}?)\s+(?:was|has\s+been|is\s+being|will\s+be"
            r"|to\s+be|be|is|are|were|got|gets)\s+renamed\b",
            _I,
        ),
        re.compile(r"\brenam\w*\s+(?:of\s+)?(?:the\s+)?" + _NAME + r"\s*(?:[,.;:!?(]|$)", _I),
    ],
    ATTIC: [
        re.compile(
            r"\b(?:mov\w*|put\w*|plac\w*|send\w*|transfer\w*|push\w*|retir\w*|archiv\w*|go\w*)"
            r"\s+(?:of\s+)?" + _NAME + r"\s+(?:to|in|into)\s+(?:the\s+)?\W*(?:cloudfoundry-)?attic",
            _I,
        ),
        re.compile(
            _NAME + r"\s+(?:(?:is|was|has\s+been|will\s+be|should\s+be|to\s+be|be|are|were|goes"
            r"|went|gets?|got)\s+(?:moved\s+|retired\s+|archived\s+|put\s+)?|moved\s+)(?:to|in"
            r"|into)\s+(?:the\s+)?\W*(?:cloudfoundry-)?attic",
            _I,
        ),
        re.compile(
            _NAME + r"\s*(?:\s[:\-–—]\s*|\s+)(?:is\s+|are\s+)?(?:moving|going|headed)\s+"
            r"(?:to|into)\s+(?:the\s+)?\W*(?:cloudfoundry-)?attic",
            _I,
        ),
        re.compile(_NAME + r"\s*(?:[:\-–—]\s*)?(?:to|->|→)\s+(?:the\s+)?attic", _I),
        re.compile(
            r"\b(?:retir\w*|archiv\w*|sunset\w*|decommission\w*)\s+(?:of\s+)?"
            r"(?!(?:to|in|into)\b)"
            + _NAME
            + r"(?:\s+(?:to|in|into|as|because|since|when|once|after|at|and)\b|[,;:!?(]|$)",
            _I,
        ),
    ],
    INCUBATION: [
        re.compile(
            r"\b(?:mov\w*|bring\w*|brought|transfer\w*|put\w*|hav\w*|add\w*|accept\w*)\s+"
            r"(?:a\s+|an\s+)?" + _NAME + r"\s+(?:from\s+(?:the\s+)?[\w`.-]+(?:\s+[\w`.-]+)?\s+)?"
            r"(?:in|into|to)\s+(?:the\s+)?(?:incubation|incubator|cloudfoundry-incubator)",
            _I,
        ),
        re.compile(
            r"\b(?:incubat(?:e|ing)|incubation\s+(?:of|for))\s+(?:of\s+)?"
            + _NAME
            + r"(?:\s+(?:as|in|into|under|to|within|by|at|for|and)\b|[,;:!?(]|$)",
            _I,
        ),
        re.compile(
            _NAME + r"\s+(?:project\s+)?(?:is|was|has\s+been|were|are|be|being|got|gets)?\s*"
            r"(?:officially\s+)?(?:being\s+)?(?:accepted|approved|admitted|proposed|voted\s+in"
            r"|entered|moved|incubated)\s*(?:(?:as|for|into|in|to)\s+(?:an?\s+)?(?:the\s+)?"
            r"incubat|\b)",
            _I,
        ),
        re.compile(_NAME + r"\s+(?:in|into|to)\s+(?:the\s+)?cloudfoundry-incubator", _I),
        re.compile(r"\bincubation\s+proposal\s+(?:for|of)\s+" + _NAME + r"(?:[,;:!?(]|\s|$)", _I),
        re.compile(_NAME + r"\s+incubation\s+proposal", _I),
        re.compile(
            _NAME + r"\s+(?:proposal|request|application)s?\s+(?:for|to)\s+(?:the\s+)?incubat", _I
        ),
    ],
    PROMOTION: [
        re.compile(
            r"\b(?:mov\w*|bring\w*|tak\w*|graduat\w*|promot\w*|get\w*)\s+(?:of\s+)?"
            + _NAME
            + r"\s+out\s+of\s+(?:the\s+)?incubat",
            _I,
        ),
        re.compile(_NAME + r"\s+(?:exits?|exited|leaves?|left)\s+(?:the\s+)?incubat", _I),
        re.compile(
            r"\b(?:mov\w*|promot\w*|graduat\w*|bring\w*|transition\w*)\s+(?:of\s+)?"
            + _NAME
            + r"\s+(?:to|into)\s+(?:the\s+)?active",
            _I,
        ),
        re.compile(
            _NAME + r"\s+(?:(?:is|was|has\s+been|will\s+be|to\s+be|be|are|were|gets?|got)\s+"
            r"(?:now\s+)?(?:moved\s+|promoted\s+)?|moved\s+|promoted\s+)(?:to|into)\s+"
            r"(?:the\s+)?active",
            _I,
        ),
        re.compile(
            _NAME + r"\s*(?:\s[:\-–—]\s*|\s+)(?:is\s+|are\s+)?(?:moving|going|graduating|headed)"
            r"\s+(?:to|into)\s+(?:the\s+)?active",
            _I,
        ),
        re.compile(_NAME + r"\s*(?:[:\-–—]\s*)?(?:to|->|→)\s+(?:the\s+)?active", _I),
        re.compile(
            _NAME + r"\s+(?:has\s+)?(?:graduated|graduates|was\s+promoted|is\s+now\s+active)", _I
        ),
        re.compile(
            r"\b(?:promot\w*|graduat\w*)\s+(?:of\s+)?(?!(?:to|into|from|out)\b)"
            + _NAME
            + r"(?:\s+(?:to|from|out|as|into)\b|[,;:!?(]|$)",
            _I,
        ),
    ],
    OWNERSHIP: [
        re.compile(
            r"\b(?:project\s+)?lead(?:er)?(?:ship)?\s+(?:opening|nominations?|election|change"
            r"|vacancy|role|position|handover)s?\s+(?:for|of|on)\s+(?:the\s+)?"
            + _NAME
            + r"(?:\s+project\b|[.,;:!?(]|\s+(?:is|are|open|due|until|closes?)\b|$)",
            _I,
        ),
        re.compile(
            r"(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+(?:project\s+)?lead(?:er)?(?:ship)?\s+"
            r"(?:opening|nominations?|election|change|vacancy|role|position|handover)",
            _I,
        ),
        re.compile(
            r"\bnew\s+(?:project\s+)?(?:lead|leader|owner|maintainer)s?\s+(?:for|of)\s+"
            r"(?:the\s+)?" + _NAME + r"(?:[.,;:!?(]|\s+(?:is|will|project)\b|$)",
            _I,
        ),
        re.compile(
            r"\b(?:lead|leader|owner|maintainer)\s+(?:for|of)\s+(?:the\s+)?"
            + _NAME
            + r"(?:[.,;:!?(]|\s+project\b|\s+(?:is\s+)?chang\w*\b|$)",
            _I,
        ),
        # "Diego project lead: Eric Malm replaces Jim Myers"
        re.compile(
            r"^\W*(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+(?:project\s+)?(?:lead|leader|owner"
            r"|maintainer)s?\s*:\s",
            _I,
        ),
        re.compile(_NAME + r"\s+needs?\s+(?:a\s+)?(?:new\s+)?(?:owner|maintainer|lead)", _I),
        re.compile(
            r"\bas\s+(?:the\s+)?(?:new\s+)?(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+(?:project\s+)?"
            r"lead(?:er)?\b",
            _I,
        ),
        re.compile(
            r"(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+(?:project\s+)?(?:ownership|leadership"
            r"|maintainership)\b",
            _I,
        ),
        re.compile(
            r"(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)(?:'s)?\s+(?:pm|project\s+manager|product\s+"
            r"manager|lead|leader|owner|maintainer)s?\s+(?:is\s+|are\s+|will\s+be\s+)?(?:chang"
            r"|mov|transition|switch|hand)",
            _I,
        ),
        re.compile(
            r"\bownership\s+of\s+(?:the\s+)?" + _NAME + r"(?:\s+(?:to|from)\b|[.,;:!?(]|$)", _I
        ),
    ],
    OTHER: [
        re.compile(
            r"\b(?:mov\w*|transfer\w*|donat\w*)\s+(?:of\s+)?" + _NAME + r"\s+(?:in)?to\s+"
            r"(?:the\s+)?(?:[\w.`-]+\s+){0,2}?(?:foundation|org|organi[sz]ation)\b",
            _I,
        ),
    ],
}


def subject_phrase(kind: str, plain: str) -> str | None:
    """The words naming what the statement is about, as written (None if it names none);
    a pronoun ("this", "the plugin") is returned as it is, for the caller to resolve."""
    for pattern in _SUBJECT_PATTERNS[kind]:
        match = pattern.search(plain[:MAX_STATEMENT])
        if match is None:
            continue
        phrase = _clean_phrase(match["s"])
        if phrase:
            return phrase
    return None


_CLAUSE_BREAK = re.compile(
    r"[.!?:;]\s+|\s+[-–—]\s+|,\s+(?=(?:and\s+so|so|but|which|because|since|while|as|although"
    r"|though|then|and\s+then|and\s+(?:it|we|they|this|that))\b)",
    _I,
)


def _clean_phrase(phrase: str) -> str:
    """The last clause of a phrase, without leading filler words."""
    phrase = _CLAUSE_BREAK.split(phrase.strip())[-1]
    words = phrase.split()
    while words and words[0].casefold().strip(",\"'") in _NOISE_WORDS:
        words.pop(0)
    return " ".join(words).strip(" ,\"'")


def clean_subject(name: str) -> str:
    name = re.sub(r"\s+", " ", name.replace("`", "").replace("*", "")).strip(" ,;:!?\"'-–—[]")
    name = name.rstrip(".")
    words = name.split()
    while words and words[0].casefold() in _NOISE_WORDS:
        words.pop(0)
    while words and words[-1].casefold().strip(".,") in _TRAILING_NOISE and len(words) > 1:
        words.pop()
    return " ".join(words).strip(" ,;:!?\"'-–—").rstrip(".")


def valid_subject(name: str) -> bool:
    if not name or len(name) > 80 or not re.search(r"[A-Za-z]", name):
        return False
    words = name.split()
    if len(words) > 7 or all(word.casefold() in _NOISE_WORDS for word in words):
        return False
    return not (PRONOUN.match(name) or ORGANISATION.match(name))


def new_name_in(plain: str) -> str:
    match = re.search(
        r"\brenam\w*\s+(?:.+?)\s+(?:to|as|into)\s+(?P<new>[^.;,!?()]+?)\s*(?:[.;,!?(]|\s+(?:then"
        r"|so|because|since|after|before|when|once)\b|$)"
        r"|\brenamed\s+(?:to\s+|as\s+)?(?P<new2>[^.;,!?()]+?)\s*(?:[.;,!?(]|\s+then\b|$)"
        r"|\bnow\s+(?:called|named|known\s+as)\s+(?P<new3>[^.;,!?()]+?)\s*(?:[.;,!?(]|$)"
        r"|\bchange\W?\s+from\s+.+?\s+to\s+(?P<new4>[^.;,!?()]+?)\s*(?:[.;,!?(]|$)",
        plain,
        _I,
    )
    if match is None:
        return ""
    new = match["new"] or match["new2"] or match["new3"] or match["new4"] or ""
    quoted = re.match(r"\s*[\"'`“‘](?P<name>[^\"'`”’]+)[\"'`”’]", new)
    if quoted is not None:  # "to 'cf-networking' was approved"
        new = quoted["name"]
    new = clean_subject(new)
    if len(new.split()) > 4 and " and " in new:  # "X and posted it to bosh.io"
        new = new.split(" and ", 1)[0]
    return new if valid_subject(new) and len(new.split()) <= 5 else ""
