"""The notes parser never raises, whatever the bytes: random mutations of the samples
(with a fixed seed, so a failure can be replayed) and random bytes."""

from __future__ import annotations

import random
import time

from django.test import SimpleTestCase

from pmc.notes import MeetingNotes, NotMeeting, Unreadable, parse_lifecycle, read_notes
from tests.importing.accuracy import NOTES, expected_meetings

SEED = 20_170_516
ROUNDS = 60
# Pieces of markdown (and of broken markdown) spliced into the notes.
PIECES = [
    "#", "## ", "### ", "# Projects\n", "## Backlog Reviews\n", "### X - Y\n", "- ", "  - ",
    "* ", "1. ", "```", "~~~", "`", "**", "__", "~~", "[", "]", "(", ")", "[x](", "[a][b]",
    "[b]: https://github.com/o/r\n", "<https://github.com/o/r>", "https://github.com/", "|",
    "| a | b |\n|---|---|\n", "\t", "\r", "\n", "\n\n", "---\n", "===\n", ":", "?", "!",
    "to the attic", "rename", " to ", "incubation", "Decision: ", "nominated ", "Welcome ",
    "lead", "(", "(?)", "(vacant)", "(incubating)", "KÃ¶per", "é", "–", "\u200b", "\ufeff",
    "\x00", "\x1b", "\\", "'", '"', "it", "this", "these projects", " when ", " and ",
]  # fmt: skip


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 12)):
        where = rng.randint(0, len(text))
        action = rng.random()
        if action < 0.45:
            text = text[:where] + rng.choice(PIECES) + text[where:]
        elif action < 0.65:
            text = text[:where] + text[where + rng.randint(1, 200) :]
        elif action < 0.8:
            lines = text.split("\n")
            rng.shuffle(lines)
            text = "\n".join(lines[: rng.randint(0, len(lines))])
        elif action < 0.9:
            start = rng.randint(0, len(text))
            text = text[:where] + text[start : start + rng.randint(0, 400)] + text[where:]
        else:
            text = text[:where]
    return text


class FuzzTests(SimpleTestCase):
    def assertReads(self, name: str, data: bytes) -> None:
        started = time.perf_counter()
        try:
            result = read_notes(name, data)
        except Exception as error:  # any exception is the failure
            self.fail(f"{name}: {type(error).__name__}: {error} on {data[:300]!r}")
        self.assertIsInstance(result, MeetingNotes | NotMeeting | Unreadable)
        self.assertLess(time.perf_counter() - started, 2.0, f"{name} took too long")

    def test_it_never_raises_on_mutated_samples(self):
        rng = random.Random(SEED)  # noqa: S311 - replayable mutations, not secrets
        for meeting in expected_meetings():
            text = (NOTES / meeting["file"]).read_text(encoding="utf-8")
            for round_ in range(ROUNDS):
                with self.subTest(file=meeting["file"], round=round_):
                    self.assertReads(meeting["file"], mutate(rng, text).encode("utf-8"))

    def test_it_never_raises_on_mutated_bytes(self):
        rng = random.Random(SEED + 1)  # noqa: S311
        data = (NOTES / "Runtime/2017/2017-05-16-runtime.md").read_bytes()
        for round_ in range(ROUNDS * 4):
            mutated = bytearray(data[: rng.randint(0, len(data))])
            for _ in range(rng.randint(0, 20)):
                if mutated:
                    mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            with self.subTest(round=round_):
                self.assertReads("Runtime/2017-05-16.md", bytes(mutated))

    def test_it_never_raises_on_random_bytes_and_names(self):
        rng = random.Random(SEED + 2)  # noqa: S311
        for round_ in range(ROUNDS * 4):
            data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 600)))
            name = rng.choice(["Runtime/2017-05-16.md", " 10-30-2017.md", "x/", "", "a.md"])
            with self.subTest(round=round_):
                self.assertReads(name, data)

    def test_it_never_raises_on_pathological_text(self):
        for text in [
            "[" * 5000,
            "- " * 5000,
            ("    " * 50 + "- item\n") * 50,
            "rename " * 2000 + " to x",
            "move " + "a " * 3000 + "to the attic",
            "## Backlog Reviews\n" + "### T - L\n" * 2000,
            "`" * 3001,
            "*" * 4000 + "attic",
        ]:
            with self.subTest(text=text[:30]):
                started = time.perf_counter()
                parse_lifecycle(text)
                self.assertReads("Runtime/2017-05-16.md", text.encode())
                self.assertLess(time.perf_counter() - started, 4.0)
