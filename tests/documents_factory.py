"""Real document files made from text written here, for the tests of adding documents.

Every builder returns the file's bytes. The texts are in English and Italian and
talk about things the bundled corpus does not (a night school for taxi drivers, a
bicycle repair workshop), so a search that finds them found the added document.
"""

from __future__ import annotations

import html
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "EN",
    "IT",
    "Sample",
    "damaged_docx_bytes",
    "docx_bytes",
    "encrypted_pdf_bytes",
    "html_bytes",
    "markdown_bytes",
    "no_text_pdf_bytes",
    "pdf_bytes",
    "report_pdf_bytes",
    "report_text",
    "text_bytes",
    "two_column_pdf_bytes",
    "two_column_text",
    "write_samples",
    "zip_bomb_bytes",
]


@dataclass(frozen=True)
class Sample:
    """A document to write in any format: a title, sections of paragraphs, a list, a table."""

    title: str
    lang: str
    sections: list[tuple[str, list[str]]]
    items: list[str] = field(default_factory=list)
    table: list[tuple[str, str]] = field(default_factory=list)

    def words(self) -> str:
        """All the prose, for checks that a sentence survived extraction."""
        return " ".join(p for _, ps in self.sections for p in ps)


EN = Sample(
    title="Night school for taxi drivers",
    lang="en",
    sections=[
        (
            "Why a night school",
            [
                "Many newly arrived drivers work long shifts and cannot attend daytime "
                "language courses. The municipality of Tampere opened a night school in the "
                "taxi depot so that drivers learn the language between two rides.",
                "Teachers volunteer from the local adult education centre and the taxi "
                "cooperative lends a meeting room with a kettle and a whiteboard.",
            ],
        ),
        (
            "How the lessons work",
            [
                "Each lesson lasts forty minutes and starts at midnight. Lessons follow the "
                "questions passengers ask: directions, prices, receipts and small talk about "
                "the weather.",
                "After six months the drivers sit the municipal language certificate, which "
                "the cooperative pays for.",
            ],
        ),
    ],
    items=["Vocabulary of streets and landmarks", "Reading receipts aloud", "Radio etiquette"],
    table=[("Month", "Drivers enrolled"), ("January", "12"), ("June", "31")],
)

IT = Sample(
    title="Ciclofficina popolare per richiedenti asilo",
    lang="it",
    sections=[
        (
            "Perché una ciclofficina",
            [
                "Molti richiedenti asilo ospitati nei centri di accoglienza si spostano in "
                "bicicletta ma non hanno gli attrezzi per ripararla. L'associazione di quartiere "
                "di Bologna ha aperto una ciclofficina gestita insieme ai residenti.",
                "I volontari insegnano a cambiare una camera d'aria, a regolare i freni e a "
                "montare le luci, parlando italiano durante il lavoro.",
            ],
        ),
        (
            "Come funziona il laboratorio",
            [
                "Il laboratorio è aperto il sabato mattina nel cortile della parrocchia. Ogni "
                "partecipante ripara la propria bicicletta e poi aiuta un altro partecipante.",
                "Dopo tre mesi i partecipanti più esperti diventano a loro volta tutor e "
                "ricevono un attestato di competenze rilasciato dal comune.",
            ],
        ),
    ],
    items=["Camere d'aria e copertoni", "Freni e cambi", "Luci e sicurezza stradale"],
    table=[("Mese", "Biciclette riparate"), ("Marzo", "18"), ("Maggio", "44")],
)


def markdown_bytes(sample: Sample) -> bytes:
    """A Markdown file: ``#`` title, ``##`` sections, a list, a pipe table, a link."""
    out = [f"# {sample.title}", ""]
    for heading, paragraphs in sample.sections:
        out += [f"## {heading}", ""]
        for p in paragraphs:
            out += [p, ""]
    if sample.items:
        out += ["## Topics", ""] + [f"- **{item}**" for item in sample.items] + [""]
    if sample.table:
        head, *rows = sample.table
        out += [f"| {head[0]} | {head[1]} |", "|---|---:|"]
        out += [f"| {a} | [{b}](https://example.org/{b}) |" for a, b in rows] + [""]
    return "\n".join(out).encode("utf-8")


