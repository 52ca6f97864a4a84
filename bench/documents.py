"""What adding a document costs: ``python -m bench.documents [--pdf FILE] [--json]``.

On the configured data dir (``PRACTICE_SEARCH_DATA_DIR``; use one of its own, it is
built and changed) and encoders, with one encoder instance for every step, it times:

1. ``build``: the bundled corpus and the documents already added, passage cache as found;
2. ``add``: one 10-page PDF report (``--pdf``, default one written here with fpdf2,
   its title stamped with the time so that no cache holds its passages);
3. ``add again``: the same bytes (unchanged: nothing is rebuilt);
4. ``remove``: the document;
5. ``re-add``: the same file after its removal (its vectors are in the cache);
6. ``rebuild``: the whole index again, cache warm (what a code change that keeps the
   texts costs);
7. ``rebuild, no cache``: the whole index with the passage cache switched off (what
   every build cost before the cache, and the full rebuild an add is compared with;
   ``--no-uncached`` skips it).

Each step prints its wall time and how many texts each encoder really embedded (the
rest came from the cache).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.build import build_index
from index.documents import Incoming, add_documents, remove_document
from index.encoders import Encoder, create_encoder, encoder_args
from index.manifest import Manifest
from practice_search.config import Settings, get_settings
from practice_search.errors import PracticeSearchError

DOC_ID = "bench-night-school-report"
_TOPICS = [
    "recruiting drivers at the depot",
    "the timetable of the lessons",
    "street names and landmarks",
    "small talk with passengers",
    "reading receipts aloud",
    "talking on the dispatch radio",
    "training the volunteer teachers",
    "preparing for the language certificate",
    "paying for books and certificates",
    "lessons learned after one year",
]


def report_pdf(pages: int = 10, edition: str = "2024") -> bytes:
    """A ``pages``-page PDF report, one chapter of three paragraphs per page, with a
    running header and page numbers. ``edition`` is in its title, hence in every
    passage's context: a new edition is a document no cache has seen."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, "City of Tampere - Night school report", align="C")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Report(format="A4")
    pdf.set_title(f"Night school for taxi drivers: report {edition}")
    for n, topic in enumerate(_TOPICS[:pages], start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=15)
        pdf.multi_cell(0, 8, f"{n}. {topic.capitalize()}")
        pdf.set_font("Helvetica", size=11)
        for text in (
            f"In month {n} the night school worked on {topic}. Teachers from the adult "
            "education centre prepared short exercises, and the taxi cooperative lent its "
            "meeting room after midnight. The municipality followed the work through its "
            "integration office, which keeps the hours each participant attended.",
            f"Drivers said that {topic} helped them in their daily work. Several explained "
            "that communication with passengers had become easier and that they felt more "
            "confident when a customer asked for directions to a neighbourhood they did "
            "not know. The coordinator wrote down their suggestions at the depot.",
            f"At the end of month {n} the group met the employment services to discuss "
            "accommodation, childcare and the recognition of foreign driving licences. A "
            "volunteer interpreted into Arabic, Somali and Russian whenever asked.",
        ):
            pdf.ln(2)
            pdf.multi_cell(0, 5.5, text, align="J")
    return bytes(pdf.output())


def _step(
    name: str, run: Callable[[], Manifest | None], rows: list[dict[str, Any]], quiet: bool
) -> None:
    started = time.perf_counter()
    manifest = run()
    seconds = time.perf_counter() - started
    row: dict[str, Any] = {
        "step": name,
        "seconds": round(seconds, 2),
        "embedded": dict(manifest.embedded) if manifest is not None else {},
        "passages": manifest.counts["passages"] if manifest is not None else None,
        "rebuilt": manifest is not None,
        "stages": dict(manifest.stage_seconds) if manifest is not None else {},
    }
    rows.append(row)
    if not quiet:
        done: dict[str, int] = row["embedded"]
        embedded = ", ".join(f"{n} ({e})" for e, n in done.items()) or "0 (no build)"
        stages = " ".join(f"{k}={v}" for k, v in row["stages"].items())
        print(
            f"{name:20} {seconds:8.2f} s   embedded {embedded:14} passages "
            f"{row['passages'] or '-'}   {stages}",
            file=sys.stderr,
            flush=True,
        )


def run(
    settings: Settings, pdf: bytes, *, quiet: bool = False, uncached: bool = True
) -> list[dict[str, Any]]:
    """The steps of the module's docstring; one row per step."""
    encoders: dict[str, Encoder] = {
        n: create_encoder(n, **encoder_args(settings)) for n in settings.encoders
    }
    item = Incoming("night-school-report.pdf", pdf, doc_id=DOC_ID)
    rows: list[dict[str, Any]] = []

    def add() -> Manifest | None:
        return add_documents(settings, [item], encoders=encoders)[1]

    def remove() -> Manifest | None:
        return remove_document(settings, DOC_ID, encoders=encoders)[1]

    def cold() -> Manifest | None:
        off = settings.model_copy(update={"embedding_cache": False})
        cold = {n: create_encoder(n, **encoder_args(off)) for n in settings.encoders}
        return build_index(off, encoders=cold, progress=False)

    if any(d.id == DOC_ID for d in _stored(settings)):
        remove_document(settings, DOC_ID, encoders=encoders)
    _step("build", lambda: build_index(settings, encoders=encoders, progress=False), rows, quiet)
    _step("add (10-page PDF)", add, rows, quiet)
    _step("add again (same)", add, rows, quiet)
    _step("remove", remove, rows, quiet)
    _step("re-add", add, rows, quiet)
    _step("rebuild", lambda: build_index(settings, encoders=encoders, progress=False), rows, quiet)
    if uncached:
        _step("rebuild, no cache", cold, rows, quiet)
    return rows


def _stored(settings: Settings) -> list[Any]:
    from corpus.userdocs import DocumentStore

    return DocumentStore(settings.data_dir).list()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdf", type=Path, help="the PDF to add (default: a 10-page report)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the rebuild without the cache (minutes)"
    )
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
        # a new edition each run: the add embeds a document the passage cache lacks
        pdf = (
            args.pdf.read_bytes()
            if args.pdf
            else report_pdf(edition=time.strftime("%Y%m%d-%H%M%S"))
        )
        rows = run(settings, pdf, quiet=args.json, uncached=not args.no_uncached)
    except PracticeSearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
