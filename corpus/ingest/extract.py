"""One document file's bytes to a title, a language and blocks of paragraphs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from corpus.blocks import Block
from corpus.ingest.detect import FORMATS, Kind, detect
from corpus.ingest.docx import parse_docx
from corpus.ingest.html import parse_html
from corpus.ingest.limits import IngestLimits, check_size
from corpus.ingest.markdown import parse_markdown
from corpus.ingest.names import check_file_name, tidy_stem
from corpus.ingest.pdf import parse_pdf
from corpus.ingest.structure import Parsed, squeeze
from corpus.ingest.text import decode_text, parse_text
from corpus.lang import CORPUS_LANGS, lang_probabilities
from practice_search.errors import DocumentRejected

__all__ = ["MAX_TITLE", "PARSERS", "Extracted", "check_lang", "check_title", "extract"]

Parser = Callable[[bytes, IngestLimits], Parsed]
MAX_TITLE = 300


def _text_parser(parse: Callable[[str], Parsed]) -> Parser:
    def run(data: bytes, limits: IngestLimits) -> Parsed:
        text = decode_text(data)
        if text is None:  # detect() decoded it already; kept for a direct call
            raise DocumentRejected("unknown_format", "the file is not text")
        return parse(text)

    return run


PARSERS: dict[Kind, Parser] = {
    Kind.DOCX: parse_docx,
    Kind.HTML: _text_parser(parse_html),
    Kind.PDF: parse_pdf,
    Kind.MARKDOWN: _text_parser(parse_markdown),
    Kind.TEXT: _text_parser(parse_text),
}


@dataclass
class Extracted:
    """What a document file holds, ready to be cut into passages.

    ``title``: the override, else the file's metadata title, else its first
    heading, else a tidy file stem. ``lang``: the override, else the language of
    most of the text. ``kind``: the format found in the bytes.
    """

    title: str
    lang: str
    kind: str
    blocks: list[Block]
    pages: int | None = None


def check_lang(lang: str) -> str:
    """A supported language code (``en``, ``it``), or ``bad_lang``."""
    code = lang.strip().lower()
    if code not in CORPUS_LANGS:
        raise DocumentRejected(
            "bad_lang", f"language {lang!r} is not supported; use one of {', '.join(CORPUS_LANGS)}"
        )
    return code


def check_title(title: str) -> str:
    """A title given by hand, on one line; ``bad_title`` when empty or over 300 characters."""
    title = squeeze(title)
    if not title or len(title) > MAX_TITLE:
        what = "empty" if not title else f"over {MAX_TITLE} characters"
        raise DocumentRejected("bad_title", f"the title given is {what}")
    return title


def majority_lang(blocks: list[Block], sample: int = 200) -> str:
    """The language most of the words are in (English when nothing tells).

    A long document is judged on ``sample`` paragraphs spread over its length.
    """
    paragraphs = [p for b in blocks for p in b.paragraphs]
    step = max(1, len(paragraphs) // sample)
    words: Counter[str] = Counter()
    for paragraph in paragraphs[::step]:
        probs = lang_probabilities(paragraph[:2000])  # plenty to tell, and bounded
        if probs:
            words[max(probs, key=probs.__getitem__)] += len(paragraph.split())
    return words.most_common(1)[0][0] if words else CORPUS_LANGS[0]


def extract(
    data: bytes,
    *,
    name: str,
    title: str | None = None,
    lang: str | None = None,
    limits: IngestLimits = IngestLimits(),  # noqa: B008 - frozen, so one shared default is safe
) -> Extracted:
    """Read a document file: detect its format from the bytes and parse it.

    Args:
        data: the file's bytes.
        name: the file's name (no folder); checked, and its suffix must agree
            with the bytes for PDF and DOCX.
        title: the title to use instead of the document's own.
        lang: ``en`` or ``it`` instead of the detected language.
        limits: size, unpacked size and page limits.

    Raises:
        DocumentRejected: the file cannot be taken in; ``.code`` says why.
    """
    check_file_name(name)
    if lang is not None:
        lang = check_lang(lang)
    if title is not None:
        title = check_title(title)
    check_size(data, limits)
    kind = detect(data, name)
    try:
        parsed = PARSERS[kind](data, limits)
    except DocumentRejected:
        raise
    except Exception as exc:  # pdfminer, zlib, lxml… raise anything on a damaged file
        reason = squeeze(str(exc))[:200] or type(exc).__name__
        raise DocumentRejected(
            "corrupt", f"the {FORMATS[kind].noun} is damaged and cannot be read ({reason})"
        ) from exc
    if not any(p.strip() for b in parsed.blocks for p in b.paragraphs):
        raise DocumentRejected("no_text", f"{name} has no text to index")
    return Extracted(
        title=squeeze(title or parsed.title or parsed.first_heading or tidy_stem(name))[:MAX_TITLE],
        lang=lang or majority_lang(parsed.blocks),
        kind=kind.value,
        blocks=parsed.blocks,
        pages=parsed.pages,
    )