def text_bytes(sample: Sample, encoding: str = "utf-8") -> bytes:
    """A plain text file: the title on its own line, paragraphs between blank lines."""
    out = [sample.title, ""]
    for _, paragraphs in sample.sections:
        for p in paragraphs:
            out += [p, ""]
    out += [f"- {item}" for item in sample.items]
    return "\n".join(out).encode(encoding)


def html_bytes(sample: Sample) -> bytes:
    """A web page: the content in ``<main>`` among a site header, navigation, an aside,
    a form, a footer and scripts (inline, in the head and an event handler) whose text
    contains ``SCRIPT-TEXT``, which must never be read."""
    e = html.escape
    body = [f"<h1>{e(sample.title)}</h1>"]
    for heading, paragraphs in sample.sections:
        body.append(f"<section><h2>{e(heading)}</h2>")
        body += [f"<p>{e(p)}</p>" for p in paragraphs]
        body.append("</section>")
    if sample.items:
        body.append("<h2>Topics</h2><ul>")
        body += [f"<li><a href='#'>{e(i)}</a></li>" for i in sample.items]
        body.append("</ul>")
    if sample.table:
        head, *rows = sample.table
        body.append(f"<table><thead><tr><th>{e(head[0])}</th><th>{e(head[1])}</th></tr></thead>")
        body += [f"<tr><td>{e(a)}</td><td>{e(b)}</td></tr>" for a, b in rows]
        body.append("</table>")
    page = f"""<!DOCTYPE html>
<html lang="{sample.lang}"><head><meta charset="utf-8">
<title>{e(sample.title)} | Example city portal</title>
<script>document.title = "SCRIPT-TEXT in the head";</script>
<style>body {{ font-family: sans-serif; }} .SCRIPT-TEXT {{ color: red }}</style>
</head><body onload="alert('SCRIPT-TEXT onload')">
<header><a href="/">Example city portal</a> Site banner</header>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<main>{"".join(body)}
<script>var x = "SCRIPT-TEXT inside main";</script></main>
<aside>Related: other pages</aside>
<form action="/search"><label>Search the site</label><input name="q"></form>
<footer>Copyright Example city. Privacy policy.</footer>
<noscript>SCRIPT-TEXT: please enable JavaScript</noscript>
</body></html>"""
    return page.encode("utf-8")


