"""The names a project goes by, and the keys the import finds it by.

Notes spell one project many ways: "Bits Service" and "Bits-Service", "CF Local",
"cf-local" and "cflocal" (one normalised name: `normalized_name`); "CFCR (aka Kubo)"
(an alias in parentheses); "Service Fabrik repo migration", "CF Networking Product"
(the name followed by a generic noun and what the notes say of it); "CF Release
Integration" beside "Release Integration", "Release Int", "Brooklyn Broker" beside
"Brooklyn Service Broker", "Bit Service" beside "Bits Service". A name is read as three
sets of forms, each normalised:

- exact: the name as written;
- strong: the name without its parentheses, cut before a generic noun (or a noun for
  the sort of thing it is: "Eclipse plugin" and "Eclipse Tools for Cloud Foundry" are
  both "Eclipse"), a client or plugin named for what it serves ("java client for the
  Receptor API" is "Receptor client"), and what follows "aka" (or "also known as",
  "formerly"...): what the name means, whichever committee holds the project;
- loose: the name without a leading abbreviation, without one of its inner words, with
  its last word in the singular or cut short, and what other parentheses hold (a
  description, a team, a person). A loose form is only ever compared with the other
  name as given (its exact and strong forms), never with a loose form of it: two
  names each loosened ("Release Integration" and "Release Interface", both "Release
  Int") are not one.

Forms are compared whichever committee holds the project: one project is discussed in
several committees' notes. A project is indexed by its exact forms (and repositories),
its strong forms under `STRONG` and its loose ones under `LOOSE`; an item looks up its
own forms in that order, then its loose ones among the projects' own (`lookup_keys`),
so the closest spelling wins. Names are compared, never listed: no rule here knows a
project."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pmc.models import Project
from pmc.notes import normalized_name

# Nouns that follow a project's name without being part of it ("the Diego repositories",
# "the Bits-Service project and transfer", "CF Networking Product Lead"). Only a noun
# after the first word cuts the name: "Project Quarks" keeps its first word.
GENERIC_NOUNS = frozenset(
    {
        "project",
        "projects",
        "product",
        "team",
        "teams",
        "repo",
        "repos",
        "repository",
        "repositories",
        "component",
        "components",
        "codebase",
        "lead",
        "pm",
    }
)
# Nouns that say what sort of thing a project is: part of its name ("CF Backup Plugin"),
# but a name is also read without them ("Eclipse plugin", "Eclipse Tools for Cloud
# Foundry": the Eclipse tooling).
SORT_NOUNS = GENERIC_NOUNS | {"plugin", "plugins", "tools", "tooling"}
_ARTICLES = frozenset({"the", "a", "an"})
# What introduces another name for the same project, in parentheses or after the name.
_ALIAS = re.compile(
    r"^(?:aka|a\.k\.a\.?|also known as|also called|formerly|previously)[\s:,]+", re.IGNORECASE
)
# A client, library or plugin named for what it serves ("java client for the Receptor
# API" is the "Receptor client", as its repository "receptor-client" says).
_SERVES = re.compile(
    r"^(?:[\w.#+-]+\s+)?(?P<noun>client|library|sdk|cli|plugin|broker)\s+(?:for|of)\s+"
    r"(?:the\s+)?(?P<target>.+?)(?:\s+api)?$",
    re.IGNORECASE,
)
_INLINE_ALIAS = re.compile(r"\s+(?:aka|a\.k\.a\.?|also known as)\s+", re.IGNORECASE)
_PARENTHESES = re.compile(r"\(([^()]*)\)")
# A leading abbreviation: the organisation's ("CF Release Integration"), written in capitals.
_ABBREVIATION = re.compile(r"[A-Z]{2,4}")
# A last word cut short ("Release Int"): these many letters, not an acronym.
_SHORT_WORD = re.compile(r"[A-Za-z][a-z]{2,3}")
_SHORT_LENGTHS = (3, 4)
# A plural "s" ending a name, after three letters or more ("Java Buildpacks").
_PLURAL = re.compile(r"(?<=[A-Za-z]{2}[A-RT-Za-rt-z])[sS]$")

STRONG = "="  # prefix of the keys of strong forms
LOOSE = "<"  # prefix of the keys of loose forms


def cleaned(name: str, nouns: frozenset[str] = GENERIC_NOUNS) -> str:
    """The project's name as an item gives it, without what follows it: a leading
    article dropped, and the words from a generic noun on cut ("CF networking project
    from incubation status" is "CF networking"); parentheses are kept whole."""
    words = name.split()
    if len(words) > 1 and words[0].casefold() in _ARTICLES:
        words = words[1:]
    depth = 0
    for position, word in enumerate(words):
        bare = word.casefold().strip(".,;:!?'\"`*_")
        if position and not depth and bare in nouns:
            kept = " ".join(words[:position]).rstrip(" ,;:-–—")
            return kept or " ".join(words)
        depth = max(0, depth + word.count("(") - word.count(")"))
    return " ".join(words)


@dataclass(frozen=True)
class Forms:
    """A name's normalised forms, each set without repeats, closest first."""

    exact: tuple[str, ...]
    strong: tuple[str, ...]
    loose: tuple[str, ...]

    @property
    def own(self) -> tuple[str, ...]:
        """The forms a loose form of another name is compared with."""
        return _unique([*self.exact, *self.strong])


def forms(*names: str) -> Forms:
    """The forms of the names one thing goes by (an item's project and subject, a
    project's name and former names)."""
    exact, strong, loose = [], [], []
    for name in names:
        exact.append(normalized_name(name))
        inside = _PARENTHESES.findall(name)
        base = " ".join(_PARENTHESES.sub(" ", name).split())
        alias = _INLINE_ALIAS.split(base, maxsplit=1)
        if len(alias) == 2:
            base = alias[0]
            strong.append(normalized_name(alias[1]))
        for text in inside:
            marked = _ALIAS.match(text.strip())
            if marked:
                strong.append(normalized_name(text.strip()[marked.end() :]))
            else:
                loose.append(normalized_name(text))
        short = cleaned(base)
        strong += [normalized_name(base), normalized_name(short)]
        strong.append(normalized_name(cleaned(short, SORT_NOUNS)))
        serves = _SERVES.match(base)
        if serves:
            strong.append(normalized_name(f"{serves['target']} {serves['noun']}"))
        loose += _loose(short.split())
    exact = _unique(exact)
    strong = _unique(form for form in strong if form not in exact)
    loose = _unique(form for form in loose if form not in exact and form not in strong)
    return Forms(exact, strong, loose)


def _loose(words: list[str]) -> list[str]:
    """The looser spellings of a name of these words: without a leading abbreviation
    (when two words or more remain), and, with it or without it, without one inner
    word, with its last word in the singular or cut to a few letters."""
    variants = [words]
    if len(words) > 2 and _ABBREVIATION.fullmatch(words[0]):
        variants.append(words[1:])
    found = [" ".join(variants[-1])] if len(variants) > 1 else []
    for variant in variants:
        if len(variant) > 2:
            found += [" ".join(variant[:i] + variant[i + 1 :]) for i in range(1, len(variant) - 1)]
        singular = _PLURAL.sub("", variant[-1])
        if singular != variant[-1]:
            found.append(" ".join([*variant[:-1], singular]))
        if len(variant) > 1 and not _SHORT_WORD.fullmatch(variant[-1]):
            head, last = " ".join(variant[:-1]), normalized_name(variant[-1])
            found += [f"{head} {last[:n]}" for n in _SHORT_LENGTHS if len(last) > n]
    return [normalized_name(form) for form in found]


def index_keys(project: Project) -> list[str]:
    """What a project is found by: its names, former names and repositories, and
    their strong and loose forms."""
    found = forms(project.name, *project.former_names)
    keys = [*found.exact, *(url.casefold() for url in project.repository_urls)]
    keys += [STRONG + form for form in found.strong]
    keys += [LOOSE + form for form in found.loose]
    return list(_unique(keys))


def lookup_keys(names: list[str], repository_url: str = "") -> tuple[str, ...]:
    """The keys to look an item up by, closest first: its repository; each of its own
    forms (its names as written, then their strong forms) among the projects' names,
    their strong forms and their loose forms; then its loose forms among the
    projects' names and strong forms."""
    named = tuple(dict.fromkeys(name for name in names if name.strip()))
    return _lookup_keys(named, repository_url.casefold())


@functools.lru_cache(maxsize=4096)  # an item is looked up twice; notes repeat names
def _lookup_keys(names: tuple[str, ...], repository_url: str) -> tuple[str, ...]:
    found = forms(*names)
    keys = [repository_url] if repository_url else []
    for form in found.own:
        keys += [form, STRONG + form]
    keys += [LOOSE + form for form in found.own]
    for form in found.loose:
        keys += [form, STRONG + form]
    return _unique(keys)


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))
