"""From the raw files to typed records: the one entry point of the corpus package."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from corpus.asap import parse_asap
from corpus.catalogue import build_catalogue
from corpus.chunking import chunk_paragraphs
from corpus.oss import parse_oss
from corpus.prose import passage_lang, prose_passages
from corpus.records import ChecklistItem, Document, Passage, Practice, stable_id
from corpus.regin import parse_regin
from corpus.spring import RawPractice, parse_spring
from practice_search.errors import CorpusError

__all__ = ["DOCUMENTS", "Corpus", "corpus_hash", "load_corpus"]

DOCUMENTS = [
    Document(
        "spring-a",
        "SPRING good practices (part A)",
        "spring-practices-a.txt",
        "en",
        "SPRING project",
    ),
    Document(
        "spring-b",
        "SPRING good practices (part B)",
        "spring-practices-b.txt",
        "en",
        "SPRING project",
    ),
    Document(
        "asap",
        "ASAP: Nothing about us without us",
        "asap-nothing-about-us-without-us.txt",
        "en",
        "ASAP project",
    ),
    Document(
        "oss",
        "How to guide: setting up a One-Stop-Shop for migrant integration",
        "one-stop-shop-how-to-guide.txt",
        "en",
        "Eurocities",
    ),
    Document(
        "regin",
        "REGIN: valutazione, sviluppo delle capacità e formazione",
        "regin-it.txt",
        "it",
        "REGIN project",
    ),
]
_METADATA = "practices.toml"


@dataclass
class Corpus:
    """Every record the index is built from."""

    documents: list[Document]
    practices: list[Practice]
    passages: list[Passage]
    checklist: list[ChecklistItem]
    rejected_checklist_lines: list[str] = field(default_factory=list)


def _raw_dir() -> Path:
    return Path(str(resources.files("corpus"))) / "raw"


def corpus_hash(raw_dir: Path | None = None) -> str:
    """SHA-256 over the raw files and the curated metadata: changes mean rebuild."""
    raw_dir = raw_dir or _raw_dir()
    h = hashlib.sha256()
    for path in [*(raw_dir / d.file for d in DOCUMENTS), raw_dir.parent / _METADATA]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _read(raw_dir: Path, doc: Document) -> str:
    path = raw_dir / doc.file
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CorpusError(f"corpus file missing: {path}") from exc


def _spring(
    raw_dir: Path, meta: list[dict[str, Any]], max_words: int
) -> tuple[list[Practice], list[Passage], list[ChecklistItem], list[str]]:
    unique: dict[str, RawPractice] = {}
    doc_ids: dict[str, list[str]] = {}
    for doc in DOCUMENTS[:2]:
        for p in parse_spring(_read(raw_dir, doc), doc.id):
            key = p.fingerprint()
            unique.setdefault(key, p)
            doc_ids.setdefault(key, []).append(doc.id)
    practices: list[Practice] = []
    passages: list[Passage] = []
    pairs: list[tuple[str, RawPractice]] = []
    for key, raw in unique.items():
        entry = next((m for m in meta if raw.first_answer.startswith(m["match"])), None)
        if entry is None:
            raise CorpusError(
                f"{raw.doc_id} practice {raw.ordinal} has no entry in {_METADATA} "
                f"(first answer starts {raw.first_answer[:60]!r})"
            )
        practice = Practice(
            entry["slug"],
            entry["title"],
            entry["organisation"],
            entry["city"],
            entry["country"],
            doc_ids[key],
            entry.get("summary", ""),
            list(entry.get("topics", [])),
        )
        practices.append(practice)
        pairs.append((practice.id, raw))
        who = f"{practice.title} ({practice.organisation}, {practice.place})".replace("(, ", "(")
        for q in raw.questions:
            context = f"{who}. {q.dimension.value}. {q.question}"
            units = [(c, "answer") for c in chunk_paragraphs(q.answer, max_words, context)]
            if q.tools:
                units.append(("Inspiring tools: " + "; ".join(q.tools), "tools"))
            for text, kind in units:
                passages.append(
                    Passage(
                        stable_id("p", practice.id, q.question, text),
                        text,
                        context,
                        list(practice.doc_ids),
                        [q.dimension.value, q.question],
                        kind,
                        practice.id,
                        q.dimension.value,
                        q.question,
                    )
                )
    checklist, rejected = build_catalogue(pairs)
    return practices, passages, checklist, rejected


def _collapse(passages: list[Passage]) -> list[Passage]:
    """Identical passage text under the same practice/section is one passage."""
    seen: dict[str, Passage] = {}
    for p in passages:
        if p.id in seen:
            seen[p.id].doc_ids = sorted(set(seen[p.id].doc_ids) | set(p.doc_ids))
        else:
            seen[p.id] = p
    return list(seen.values())


def load_corpus(max_words: int = 150, raw_dir: Path | None = None) -> Corpus:
    """Parse the five documents into documents, practices, passages and checklist items.

    Args:
        max_words: passage size budget in words.
        raw_dir: folder with the raw files (default: the vendored ``corpus/raw``).

    Raises:
        CorpusError: a file is missing or lacks the structure its parser relies on.
    """
    raw_dir = raw_dir or _raw_dir()
    meta = tomllib.loads((raw_dir.parent / _METADATA).read_text(encoding="utf-8"))
    practices, passages, checklist, rejected = _spring(raw_dir, meta["practice"], max_words)
    by_id = {d.id: d for d in DOCUMENTS}

    asap_doc, oss_doc, regin_doc = by_id["asap"], by_id["oss"], by_id["regin"]
    blocks, asap_found = parse_asap(_read(raw_dir, asap_doc), {e["match"]: e for e in meta["asap"]})
    country = {e["slug"]: e["country"] for e in meta["asap"]}
    extra = [
        Practice(a.slug, a.title, a.organisation, a.place, country[a.slug], [asap_doc.id])
        for a in asap_found
    ]
    oss_blocks, oss_found = parse_oss(_read(raw_dir, oss_doc), {e["match"]: e for e in meta["oss"]})
    oss_names = {e["slug"]: e.get("organisation") for e in meta["oss"]}
    extra += [
        Practice(
            o.slug, o.title, oss_names[o.slug] or o.organisation, o.city, o.country, [oss_doc.id]
        )
        for o in oss_found
    ]
    lookup = {p.id: p for p in extra}
    passages += prose_passages(asap_doc, blocks, lookup, max_words)
    passages += prose_passages(oss_doc, oss_blocks, lookup, max_words)
    passages += prose_passages(regin_doc, parse_regin(_read(raw_dir, regin_doc)), lookup, max_words)
    passages = _collapse(passages)
    for p in passages:
        p.lang = passage_lang(p.text, by_id[p.doc_ids[0]].lang)
    return Corpus(list(DOCUMENTS), practices + extra, passages, checklist, rejected)