def docx_bytes(sample: Sample, *, core_title: str | None = None) -> bytes:
    """A Word document: Title style, Heading 1 sections, a bulleted list and a table."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = core_title or ""
    doc.add_heading(sample.title, level=0)
    for heading, paragraphs in sample.sections:
        doc.add_heading(heading, level=1)
        for p in paragraphs:
            doc.add_paragraph(p)
    if sample.items:
        doc.add_heading("Topics", level=1)
        for item in sample.items:
            doc.add_paragraph(item, style="List Bullet")
    if sample.table:
        table = doc.add_table(rows=len(sample.table), cols=2)
        for row, (a, b) in zip(table.rows, sample.table, strict=True):
            row.cells[0].text, row.cells[1].text = a, b
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def zip_bomb_bytes(unpacked: int = 300 * 1024 * 1024) -> bytes:
    """A small file that looks like a DOCX and declares ``unpacked`` bytes of zeros in
    word/document.xml (about 1.4 MB for the default 300 MB; built in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return out.getvalue()


SH = "\u00ad"  # a soft hyphen: where the PDF writer may break a word with a hyphen
_REPORT_TOPICS = [
    ("Recruiting the first drivers", "recruiting drivers at the depot"),
    ("Opening hours after midnight", "the timetable of the lessons"),
    ("Vocabulary of the road", "street names and landmarks"),
    ("Talking to passengers", "small talk with passengers"),
    ("Prices, receipts and payments", "reading receipts aloud"),
    ("Radio etiquette", "talking on the dispatch radio"),
    ("Volunteers and teachers", "training the volunteer teachers"),
    ("Certificates", "preparing for the language certificate"),
    ("Costs and funding", "paying for books and certificates"),
    ("What we would change", "lessons learned after one year"),
]


def report_paragraphs(topic: str, month: int) -> list[str]:
    """Three paragraphs of one chapter of the night-school report, soft hyphens in long
    words (remove ``SH`` for the text a reader sees)."""
    return [
        f"In month {month} the night school worked on {topic}. Teachers from the adult "
        f"edu{SH}ca{SH}tion centre prepared short exercises, and the taxi co{SH}ope{SH}ra{SH}tive "
        f"lent its meeting room after midnight. The muni{SH}ci{SH}pa{SH}lity followed the work "
        f"through its inte{SH}gra{SH}tion office, which keeps the names of the participants "
        f"and the hours they attended, so that nobody loses a place after a missed lesson.",
        f"Drivers said that {topic} helped them in their daily work. Several of them "
        f"explained that com{SH}mu{SH}ni{SH}ca{SH}tion with passengers had become easier and "
        f"that they felt more confident when a customer asked for directions to a "
        f"neigh{SH}bour{SH}hood they did not know. The coordinator wrote down their "
        f"sug{SH}ges{SH}tions in a notebook kept at the depot.",
        f"At the end of month {month} the group met the employment services to discuss "
        f"accom{SH}mo{SH}da{SH}tion, childcare and the recog{SH}ni{SH}tion of foreign driving "
        f"licences. These meetings were multi{SH}lin{SH}gual: a volunteer interpreted into "
        f"Arabic, Somali and Russian whenever a driver asked for it.",
    ]


def report_pdf_bytes(
    *,
    metadata_title: str | None = None,
    pages: int = 10,
    footer: str = "Page {n} of {nb}",
    flowing: bool = False,
    bold_headings: bool = False,
) -> bytes:
    """A ``pages``-page PDF report: a title, one chapter per page (heading in a larger
    font, three justified paragraphs with words hyphenated at line ends), a running
    header and ``footer`` with the page number.

    ``flowing`` lets the chapters run on without page breaks, so paragraphs (and
    hyphenated words) go over page ends; ``bold_headings`` sets the chapter headings
    in the body size, bold.
    """
    from fpdf import FPDF

    class Report(FPDF):  # type: ignore[misc]
        def header(self) -> None:
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, "City of Tampere - Night school report 2024", align="C")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 6, footer.format(n=self.page_no(), nb="{nb}"), align="C")

    pdf = Report(format="A4")
    if metadata_title:
        pdf.set_title(metadata_title)
    for month, (heading, topic) in enumerate(_REPORT_TOPICS[:pages], start=1):
        if month == 1 or not flowing:
            pdf.add_page()
        if month == 1:
            pdf.set_font("Helvetica", size=20)
            pdf.multi_cell(0, 10, EN.title, align="L")
            pdf.ln(4)
        if bold_headings:
            pdf.set_font("Helvetica", style="B", size=11)
        else:
            pdf.set_font("Helvetica", size=14)
        pdf.multi_cell(0, 8, heading, align="L")
        pdf.ln(2)
        pdf.set_font("Helvetica", size=11)
        for paragraph in report_paragraphs(topic, month):
            pdf.multi_cell(0, 5.5, paragraph, align="J")
            pdf.ln(3)
    return bytes(pdf.output())


def report_text(pages: int = 10) -> list[tuple[str, list[str]]]:
    """The report's chapters as a reader sees them: (heading, paragraphs)."""
    return [
        (heading, [p.replace(SH, "") for p in report_paragraphs(topic, month)])
        for month, (heading, topic) in enumerate(_REPORT_TOPICS[:pages], start=1)
    ]


