"""What an item is about: the project a statement names, cleaned of filler words, and
a rename's new name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pmc.notes import rules
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
# Words a name never ends with: the phrase was cut after them.
_DANGLING = {
    "a", "an", "the", "has", "have", "had", "is", "are", "was", "were", "will", "would",
    "of", "for", "to", "with", "by", "at", "on", "and", "or", "they", "it", "we", "our",
    "off", "over",
}  # fmt: skip
_TRAILING_NOISE = {
    "project", "repo", "repository", "repos", "repositories", "now", "too", "also", "itself",
    "team",
}  # fmt: skip
PRONOUN = re.compile(
    r"^(?:it|this|that|these|those|them|they|one|"
    r"(?:(?:the|this|that|our|its|their|primary|main|new|old|same)\s+)?(?:repo|repository"
    r"|project|plugin|tool|library|client|cli|sdk|one|code(?:base)?|release|component"
    r"|extension|broker|team)"
    # "incubate it next quarter", "archive them soon"
    r"|(?:it|them|this|that)\s+(?:next|now|soon|later|today|tomorrow|this|in|by|after|before"
    r"|once|when|at|too|also|as|then|first|back|over|up|out|from|to)\b.*)$",
    _I,
)
# Common nouns that a change is sometimes said of but that are never a project's name
# ("graduating features", "renaming all applications").
_NOT_A_PROJECT = re.compile(
    r"^(?:(?:all|the|our|some|its|their)\s+)?(?:features?|applications?|apps?|people|users?"
    r"|metrics?|images?|initiatives?|process(?:es)?|things?|stuff|work|items?|topics?"
    r"|responsibilit(?:y|ies)|support|docs?|documentation)$",
    _I,
)


_QUANTIFIERS = {
    "these", "those", "the", "our", "all", "some", "several", "both", "following", "other",
    "incubating", "active", "new", "old", "existing", "remaining", "various", "many", "its",
    "their", "two", "three", "four", "five", "multiple", "of", "a", "few",
}  # fmt: skip


def is_generic_plural(phrase: str) -> bool:
    """Whether the phrase stands for several projects listed elsewhere ("these
    projects", "the following repos"), not a name that ends in a plural ("cc bridge
    components")."""
    match = GENERIC_PLURAL.search(phrase)
    if match is None:
        return False
    if match.start() == 0 or re.search(r"\b(?:projects|teams)\s*$", phrase, _I):
        return True  # "HP projects": several projects, not one
    words = phrase[: match.start()].split()
    return all(word.casefold() in _QUANTIFIERS for word in words)


def is_pronoun(phrase: str) -> bool:
    """Whether the phrase stands for a project named elsewhere ("it", "the plugin"); an
    acronym written in capitals ("CLI", "SDK") is a name."""
    if re.fullmatch(r"[A-Z]{2,}", phrase.strip()):
        return False
    return bool(PRONOUN.match(phrase) or GENERIC_NOUN.match(phrase))


GENERIC_PLURAL = re.compile(
    r"\b(?:projects|repos|repositories|plugins|libraries|tools|releases|components|extensions"
    r"|teams|initiatives)\s*$|^(?:several|some|all|these|those|the\s+following|following|both|multiple|two|three"
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
            r"\b(?:end[\s-]of[\s-]lifed|eol'?e?d)\s+(?:the\s+)?"
            + _NAME
            + r"(?:[,;:!?(]|\s+(?:and|as|because|since|story|in)\b|$)",
            _I,
        ),
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
            r"(?!(?:to|in|into|at|by|on|soon|next|this|later|after|before|once|when|now|for)\b)"
            + _NAME
            + r"(?:\s+(?:to|in|into|as|because|since|when|once|after|at|and)\b|[,;:!?(]|$)",
            _I,
        ),
    ],
    INCUBATION: [
        # "Ryan Morgan proposed receptor-client for acceptance into incubation"
        re.compile(
            r"\b(?:propos\w*|nominat\w*|submit\w*)\s+" + _NAME + r"\s+(?:for|as)\s+"
            r"(?:acceptance\s+(?:in|into|to)\s+)?(?:the\s+)?(?:an?\s+)?incubat",
            _I,
        ),
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
        # "Working on a proposal for a Bits Service": a thing the team names, capitalised
        re.compile(
            r"\bproposal\s+for\s+an?\s+(?-i:(?P<s>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3}))\b", _I
        ),
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
        # "CF networking is out of incubation"
        re.compile(
            _NAME + r"\s+(?:is|are|was|were|has\s+been|have\s+been|comes?|came|got)\s+"
            r"(?:now\s+|officially\s+)?out\s+of\s+(?:the\s+)?incubat",
            _I,
        ),
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
        # "Jeremy Morony for UAA project lead", "vacancy for CLI project lead"
        re.compile(
            r"\bfor\s+(?:the\s+)?(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+project\s+"
            r"lead(?:er)?\b(?!\s+for)",
            _I,
        ),
        # "Taking over responsibility for nats-release from Infrastructure team"
        re.compile(
            r"\b(?:tak\w*|took)\s+over\s+(?:the\s+)?(?:responsibilit(?:y|ies)|ownership"
            r"|maintenance|maintainership)\s+(?:for|of)\s+(?:the\s+)?"
            + _NAME
            + r"(?=\s+from\b|[.,;:!?(]|$)",
            _I,
        ),
        # "the PM responsibilities for the CLI team"
        re.compile(
            r"\b(?:pm|lead|project\s+manager|product\s+manager)\s+(?:responsibilit(?:y|ies)|role"
            r"|duties)\s+(?:for|of|on)\s+(?:the\s+)?" + _NAME + r"(?:\s+team\b|[.,;:!?(]|\s|$)",
            _I,
        ),
        # "to be one of the garden PMs", "be the new CAPI PM"
        re.compile(
            r"\b(?:to\s+be|be|as)\s+(?:one\s+of\s+)?(?:the\s+)?(?:new\s+)?"
            r"(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+(?:project\s+)?(?:pm|lead(?:er)?)s?\b"
            r"(?!\s+(?:for|of)\b)",
            _I,
        ),
        re.compile(
            r"\b(?:project\s+)?lead(?:er)?(?:ship)?\s+(?:opening|nominations?|election|change"
            r"|vacancy|role|position|handover)s?\s+(?:for|of|on)\s+(?:the\s+)?"
            + _NAME
            + r"(?:\s+project\b|[.,;:!?(]|\s+(?:is|are|open|due|until|closes?)\b"
            r"|\s+and\s+(?:a\s+)?(?:request|call|ask)\w*\b|$)",
            _I,
        ),
        re.compile(
            r"(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)\s+(?:project\s+)?lead(?:er)?(?:ship)?\s+"
            r"(?:opening|nominations?|election|change|vacancy|vacant|role|position|handover)",
            _I,
        ),
        re.compile(
            r"\bnew\s+(?:project\s+)?(?:lead|leader|owner|maintainer|pm|project\s+manager"
            r"|product\s+manager)s?\s+(?:for|of)\s+"
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
            r"\bownership\s+of\s+(?:the\s+)?" + _NAME + r"(?:\s+(?:to|from)\b|[.,;:!?(]|$)", _I
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
    ],
    OTHER: [
        re.compile(
            r"\b(?:mov\w*|transfer\w*|donat\w*|migrat\w*)\s+(?:of\s+)?" + _NAME + r"\s+(?:in)?to\s+"
            r"(?:the\s+)?(?:[\w.`-]+\s+){0,2}?(?:foundation|org|organi[sz]ation|cff)\b",
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
        if phrase and phrase.split()[-1].casefold() not in _DANGLING:
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
    if words[-1].casefold() in _DANGLING:
        return False  # "Published a", "Primary repository has": a phrase cut short
    if _NOT_A_PROJECT.match(name):
        return False
    return not (is_pronoun(name) or ORGANISATION.match(name))


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


_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+|&\s+)?|\s+and\s+|\s*&\s*|\s*/\s+")
_PLURAL_NOUN = re.compile(
    r"\s+(?:projects|teams|repos|repositories|components|releases|tools|plugins)\s*$", _I
)


def several_names(phrase: str, *, at_least: int = 2) -> list[str]:
    """The projects a phrase lists ("Diego, Garden, Greenhouse projects", "Greenhouse and
    GrootFS teams"), each cleaned; [] when it is not a list of at least `at_least` short
    names. Without a comma, only a phrase ending in a plural noun is read as a list (a
    name may hold "and": "Routing and Container Networking")."""
    plural = _PLURAL_NOUN.search(phrase)
    bare = phrase[: plural.start()] if plural else phrase
    if "," not in bare and plural is None:
        return []
    names = [clean_subject(part) for part in _LIST_SEPARATOR.split(bare.strip(" .;:"))]
    names = [name for name in names if name]
    if len(names) < at_least:
        return []
    if not all(valid_subject(name) and len(name.split()) <= 4 for name in names):
        return []
    if any(name[0].islower() and " " in name for name in names):
        return []  # a clause ("work is done, tests pass"), not names
    return names


_SMALL_NAME = r"(?P<s>[\w`.-]+(?:\s+[\w`.-]+){0,3}?)"
_SHAPE_SUBJECTS: dict[str, list[re.Pattern]] = {
    rules.JOINS_COMMITTEE: [
        re.compile(
            _NAME + r"\s+(?:has\s+|have\s+|was\s+|is\s+|were\s+)?(?:officially\s+)?(?:joined"
            r"|onboarded|accepted|admitted)\b",
            _I,
        ),
    ],
    rules.NEW_TEAM_OR_PROJECT: [
        re.compile(
            r"\b(?:creat|form|start|establish)\w*\s+(?:the\s+|a\s+)?" + _NAME + r"\s+as\s+"
            r"(?:a\s+|an\s+)?new\b",
            _I,
        ),
        re.compile(
            r"(?:\bnew\s+(?:open\s+|public\s+)?|\ban?\s+)(?P<s>[\w.]*-[\w.-]*)\s+repo(?:sitory)?\b",
            _I,
        ),
    ],
    rules.TEAM_SPLIT: [
        re.compile(
            r"\bsplit\w*\s+(?:up\s+)?(?:the\s+)?" + _SMALL_NAME + r"\s+(?:team|project)s?\s+"
            r"(?:in|into)\b",
            _I,
        ),
    ],
    rules.PROJECTS_MERGED: [
        re.compile(
            r"\binto\s+(?:a\s+|one\s+)?(?:single|new|unified|combined)\s+"
            + _SMALL_NAME
            + r"\s+(?:project|team)\b",
            _I,
        ),
    ],
    rules.MERGED_INTO_TEAM: [
        # the name just before "team": a word and any capitalised words after it
        re.compile(
            r"(?P<s>[\w`.-]+(?:\s+[A-Z][\w`.-]*){0,2})\s+(?:[Pp]roject\s+)?[Tt]eam\b[^.;]{0,60}?"
            r"\b(?:merged|folded|absorbed)\s+into",
        ),
    ],
    rules.HOSTED_ELSEWHERE: [
        re.compile(
            r"^\W*(?P<s>[^.;:!?]{2,80}?)\s+(?:repo(?:sitory|sitories|s)?|project|code)\s+(?:is|are"
            r"|has|have)\s",
            _I,
        ),
    ],
    rules.PROCESS_PROPOSAL: [
        re.compile(r"^\W*proposals?\s*[:\-–—]\s*(?P<s>.+?)\W*$", _I),
    ],
    rules.END_OF_LIFE: [
        re.compile(r"\b(?P<s>[A-Z][\w.-]*?)s?\s+(?:EOL|end[\s-]of[\s-]life)\b"),
    ],
}


def shape_phrases(rule: str, plain: str) -> list[str]:
    """The words naming what a change of shape is about, as written; every repository
    a line names as new ("a new open mega-ci repo ... and a cf-deployment repo")."""
    phrases: list[str] = []
    for pattern in _SHAPE_SUBJECTS.get(rule, []):
        for match in pattern.finditer(plain[:MAX_STATEMENT]):
            phrase = _clean_phrase(match["s"])
            if phrase and phrase not in phrases:
                phrases.append(phrase)
        if phrases:
            return phrases
    return phrases
