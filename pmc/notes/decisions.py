"""How the notes record what became of an item: outcomes, decisions and conditions."""

from __future__ import annotations

import re

from pmc.notes.kinds import any_word

_I = re.IGNORECASE

OUTCOME_RANK = {"pending": 0, "deferred": 1, "approved": 2, "rejected": 2, "completed": 3}

DECISION_LABEL = re.compile(
    r"^\W*(?:final\s+)?(?:decision|decided|resolution|resolved|outcome|result|conclusion"
    r"|vote|voted|votes|agreed|approved|accepted|rejected)\s*[:\-–—]\s*(?P<text>.*)$",
    _I,
)

# Every decision contains one of these words: a statement that names no change (no word
# of `ANY_CUE`) is read for a decision only if it has one (matched lower-cased too).
ANY_DECISION = any_word(
    "decid", "decision", "agree", "approv", "accept", "reject", "declin", "objection",
    "consensus", "vot", "let", r"we\s", "resol", "outcome", "result", "conclu", "pass",
    "carri", "confirm", "hold",
)  # fmt: skip

DECIDED = re.compile(
    r"^\W*(?:agreed|approved|accepted|unanimous(?:ly)?|decided|passed|carried|confirmed)\b"
    r"|\b(?:it\s+was\s+(?:decided|agreed)|we\s+(?:decided|agreed)|(?:was|were|is|are|has\s+been"
    r"|have\s+been|got)\s+(?:officially\s+|unanimously\s+)?(?:approved|accepted|rejected"
    r"|declined|confirmed)|no\s+objections?|(?:officially|unanimously)\s+(?:accepted|approved|incubating)"
    r"|hold(?:ing)?\s+off|accepted\s+(?:for|as|into)\s+(?:an?\s+)?incubat\w*|vote\s+(?:passed|carried|failed)"
    r"|voted\s+(?:to|in\s+favou?r|for|against)|consensus|let'?s\s+(?:just\s+)?(?:move|go|do"
    r"|accept|approve|proceed|incubate|archive|retire|rename|promote)|we\s+(?:will|should|shall"
    r"|are\s+going\s+to)\s+(?:move|retire|archive|rename|promote|incubate|graduate|transfer)"
    # the outcome said after the item: "... to the attic. Approved.", "— approved by PMC vote"
    r"|(?:\s*[.;!)|]\s+|\s[—–-]+\s*|:\s+)(?:approved|accepted|agreed|passed|carried|rejected"
    r"|declined)|(?:approved|accepted|rejected)\s+by\s+(?:the\s+|a\s+|those\s+|all\s+)?(?:pmc"
    r"|committee|vote|consensus|everyone|all|attendees|members|participants)"
    r"|(?:motion|proposal|vote)\s+(?:passed|carried|accepted|approved))\b",
    _I,
)
_NEGATIVE = re.compile(
    r"\b(?:rejected|declined|decided\s+(?:not|against)|not\s+(?:be\s+)?(?:approved|accepted"
    r"|moved|incubated|promoted|archived|retired)|vetoed|objections?\s+(?:was|were)\s+raised"
    r"|no\s+consensus|vote\s+failed|voted\s+against)\b",
    _I,
)
_DEFERRED = re.compile(
    r"\b(?:defer(?:red)?|postpon\w+|tabled|on\s+hold|put\s+off|later\s+date"
    r"|hold(?:ing)?\s+off)\b",
    _I,
)
DONE = re.compile(
    r"\b(?:has\s+been|have\s+been|was|were|got|(?:is|are)\s+now)\s+(?:moved|renamed|archived"
    r"|retired|promoted|graduated|transferred|incubated|merged|migrated|onboarded)\b"
    r"|^\W*(?:we\s+)?(?:have\s+)?(?:moved|renamed|archived|retired|promoted|graduated|transferred"
    r"|migrated|onboarded|joined)\b|^\W*welcome\b"
    r"|\b(?:has|have)\s+(?:now\s+)?(?:taken\s+over|joined)\b|\btook\s+over\b"
    r"|\b(?:has|have)\s+a\s+new\s+(?:open\s+|public\s+)?[\w.]*-[\w.-]*\s+repo"
    r"|\bis\s+(?:now\s+)?out\s+of\s+incubation\b"
    r"|\b(?:is|are)\s+now\s+(?:a\w{1,4}able|hosted|located|living)\s+(?:at|in|on)\b"
    r"|\bis\s+now\s+(?:an?\s+)?(?:active|in\s+the\s+attic|called|named|known\s+as)\b"
    r"|\bgraduated\s+(?:from|out\s+of)\s+(?:the\s+)?incubat"
    r"|(?<!be )(?<!to )\b(?:moved|renamed|archived|retired|transferred|graduated|promoted"
    r"|migrated)\s+(?:in)?to\b",
    _I,
)
STILL_OPEN = re.compile(
    r"\b(?:awaiting|pending|propos\w+|consider\w*|nominations?\s+(?:are\s+)?(?:open|due)"
    r"|open\s+until|request\s+approval|vot(?:e|ing)\s+on)\b|\?",
    _I,
)
PROPOSAL_WORDS = re.compile(
    r"\b(?:propos\w+|vot(?:e|ed|es|ing)|nominat\w+|decid\w+|decision|agreed|approv\w+"
    r"|accept\w+|consider\w*|should|suggest\w*|objections?|welcome|needs?)\b|\?",
    _I,
)
CONDITION = re.compile(
    r"\b(?P<condition>(?:at\s+the\s+same\s+time(?:\s+as|\s+that)?|when|once|after|as\s+soon\s+as"
    r"|unless|provided\s+that|as\s+long\s+as)\s+[^.;!?:]{3,200})",
    _I,
)
NOT_A_CONDITION = re.compile(
    r"^\w+\s+(?:(?:a|the|some|this|our|today'?s)\s+)?(?:brief\s+|short\s+|some\s+|long\s+)?"
    r"(?:discussion|meeting|call|summit|today|now)\b",
    _I,
)


def decided(text: str) -> str:
    if _NEGATIVE.search(text):
        return "rejected"
    if _DEFERRED.search(text):
        return "deferred"
    return "approved"