def pdf_bytes(sample: Sample, *, metadata_title: str | None = None) -> bytes:
    """A short PDF of ``sample``: title and headings in larger fonts, paragraphs, bullets."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    if metadata_title:
        pdf.set_title(metadata_title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=18)
    pdf.multi_cell(0, 9, sample.title, align="L")
    for heading, paragraphs in sample.sections:
        pdf.ln(4)
        pdf.set_font("Helvetica", size=14)
        pdf.multi_cell(0, 8, heading, align="L")
        pdf.ln(2)
        pdf.set_font("Helvetica", size=11)
        for p in paragraphs:
            pdf.multi_cell(0, 5.5, p, align="J")
            pdf.ln(3)
    for item in sample.items:
        pdf.multi_cell(0, 5.5, f"\u00b7 {item}", align="L", new_x="LMARGIN")
    return bytes(pdf.output())


def encrypted_pdf_bytes(user_password: str = "secret") -> bytes:
    """The English sample as a PDF encrypted with AES-256; an empty ``user_password``
    gives one that opens without a password (only the owner's is set)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(EN))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def no_text_pdf_bytes() -> bytes:
    """Two pages with a drawn rectangle and a picture of text, but no text layer: what
    a scanner makes."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).text(
        (20, 80), "Scanned page: night school for taxi drivers", fill="black"
    )
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.rect(20, 20, 100, 50)
    pdf.add_page()
    pdf.image(image, x=20, y=20, w=160)
    return bytes(pdf.output())


def damaged_docx_bytes() -> bytes:
    """The English DOCX with bytes of word/document.xml's compressed data overwritten:
    the archive's directory is intact, the member does not inflate."""
    data = bytearray(docx_bytes(EN))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 18] = b"\xff" * 8
    return bytes(data)


def write_samples(folder: Path, sample: Sample) -> dict[str, Path]:
    """``sample`` written in every format into ``folder``: kind -> path
    (``night-school.pdf``, ``.docx``, ``.html``, ``.md``, ``.txt``, named from the
    sample's language so the English and Italian files can share a folder)."""
    stem = "night-school" if sample.lang == "en" else "ciclofficina"
    makers = {
        "pdf": (".pdf", pdf_bytes),
        "docx": (".docx", docx_bytes),
        "html": (".html", html_bytes),
        "markdown": (".md", markdown_bytes),
        "text": (".txt", text_bytes),
    }
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, (suffix, make) in makers.items():
        path = folder / f"{stem}{suffix}"
        path.write_bytes(make(sample))
        paths[kind] = path
    return paths


_NEWSLETTER = "Night school newsletter: two columns"


def two_column_text(pages: int = 3) -> list[str]:
    """The paragraphs of :func:`two_column_pdf_bytes` in reading order (left column,
    then right, page by page), as a reader sees them."""
    out = []
    for n in range(1, pages + 1):
        for month in (2 * n - 1, 2 * n):
            topic = _REPORT_TOPICS[month - 1][1]
            out += [p.replace(SH, "") for p in report_paragraphs(topic, month)[:2]]
    return out


def two_column_pdf_bytes(pages: int = 3) -> bytes:
    """A newsletter set in two columns: a title across both on the first page, two
    paragraphs per column, a centred page number across the gutter."""
    from fpdf import FPDF

    texts = two_column_text(pages)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for n in range(pages):
        pdf.add_page()
        if n == 0:
            pdf.set_font("Helvetica", size=16)
            pdf.set_xy(10, 15)
            pdf.cell(190, 8, _NEWSLETTER, align="C")
        pdf.set_font("Helvetica", size=10)
        for column, x in enumerate((10, 112)):
            pdf.set_xy(x, 35)
            for p in texts[4 * n + 2 * column : 4 * n + 2 * column + 2]:
                pdf.multi_cell(88, 5, p, align="J", new_x="LEFT")
                pdf.ln(4)
                pdf.set_x(x)
        pdf.set_xy(10, 280)
        pdf.cell(190, 5, str(n + 1), align="C")
    return bytes(pdf.output())
