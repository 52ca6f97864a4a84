"""Real document files made from text written here, for the tests of adding documents.

Every builder returns the file's bytes. The texts are in English and Italian and
talk about things the bundled corpus does not (a night school for taxi drivers, a
bicycle repair workshop), so a search that finds them found the added document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "EN",
    "IT",
    "Sample",
    "markdown_bytes",
    "text_bytes",
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
