"""Links, repository URLs and code spans in inline markdown, and whether one names a
project."""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE

_INLINE = re.compile(
    r"(?P<image>!\[[^\]]*\]\([^)]*\))"
    r"|\[(?P<link_text>[^\]]*)\]\((?P<link_url>[^)\s]*)(?:\s+\"[^\"]*\")?\)"
    r"|\[(?P<ref_text>[^\]]+)\]\[(?P<ref_label>[^\]]*)\]"
    r"|<(?P<autolink>https?://[^>\s]+)>"
    r"|(?P<bare>https?://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"])"
    r"|`(?P<code>[^`]+)`"
    r"|\[(?P<short>[^\]\[]+)\](?![(\[:])"
)
GITHUB_REPO = re.compile(r"github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)", _I)
ORGANISATION = re.compile(
    r"^(?:cloudfoundry(?:-[\w]+)?|pivotal(?:-cf)?(?:-[\w]+)?|cf-buildpacks|cfibmers|sap|suse"
    r"|github|cloudfoundry-incubator|cloudfoundry-attic)$",
    _I,
)
_DOCUMENT_WORDS = re.compile(
    r"\b(?:propos\w*|doc|docs|document\w*|notes|here|link|slides?|pr|prs|pull\s+request|issues?"
    r"|story|stories|blog|post|thread|message|e-?mail|announcement|discussion|agenda|recording"
    r"|video|meeting|details|rfc|spec|design|readme|wiki|page|survey|form|release|releases"
    r"|changelog|see|more|this|plan|roadmap)\b",
    _I,
)
_SPEAKER = re.compile(r"^\s*\[[^\]]{1,24}\]\s*")


@dataclass
class Ref:
    text: str
    url: str
    start: int
    end: int
    code: bool = False

    @property
    def slug(self) -> str:
        repo = GITHUB_REPO.search(self.url) if self.url else None
        if repo:
            return re.sub(r"\.git$", "", repo["repo"])
        if self.code and "/" in self.text and " " not in self.text:
            return self.text.rstrip("/").rsplit("/", 1)[-1]
        return ""

    @property
    def name(self) -> str:
        """The project's name as the notes write it."""
        text = self.text.strip()
        if not text or text.startswith(("http://", "https://")) or text == self.url:
            return self.slug
        if self.code and "/" in text and " " not in text:
            return self.slug
        return text

    def is_project(self) -> bool:
        name = self.name
        if not name or ORGANISATION.match(name) or len(name) > 60:
            return False
        # A link to a document, not to a repository: its text must read as a name.
        document = self.url and not GITHUB_REPO.search(self.url)
        if document and (len(name.split()) > 3 or _DOCUMENT_WORDS.search(name)):
            return False
        return bool(self.slug) or len(name.split()) <= 4


def parse_inline(text: str, references: dict[str, str]) -> tuple[str, list[Ref]]:
    """Markdown inline text as plain text, and the links and code spans in it."""
    pieces: list[str] = []
    refs: list[Ref] = []
    length = 0
    position = 0
    for match in _INLINE.finditer(text):
        literal = text[position : match.start()]
        pieces.append(literal)
        length += len(literal)
        position = match.end()
        shown, url, code = "", "", False
        if match["image"]:
            continue
        if match["link_url"] is not None and match["link_text"] is not None:
            shown, url = match["link_text"], match["link_url"]
        elif match["ref_text"] is not None:
            label = (match["ref_label"] or match["ref_text"]).strip().casefold()
            shown, url = match["ref_text"], references.get(label, "")
        elif match["autolink"] or match["bare"]:
            url = match["autolink"] or match["bare"]
            repo = GITHUB_REPO.search(url)
            shown = re.sub(r"\.git$", "", repo["repo"]) if repo else ""
        elif match["code"] is not None:
            shown, code = match["code"].strip(), True
        elif match["short"] is not None:
            label = match["short"].strip().casefold()
            if label not in references:
                pieces.append(match[0])
                length += len(match[0])
                continue
            shown, url = match["short"], references[label]
        shown = shown.strip()
        if shown or url:
            refs.append(Ref(shown, url, length, length + len(shown), code))
        pieces.append(shown)
        length += len(shown)
    pieces.append(text[position:])
    plain = "".join(pieces)
    plain = plain.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    plain = re.sub(r"\*\*|__|~~", "", plain)
    plain = re.sub(r"(?<!\w)[*_]+(?=\w)|(?<=\w)[*_]+(?!\w)", "", plain)
    plain = _SPEAKER.sub("", plain)
    return plain, [ref for ref in refs if ref.text or ref.slug]
