"""pypdf against pdfplumber on a real 10-page PDF report, and what corpus.ingest makes of it.

    .venv/bin/python scripts/pdf_text_compare.py

Builds the test report (fpdf2: running header, "Page n of N" footers, justified text
with words hyphenated at line ends), then prints for each reader the best of three
timings and what its raw text still holds: running headers, page numbers and broken
words (``municipa-`` / ``lity``), and whether it knows font sizes and line positions,
which corpus.ingest needs for headings and paragraphs.
"""

from __future__ import annotations

import io
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pdfplumber
from pypdf import PdfReader

from corpus.ingest import extract
from tests.documents_factory import report_pdf_bytes, report_text


def best_of(n: int, run: Callable[[], str]) -> tuple[float, str]:
    times, text = [], ""
    for _ in range(n):
        start = time.perf_counter()
        text = run()
        times.append(time.perf_counter() - start)
    return min(times), text


def main() -> None:
    data = report_pdf_bytes()

    def with_pypdf() -> str:
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)

    def with_pdfplumber() -> str:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return "\n".join(
                line["text"] for page in pdf.pages for line in page.extract_text_lines()
            )

    def with_ingest() -> str:
        got = extract(data, name="report.pdf")
        return "\n".join(p for b in got.blocks for p in b.paragraphs)

    expected = [p for _, ps in report_text() for p in ps]
    print(f"10-page report, {len(data):,} bytes, {len(expected)} paragraphs")
    print(f"{'reader':<22}{'seconds':>9}{'headers':>9}{'page nos':>10}{'broken':>8}  sizes")
    for name, run, sizes in (
        ("pypdf extract_text", with_pypdf, "no"),
        ("pdfplumber lines", with_pdfplumber, "yes"),
        ("corpus.ingest.extract", with_ingest, "-"),
    ):
        seconds, text = best_of(3, run)
        headers = text.count("Night school report 2024")
        pages = len(re.findall(r"Page \d+ of", text))
        broken = len(re.findall(r"[a-z]-\s+[a-z]", text))
        print(f"{name:<22}{seconds:>9.3f}{headers:>9}{pages:>10}{broken:>8}  {sizes}")
    got = with_ingest().split("\n")
    same = sum(a == b for a, b in zip(got, expected, strict=False))
    print(f"corpus.ingest paragraphs equal to the source: {same} of {len(expected)}", end="")
    print(f" ({len(got)} found)")


if __name__ == "__main__":
    main()
