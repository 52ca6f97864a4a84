"""HTML: the page's own content, its headings as the section path.

Parsed with lexbor (selectolax), never rendered: scripts are not run, and script,
style, navigation, forms, asides and the page's header and footer are removed
before any text is read, so neither code nor markup reaches a passage. When the
page marks its content (``<main>``, or a single ``<article>``) only that is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from corpus.ingest.structure import Outline, Parsed, squeeze
from practice_search.errors import DocumentRejected

__all__ = ["MAX_DEPTH", "nesting_depth", "parse_html"]

_DROP = ", ".join(
    [
        "script, style, noscript, template, link, meta",
        "nav, aside, form, iframe, frame, svg, canvas, object, embed, dialog, menu",
        "button, select, textarea, input, label",
        "[hidden], [aria-hidden=true]",
        "[role=navigation], [role=banner], [role=contentinfo], [role=search]",
        "[role=complementary], [role=dialog]",
    ]
)
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCKS = {
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "div",
    "dl", "dt", "figcaption", "figure", "footer", "header", "hr", "li", "main", "p", "section",
    "summary", "td", "th", "tr",
}  # fmt: skip
_LISTS = {"ul", "ol"}
MAX_DEPTH = 1000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,20})(?:\s[^<>]{0,2000}?)?(/?)>")
_UNCOUNTED = {
    "area", "base", "body", "br", "col", "colgroup", "dd", "dt", "embed", "head", "hr",
    "html", "img", "input", "li", "link", "meta", "optgroup", "option", "p", "param", "rb",
    "rp", "rt", "source", "tbody", "td", "tfoot", "th", "thead", "tr", "track", "wbr",
}  # fmt: skip


def _children(node: LexborNode) -> Iterator[LexborNode]:
    return iter(node.iter(include_text=True))


def _text(node: LexborNode) -> str:
    """The text a reader sees in ``node``: block edges and ``<br>`` become spaces.

    An explicit stack instead of recursion: a page nested ten thousand ``<div>`` deep
    is read like any other.
    """
    parts: list[str] = []
    stack = [(node, _children(node))]
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if parent.tag in _BLOCKS or parent.tag in _LISTS:
                parts.append(" ")
        elif child.is_text_node:
            parts.append(child.text_content or "")
        elif child.tag == "br":
            parts.append(" ")
        elif child.is_element_node:
            if child.tag in _BLOCKS or child.tag in _LISTS:
                parts.append(" ")
            stack.append((child, _children(child)))
    return "".join(parts)


class _Walker:
    """Paragraphs from the text between block edges; headings, tables and ``<pre>``
    read whole; a list item's text starts with ``- ``."""

    def __init__(self) -> None:
        self.outline = Outline()
        self.inline: list[str] = []
        self.prefix = ""

    def flush(self) -> None:
        text = squeeze("".join(self.inline))
        self.inline.clear()
        if text:
            self.outline.paragraph(self.prefix + text)
            self.prefix = ""

    def walk(self, root: LexborNode) -> None:
        stack = [(root, _children(root))]
        while stack:
            parent, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if parent.tag in _BLOCKS or parent.tag in _LISTS:
                    self.flush()
                    self.prefix = ""
                continue
            tag = child.tag
            if child.is_text_node:
                self.inline.append(child.text_content or "")
            elif not child.is_element_node:
                continue  # comments
            elif tag in _HEADINGS:
                self.flush()
                self.outline.heading(_HEADINGS[tag], _text(child))
            elif tag == "table":
                self.flush()
                self.table(child)
            elif tag == "pre":
                self.flush()
                self.outline.paragraph(child.text(deep=True, separator=""))
            elif tag == "br":
                self.inline.append(" ")
            else:
                if tag in _BLOCKS or tag in _LISTS:
                    self.flush()
                if tag == "li":
                    self.prefix = "- "
                stack.append((child, _children(child)))  # inline markup joins the paragraph

    def table(self, node: LexborNode) -> None:
        caption = node.css_first("caption")
        if caption is not None:
            self.outline.paragraph(squeeze(_text(caption)))
        for row in node.css("tr"):
            cells = [squeeze(_text(c)) for c in row.iter() if c.tag in ("td", "th")]
            if any(cells):
                self.outline.paragraph(" | ".join(cells))


def _title(tree: LexborHTMLParser) -> str | None:
    for selector, attr in (("meta[property='og:title']", "content"), ("title", None)):
        node = tree.css_first(selector)
        if node is not None:
            text = squeeze(node.attributes.get(attr) or "" if attr else node.text())
            if text:
                return text
    return None


def _root(tree: LexborHTMLParser) -> LexborNode | None:
    main = tree.css_first("main, [role=main]")
    if main is not None:
        return main
    articles = tree.css("article")
    return articles[0] if len(articles) == 1 else tree.body


def _outside_article(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == "article":
            return False
        parent = parent.parent
    return True


def nesting_depth(text: str) -> int:
    """How deep the page's elements nest, from the tags alone (linear time).

    Elements whose end tag may be left out (``p``, ``li``, ``td``…) and void ones
    (``br``, ``img``…) are not counted, so this is a lower bound of the real depth.
    """
    depth = deepest = 0
    for match in _TAG.finditer(text):
        name = match.group(2).lower()
        if name in _UNCOUNTED or match.group(3):
            continue
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    return deepest


def parse_html(text: str) -> Parsed:
    """Blocks of the page's content; the title from ``og:title`` or ``<title>``.

    Raises:
        DocumentRejected: ``corrupt`` for elements nested over 1,000 deep (the
            parser's time grows with the square of the depth; no page needs it).
    """
    if (depth := nesting_depth(text)) > MAX_DEPTH:
        raise DocumentRejected(
            "corrupt", f"the HTML nests elements {depth} deep, over the limit of {MAX_DEPTH}"
        )
    tree = LexborHTMLParser(text)
    title = _title(tree)
    for node in tree.css(_DROP):
        node.decompose()
    root = _root(tree)
    if root is None:
        return Parsed([], title)
    if root.tag == "body":  # the page's own header and footer; an article's are content
        for node in root.css("header, footer"):
            if _outside_article(node):
                node.decompose()
    walker = _Walker()
    walker.walk(root)
    walker.flush()
    h1 = walker.outline.first_heading
    if title and h1 and h1.casefold() in title.casefold():
        title = None  # "Night school | City of Tampere": the heading without the site name
    return walker.outline.parsed(title)
