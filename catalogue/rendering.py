"""Partner-written Markdown, rendered safely: no raw HTML, no script links."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark without raw HTML: partners write text, never markup.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")

_ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code"}


def render_markdown(text: str) -> Markup:
    """Markdown as sanitised HTML, safe to put into a page."""
    rendered = _markdown.render(text or "")
    # Headings in a description sit below the page's own h1/h2.
    for level, replacement in (("h1", "h3"), ("h2", "h3"), ("h5", "h4"), ("h6", "h4")):
        rendered = rendered.replace(f"<{level}>", f"<{replacement}>")
        rendered = rendered.replace(f"</{level}>", f"</{replacement}>")
    cleaned = nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)


def markdown_to_text(text: str) -> str:
    """The plain words of a Markdown text, for the search index and previews."""
    rendered = _markdown.render(text or "")
    return " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())
