"""The kinds of lifecycle change, and the words that say an item is one."""

from __future__ import annotations

import re

from pmc.notes import rules

_I = re.IGNORECASE

ATTIC, INCUBATION, PROMOTION = "attic", "incubation", "promotion"
OWNERSHIP, RENAME, OTHER = "ownership", "rename", "other"
KINDS = (ATTIC, INCUBATION, PROMOTION, OWNERSHIP, RENAME, OTHER)

PROPOSAL_TALK = re.compile(r"\bpropos(?:al|als|ed|es|ing)\b|\bvot(?:e|ed|es|ing)\b", re.I)

# Words that say which kind of change an item is. "Strong" words mean a lifecycle change
# wherever they are written; "weak" ones only where the meeting handles such business
# (not inside a team's report of its work, where "archive" and "retire" are technical).
STRONG_CUES = [
    (RENAME, re.compile(r"\brenam(?:e|ed|es|ing)\b|\bname\W{0,2}\s+\W?change\W?\s+from\b", _I)),
    (ATTIC, re.compile(r"\battic\b|\bend[\s-]of[\s-]lifed\b|\beol(?:'?d|'?ed)\b", _I)),
    (
        PROMOTION,
        re.compile(
            r"\b(?:to|into)\s+(?:the\s+)?active\b(?!-)|\bgraduat(?:e|ed|es|ing|ion)\b"
            r"|\bout\s+of\s+incubation\b|\bexit(?:s|ed|ing)?\s+incubation\b",
            _I,
        ),
    ),
    (
        INCUBATION,
        re.compile(
            r"\bincubat(?:e|ed|es|ion)\b|^\W*incubating\s+(?!\))"
            r"|\b(?:accepted|admitted|approved|proposed|entered|entering|accept)\s+(?:as|for|into)"
            r"\s+(?:an?\s+)?incubat"
            r"|\b(?:in|into|to)\s+(?:the\s+)?cloudfoundry-incubator\b(?!/)"
            r"|\b(?:into|to)\s+(?:the\s+)?(?:cloud\s*foundry\s+|cf\s+)?incubator\b"
            r"|\b(?:is|are)\s+(?:now\s+)?(?:officially\s+)?incubating\b",
            _I,
        ),
    ),
    (
        OWNERSHIP,
        re.compile(
            r"\b(?:project\s+)?lead(?:er)?(?:ship)?\s+(?:nominations?|openings?|change"
            r"|vacancy|vacant|handover|transition|confirmations?|positions?\s+(?:are\s+)?open)\b"
            r"|\bproject\s+lead(?:er)?(?:ship)?\s+elections?\b"
            r"|\blead(?:er)?(?:ship)?\s+elections?\s+(?:for|of)\s+(?:the\s+)?[\w.-]+\s+project\b"
            r"|\bnominat(?:e|ed|es|ing|ion|ions)\b"
            r"|\bvacancy\s+for\b(?=.*\b(?:lead|leader|pm)\b)"
            r"|\bnew\s+(?:project\s+)?(?:lead|leader|owner|maintainer|pm|project\s+manager"
            r"|product\s+manager)s?\b"
            r"|\bneeds?\s+(?:a\s+)?(?:new\s+)?(?:owner|maintainer|lead)s?\b"
            r"|\b(?:take|takes|taking|took|taken|hand\w*|transfer\w*|pass\w*|give\w*|mov\w*)"
            r"\s+(?:over\s+|off\s+)?(?:the\s+)?ownership\b|\bownership\s+(?:of\s+.{1,60}?\s+)?"
            r"(?:change|transfer|handover|transition|(?:to|moves?|moved|passes|passed)\s)"
            r"|\b(?:step(?:s|ping|ped)?\s+down|tak(?:e|es|en|ing)\s+over|took\s+over|hand(?:s|ed"
            r"|ing)?\s+(?:\w+\s+)?over)\b(?=.*\b(?:lead|owner|maintain\w*|project|pm"
            r"|responsibilit\w*)\b)"
            r"|^\W*welcome\s+\S"
            # the lead who writes the report leaving it ("as I am rolling off the team")
            r"|\b(?:i\s+am|i'm|i\s+will\s+be)\s+(?:rolling|stepping|moving)\s+(?:off|down|away)\b"
            r"|\b(?:as|be)\s+(?:the\s+)?(?:new\s+)?(?:[\w.-]+\s+){0,4}?(?:project\s+)?"
            r"(?:lead(?:er)?|pm)\b(?!-|\s+(?:shadow|dojo|rotation|trainee|training|intern"
            r"|elections?)\b)"
            r"|\bfor\s+(?:the\s+)?(?:[\w.-]+\s+){1,3}?project\s+lead(?:er)?\b(?!\s+for)"
            r"|\bto\s+be\s+(?:one\s+of\s+)?(?:the\s+)?(?:[\w.-]+\s+){0,3}?(?:pm|lead)s?\b"
            r"|\b(?:pm|project\s+manager|product\s+manager|lead|leader|owner|maintainer)s?\s+"
            r"(?:is\s+|are\s+|will\s+be\s+)?(?:chang\w+|mov\w+|transition\w*|switch\w*|hand\w*)"
            r"\s+(?:over\s+)?to\b",
            _I,
        ),
    ),
]


