"""`@username` in a comment: finding the people it names, and linking them.

Mentions are read from the comment's sanitised HTML, not from its markdown, so that
what markdown makes code or a link is left alone exactly as it renders: `@name` inside
a code span, a code block or a link's text is not a mention. Only the usernames of
existing active people become links (to their page); any other `@word` stays text.
The links are added to HTML that nh3 has already cleaned, and add nothing but an
`<a href="/people/<username>/">` around text that was already there, with the username
(letters, digits and `.+-_@` only) escaped anyway.
"""

from __future__ import annotations

import html
import re

from django.contrib.auth import get_user_model
from django.urls import reverse

from pmc.markup import render_markdown

_TAG = re.compile(r"(<[^>]*>)")  # nh3 writes `<` and `>` in text and values as entities
_TAG_NAME = re.compile(r"</?([a-z0-9]+)")
_NOT_MENTIONS_IN = {"a", "code", "pre"}  # a link already, or code as written
# @ then a username (Django's: letters, digits and . + - _ @), ending in a letter or
# digit so that the full stop after "thanks @alice." is not part of it; not right after
# a character that makes it part of a word, an address (alice@example.org) or a path.
_MENTION = re.compile(r"(?<![\w.+@/-])@(\w(?:[\w.+@-]*\w)?)")


def _text_parts(markup: str):
    """The parts of `markup` split at its tags, with whether each is text that may hold
    mentions (outside links and code)."""
    parts = _TAG.split(markup)
    inside = 0
    for index, part in enumerate(parts):
        if index % 2:
            name = _TAG_NAME.match(part)
            if name and name[1] in _NOT_MENTIONS_IN and not part.endswith("/>"):
                inside = max(inside + (-1 if part.startswith("</") else 1), 0)
            yield part, False
        else:
            yield part, not inside and "@" in part


def written(markup: str) -> list[str]:
    """The usernames written as `@username` in `markup` (sanitised HTML), outside links
    and code, each once, in the order they first appear. Read from the escaped text as
    `linked` reads it (usernames hold no character HTML escapes), so what is found is
    what gets linked."""
    found: dict[str, None] = {}
    for part, may_mention in _text_parts(markup):
        if may_mention:
            for match in _MENTION.finditer(part):
                found.setdefault(match[1], None)
    return list(found)


def people(usernames: list[str]) -> dict:
    """{username: user} for the active people among `usernames`. One query."""
    if not usernames:
        return {}
    users = get_user_model().objects.filter(username__in=usernames, is_active=True)
    return {user.get_username(): user for user in users}


def linked(markup: str, usernames) -> str:
    """`markup` with each `@username` of `usernames` outside links and code made a link
    to that person's page; every other `@word` is left as it is."""
    usernames = set(usernames)
    if not usernames:
        return markup

    def link(match: re.Match) -> str:
        name = match[1]
        if name not in usernames:
            return match[0]
        href = html.escape(reverse("proposals:person", args=[name]), quote=True)
        return f'<a href="{href}" class="mention">@{html.escape(name)}</a>'

    out = []
    for part, may_mention in _text_parts(markup):
        out.append(_MENTION.sub(link, part) if may_mention else part)
    return "".join(out)


def render(body: str) -> tuple[str, list]:
    """A comment's markdown rendered and sanitised (`pmc.markup.render_markdown`), with
    its mentions of active people linked, and those people in the order first named."""
    markup = render_markdown(body)
    names = written(markup)
    found = people(names)
    named = [found[name] for name in names if name in found]
    return linked(markup, found), named
