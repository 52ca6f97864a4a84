"""HTML: the page's own content, its headings as the section path.

Parsed with lexbor (selectolax), never rendered: scripts are not run, and script,
style, navigation, forms, asides and the page's header and footer are removed
before any text is read, so neither code nor markup reaches a passage. When the
page marks its content (``<main>``, or a single ``<article>``) only that is read.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from corpus.ingest.structure import Outline, Parsed, squeeze

__all__ = ["parse_html"]

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


def _text(node: LexborNode) -> str:
    """The text a reader sees in ``node``: block edges and ``<br>`` become spaces."""
    parts: list[str] = []
    for child in node.iter(include_text=True):
        if child.is_text_node:
            parts.append(child.text_content or "")
        elif child.tag == "br":
            parts.append(" ")
        elif child.is_element_node:
            inner = _text(child)
            parts.append(f" {inner} " if child.tag in _BLOCKS or child.tag in _LISTS else inner)
    return "".join(parts)


class _Walker:
    def __init__(self) -> None:
        self.outline = Outline()
        self.inline: list[str] = []

    def flush(self) -> None:
        text = squeeze("".join(self.inline))
        self.inline.clear()
        if text:
            self.outline.paragraph(text)

    def walk(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if child.is_text_node:
                self.inline.append(child.text_content or "")
            elif not child.is_element_node:
                continue  # comments
            elif tag in _HEADINGS:
                self.flush()
                self.outline.heading(_HEADINGS[tag], _text(child))
            elif tag in _LISTS:
                self.flush()
                self.list(child)
            elif tag == "table":
                self.flush()
                self.table(child)
            elif tag == "pre":
                self.flush()
                self.outline.paragraph(child.text(deep=True, separator=""))
            elif tag == "br":
                self.inline.append(" ")
            elif tag in _BLOCKS:
                self.flush()
                self.walk(child)
                self.flush()
            else:  # inline markup (a, b, em, span…): its text joins the paragraph
                self.walk(child)

    def list(self, node: LexborNode) -> None:
        for item in node.iter():
            if item.tag != "li":
                self.walk(item)
                continue
            own: list[str] = []
            nested: list[LexborNode] = []
            for child in item.iter(include_text=True):
                if child.tag in _LISTS:
                    nested.append(child)
                elif child.is_text_node:
                    own.append(child.text_content or "")
                elif child.is_element_node:
                    own.append(f" {_text(child)} " if child.tag in _BLOCKS else _text(child))
            if text := squeeze("".join(own)):
                self.outline.paragraph(f"- {text}")
            for sub in nested:
                self.list(sub)

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


def parse_html(text: str) -> Parsed:
    """Blocks of the page's content; the title from ``og:title`` or ``<title>``."""
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
