"""Markdown to safe HTML, done once when a row is saved.

Python-Markdown passes raw HTML and `javascript:` links straight through, so its output
always goes through nh3 (the Ammonia sanitiser) with an allowlist of tags and URL schemes.
"""

from __future__ import annotations

import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "dd", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "input": {"type", "checked", "disabled"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["extra", "sane_lists"]


def render_markdown(text: str) -> str:
    """Render markdown to HTML that is safe to show unescaped."""
    return sanitize_html(markdown_html(text))


def markdown_html(text: str) -> str:
    """Python-Markdown's HTML for `text`, not yet sanitised: the rendering step of
    `render_markdown` alone. One converter per thread, reset between documents (as
    Python-Markdown documents for many documents): building one per call costs more
    than a short text's rendering, and leaves reference cycles for the collector."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(
            extensions=EXTENSIONS, output_format="html"
        )
    return converter.reset().convert(text or "")


_converters = threading.local()  # Markdown instances keep state while converting


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