def any_word(*stems: str) -> re.Pattern:
    """A pattern that a lower-cased text contains when it contains any of `stems`
    (regular expressions, each starting with a lower-case letter), for testing whether
    one is there: the stems are grouped by their first letter, so that at each letter
    the engine tries only the stems that start with it, not all of them (three times
    faster on the sample notes than the plain alternation)."""
    groups: dict[str, list[str]] = {}
    for stem in stems:
        if not ("a" <= stem[0] <= "z"):
            raise ValueError(f"{stem!r} does not start with a lower-case letter")
        groups.setdefault(stem[0], []).append(stem[1:])
    return re.compile("|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in groups.items()))


# Every cue below contains one of these words: a statement without any is skipped fast
# (matched against lower-cased text: much faster than an IGNORECASE alternation).
# "p(?<!\wp)m\b" is "\bpm" written to start with a letter.
ANY_CUE = any_word(
    "renam", "attic", "active", "graduat", "incubat", "lead", "nominat", "owner", "maintain",
    "hand", "welcome", "archiv", "retir", "sunset", "decommission", "promot", "mov",
    "transfer", "donat", "migrat", "step", "tak", "took", "roll", r"name\W{0,3}\s*\W?chang",
    r"p(?<!\wp)m\b", "manager", "vacan", "split", "merg", "consolidat", "onboard", "join",
    r"eol\b", r"end\s+of\s+life", r"new\s+(?:\w+\s+)?(?:team|project)",
    r"new\s+(?:open\s+|public\s+)?[\w.]*-", r"lifecycle\s+process",
    *(rf"{word}\s+(?:at|in|on)\b" for word in ("lable", "hosted", "located", "lives", "living")),
)  # fmt: skip

# Someone standing in or training for a role, not taking it (matched on the words just
# before a lead change's and on them).
STAND_IN = re.compile(
    r"\b(?:dojo\S*|shadow\w*|interim|acting|temporar\w*|cover\w*|fill\w*\s+in|stand\w*\s+in"
    r"|on\s+behalf)\b",
    _I,
)
LEAVES_INCUBATION = re.compile(r"\b(?:out\s+of|exit\w*|from)\s+incubat", _I)
WEAK_CUES = [
    (
        ATTIC,
        re.compile(
            r"\b(?:archiv(?:e|ed|es|ing)|retir(?:e|ed|es|ing|ement)|sunset(?:ting|ted)?"
            r"|decommission(?:ed|ing)?)\b",
            _I,
        ),
    ),
    (PROMOTION, re.compile(r"\bpromot(?:e|ed|es|ing|ion)\b(?=.*\b(?:active|project)\b)", _I)),
    (
        # "Project lead for Garden changes from A to B", "Diego lead: B replaces A"
        OWNERSHIP,
        re.compile(
            r"\b(?:lead|leader|owner|maintainer)s?\b[^.;]{0,60}?\b(?:chang\w*\s+from"
            r"|replac(?:es|ing)|succeed(?:s|ing))\b"
            # "OpenStack CPI ownership" as a lifecycle topic
            r"|\bownership\b",
            _I,
        ),
    ),
    (
        OTHER,
        re.compile(
            r"\b(?:mov(?:e|ed|es|ing)|transfer(?:s|red|ring)?|donat(?:e|ed|es|ing)"
            r"|migrat(?:e|ed|es|ing|ion))\b"
            r".{0,160}?\b(?:in)?to\s+(?:the\s+)?(?:[\w.-]+\s+){0,2}?(?:foundation|org|"
            r"organi[sz]ation|github\s+org|cff)\b",
            _I,
        ),
    ),
]
# Not lifecycle business, even under "PMC Lifecycle Activities" (matched lower-cased).
NOT_LIFECYCLE = re.compile(
    r"\bmeetings?\s+(?:time|times|schedule|slot|cadence|day|invite)s?\b"
    r"|\b(?:mov\w*|chang\w*|shift\w*|reschedul\w*)\s+(?:the\s+|our\s+)?(?:pmc\s+)?"
    r"(?:meeting|call|sync)s?\b"
    r"|\b(?:meeting|call)s?\s+(?:will\s+|to\s+)?(?:now\s+)?(?:be\s+)?(?:held\s+)?(?:mov\w*|every"
    r"|bi-?weekly|monthly|weekly)\b"
    r"|\bevery\s+(?:other|two|second|four|fourth)\s+weeks?\b|\bbi-?weekly\b"
    r"|\bdeprecat\w*\b"
    r"|\b(?:retir\w*|archiv\w*|sunset\w*|remov\w*)\s+(?:of\s+)?(?:the\s+)?(?:[\w.`-]+\s+){0,3}?"
    r"(?:apis?|endpoints?|features?|flags?|propert(?:y|ies)|commands?|options?|fields?"
    r"|support|stacks?|stemcells?|versions?|parameters?|manifests?|jobs?|metrics?|headers?"
    r"|settings?|logs?|data|builds?|pipelines?|environments?|envs?|vms?|tiles?)\b"
    r"|\brestructur\w*|\breorgani[sz]\w*\s+(?:the\s+)?releases?"
    r"|\brelease\s+(?:cadence|process|schedule|train|strategy|structure)\b"
    r"|\bsplit(?:ting)?\s+(?:\S+\s+){0,4}into\s+(?:separate|multiple|smaller)\b"
    r"|\bmailing\s+list\b"
)
_FEATURE_NOUNS = re.compile(
    r"\b(?:propert(?:y|ies)|flags?|commands?|fields?|variables?|endpoints?|jobs?|metrics?"
    r"|columns?|parameters?|methods?|functions?|files?|director(?:y|ies)|folders?|branch(?:es)?"
    r"|channels?|teams?|keys?|tables?|params?|env(?:ironment)?\s+vars?|ops-files?|options?"
    r"|applications?|apps|instances?|routes?|clusters?|initiatives?|labels?|tags?)\b",
    _I,
)

LABEL = re.compile(
    r"^\W*(?:to\s+be\s+|being\s+)?(?:(?:move|moving|moved|proposed|proposals?|candidates?"
    r"|nominated|ready|put|going)\s+)?"
    r"(?:(?:to|for|into)\s+)(?:the\s+)?(?:be\s+)?(?P<label>attic|archive|archived|archival"
    r"|retired?|retirement|active|incubation|incubator|incubated|graduation|graduated"
    r"|promotion|promoted|rename|renamed|renaming)\W*$"
    r"|^\W*(?P<noun>renames|lead\s+changes?|ownership\s+changes?|new\s+leads?)\W*$"
    r"|^\W*(?P<topic>attic|archive|archival|retirement|incubation|incubator|promotion"
    r"|graduation|rename)\s+(?:proposals?|candidates?|requests?)\W*$",
    _I,
)
LABEL_KINDS = {
    "attic": ATTIC, "archive": ATTIC, "archived": ATTIC, "archival": ATTIC, "retire": ATTIC,
    "retired": ATTIC, "retirement": ATTIC, "active": PROMOTION, "graduation": PROMOTION,
    "graduated": PROMOTION, "promotion": PROMOTION, "promoted": PROMOTION,
    "incubation": INCUBATION, "incubator": INCUBATION, "incubated": INCUBATION,
    "rename": RENAME, "renamed": RENAME, "renaming": RENAME, "renames": RENAME,
}  # fmt: skip


def renames_a_feature(plain: str, cue: re.Match) -> bool:
    """Whether what is renamed is a property, flag, command, ... rather than a project:
    the words just before "renamed" or between "rename" and "to" name one."""
    after = re.split(r"\s(?:to|as|into)\s", plain[cue.end() : cue.end() + 160], maxsplit=1)[0]
    before = " ".join(plain[: cue.start()].split()[-3:])
    if re.match(r"\s+(?:to|as)\s", plain[cue.end() :]) or not after.strip(" .,;"):
        after = ""  # "X was renamed to Y", "some diego metrics renamed"
    else:
        before = ""
    return bool(_FEATURE_NOUNS.search(after) or _FEATURE_NOUNS.search(before))


def is_meeting_change(plain: str) -> bool:
    return bool(
        re.search(
            r"\bmeetings?\s+(?:time|times|schedule|slot|cadence|day)\b|\b(?:meeting|call)s?\s+"
            r"(?:will\s+|to\s+)?(?:now\s+)?(?:be\s+)?(?:held\s+)?(?:mov\w*|every|bi-?weekly)\b"
            r"|\bmailing\s+list\b",
            plain,
            _I,
        )
    )


# Changes to a project's shape, each read by the rule named beside it (`rules`): a new
# team or project, a split, a merge, a project joining a PMC, a lifecycle process
# proposed, a project's end of life. The last field says whether the words count only
# where the meeting handles business (True) or anywhere (False).
# Every cue of `SHAPE_CUES` contains one of these words (matched lower-cased).
ANY_SHAPE_CUE = re.compile(
    r"new\s|split|merg|consolidat|combin|unif|join|onboard|pmc|eol\b|end\s+of\s+life|folded"
    r"|absorbed|propos|github"
)
SHAPE_CUES = [
    (
        INCUBATION,
        rules.JOINS_COMMITTEE,
        re.compile(
            r"\b(?:join(?:s|ed|ing)?|onboard(?:s|ed|ing)?|be\s+(?:part\s+of|in)|accept(?:s|ed|ing)?"
            r"(?:\s+\S+){0,3}?\s+(?:in)?to|admit(?:s|ted|ting)?(?:\s+\S+){0,3}?\s+(?:in)?to)\s+"
            r"(?:to\s+|into\s+)?(?:the\s+)?(?:[\w.-]+\s+){0,2}?PMC\b(?!\s+(?:meeting|call|notes"
            r"|sync|agenda|channel|slack|mailing)s?\b)",
            _I,
        ),
        False,
    ),
    (
        OTHER,
        rules.NEW_TEAM_OR_PROJECT,
        re.compile(
            r"\b(?:creat|form|start|establish|spin\w*\s+up|set\w*\s+up)\w*\s+(?:the\s+|a\s+)?"
            r"(?:[\w.-]+\s+){1,4}?as\s+(?:a\s+|an\s+)?new\s+(?:\w+\s+)?(?:team|project)\b"
            r"|\bnew\s+(?:open\s+|public\s+)?[\w.]*-[\w.-]*\s+repo(?:sitory)?\b",
            _I,
        ),
        True,
    ),
    (
        OTHER,
        rules.TEAM_SPLIT,
        re.compile(
            r"\bsplit(?:s|ting)?\s+(?:up\s+)?(?:the\s+)?(?:[\w.-]+\s+){1,3}?(?:team|project)s?\s+"
            r"(?:in|into)\s+(?:two|three|four|\d)\b",
            _I,
        ),
        True,
    ),
    (
        OTHER,
        rules.PROJECTS_MERGED,
        re.compile(
            r"\b(?:consolidat|merg|combin|unif)\w*\s+.{1,80}?\s+into\s+(?:a\s+|one\s+)?(?:single"
            r"|new|unified|combined)\s+(?:[\w.-]+\s+){1,3}?(?:project|team)\b",
            _I,
        ),
        True,
    ),
    (
        OWNERSHIP,
        rules.MERGED_INTO_TEAM,
        re.compile(
            r"\b(?:team|project)\b[^.;]{0,60}?\b(?:merged|folded|absorbed)\s+into\s+(?:the\s+)?"
            r"(?:[\w.-]+\s+){1,3}?team\b",
            _I,
        ),
        True,
    ),
    (
        OTHER,
        rules.PROCESS_PROPOSAL,
        re.compile(
            r"^\W*proposals?\s*[:\-–—]\s*(?:[\w.-]+\s+){0,3}?(?:incubation|graduation|attic"
            r"|archiv\w*|retirement|lifecycle)\s+(?:process|policy|guidelines|criteria)\b",
            _I,
        ),
        False,
    ),
    (
        OTHER,
        rules.HOSTED_ELSEWHERE,
        re.compile(
            r"\b(?:repo(?:sitory|sitories|s)?|project|code)\s+(?:is|are|has|have)\s+(?:now\s+)?"
            r"(?:been\s+)?(?:a\w{1,4}able|hosted|located|living|lives|moved)\s+(?:at|in|to|on)\s+"
            r"(?:https?://)?(?:www\.)?github\.com/(?!cloudfoundry)[\w.-]+/",
            _I,
        ),
        False,
    ),
    (
        ATTIC,
        rules.END_OF_LIFE,
        # "DEA EOL proposal", "Discuss/Approve DEA EOL communication plan"
        re.compile(
            r"\b[A-Z][\w.-]*s?\s+(?:EOL|[Ee]nd[\s-]of[\s-][Ll]ife)\s+(?:[Pp]roposal|[Pp]lan"
            r"|[Cc]ommunication|[Tt]imeline|[Dd]ecision|[Vv]ote)"
        ),
        True,
    ),
]
