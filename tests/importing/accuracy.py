"""How the notes parser's lifecycle items compare with what a careful reader found.

`expected/lifecycle.json` lists, per sample file, each item with its kind, subject, tier
(core, secondary, implicit) and `proposal_key`. An item is found when the parser reports
an item in the same file with the same kind about the same subject; subjects match when
they are the same name once case and punctuation are ignored, when one contains the
other, or when they share a distinctive word ("CF Eclipse Tooling", "Eclipse plugin").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pmc.notes import LifecycleMention, MeetingNotes, normalized_name, read_notes

NOTES = Path(__file__).resolve().parent.parent / "fixtures" / "notes"
TIERS = ("core", "secondary", "implicit")
KINDS = {
    "attic/archive": "attic",
    "incubation": "incubation",
    "promotion to active": "promotion",
    "ownership change": "ownership",
    "rename": "rename",
    "other": "other",
}
# Words too common in project names to tell two subjects apart.
_COMMON = {
    "cf", "cloud", "foundry", "the", "a", "of", "for", "and", "project", "projects", "plugin",
    "client", "api", "release", "broker", "pmc", "tool", "tools", "tooling", "bot", "lib",
    "extensions", "extension", "service", "services", "server", "to", "in",
}  # fmt: skip


def expected_items() -> list[dict]:
    return json.loads((NOTES / "expected" / "lifecycle.json").read_text(encoding="utf-8"))


def expected_meetings() -> list[dict]:
    return json.loads((NOTES / "expected" / "meetings.json").read_text(encoding="utf-8"))


def read_sample(path: str) -> MeetingNotes:
    notes = read_notes(path, (NOTES / path).read_bytes())
    assert isinstance(notes, MeetingNotes), notes
    return notes


def subjects_match(expected: dict, mention: LifecycleMention) -> bool:
    ours = [mention.subject, mention.project]
    if mention.repository_url:
        ours.append(mention.repository_url.rstrip("/").rsplit("/", 1)[-1])
    theirs = [expected["subject"].split(" -> ")[0], expected["proposal_key"].split(":")[1]]
    for a in ours:
        for b in theirs:
            x, y = normalized_name(a), normalized_name(b)
            if x and y and (x == y or (min(len(x), len(y)) >= 3 and (x in y or y in x))):
                return True
    words = {w for s in ours for w in _words(s)}
    return bool(words & {w for s in theirs for w in _words(s)})


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[\W_]+", text.casefold()) if len(w) > 1} - _COMMON


def matches(expected: dict, mention: LifecycleMention) -> bool:
    return KINDS[expected["kind"]] == mention.kind and subjects_match(expected, mention)


def best_match(expected: dict, mentions) -> LifecycleMention | None:
    """The item that matches best: the same name before a shared word."""
    candidates = [mention for mention in mentions if matches(expected, mention)]
    wanted = {normalized_name(expected["subject"]), normalized_name(expected["proposal_key"])}
    wanted.add(normalized_name(expected["proposal_key"].split(":")[1]))
    exact = [m for m in candidates if normalized_name(m.subject) in wanted]
    return (exact or candidates or [None])[0]


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    reported: int = 0
    correct: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0


def score() -> dict[str, Score]:
    """Recall per tier of the expected items; precision per tier the parser gave its
    items (an item is correct when it matches any expected item of its file)."""
    items = expected_items()
    files = sorted({item["file"] for item in items} | {m["file"] for m in expected_meetings()})
    scores = {tier: Score() for tier in (*TIERS, "all")}
    for path in files:
        mentions = read_sample(path).mentions
        wanted = [item for item in items if item["file"] == path]
        for item in wanted:
            found = any(matches(item, mention) for mention in mentions)
            for tier in (item["tier"], "all"):
                scores[tier].expected += 1
                scores[tier].found += found
                if not found:
                    scores[tier].missed.append(f"{path}:{item['line']} {item['subject']}")
        for mention in mentions:
            correct = any(matches(item, mention) for item in wanted)
            for tier in (mention.tier, "all"):
                scores[tier].reported += 1
                scores[tier].correct += correct
                if not correct:
                    scores[tier].extra.append(f"{path}:{mention.line} {mention.subject}")
    return scores


def report(scores: dict[str, Score] | None = None) -> str:
    scores = scores or score()
    lines = [
        "Lifecycle items in tests/fixtures/notes (against expected/lifecycle.json):",
        f"  {'tier':<10} {'expected':>8} {'found':>6} {'recall':>7} {'reported':>9} "
        f"{'correct':>8} {'precision':>9}",
    ]
    for tier, s in scores.items():
        lines.append(
            f"  {tier:<10} {s.expected:>8} {s.found:>6} {s.recall:>7.0%} {s.reported:>9} "
            f"{s.correct:>8} {s.precision:>9.0%}"
        )
    everything = scores["all"]
    if everything.missed:
        lines.append("  missed: " + "; ".join(everything.missed))
    if everything.extra:
        lines.append("  not expected: " + "; ".join(everything.extra))
    return "\n".join(lines)
