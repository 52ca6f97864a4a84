"""The labelled set: BEIR-style queries.jsonl and qrels.tsv, slices, and an id check."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from practice_search.errors import ConfigError

__all__ = ["DATA", "SLICES", "Dataset", "load_dataset", "project_qrels"]

DATA = Path(__file__).parent / "data"
SLICES = ("all", "en", "it", "cross-lingual", "checklist")


@dataclass
class Query:
    qid: str
    text: str
    lang: str
    answer_lang: str
    best: str  # "passage" or "checklist"
    topic: str

    def slices(self) -> list[str]:
        out = ["all", self.lang]
        if self.lang != self.answer_lang:
            out.append("cross-lingual")
        if self.best == "checklist":
            out.append("checklist")
        return out


@dataclass
class Dataset:
    queries: dict[str, Query]
    qrels: dict[str, dict[str, int]]  # ranx / TREC shape: {qid: {record id: grade}}
    path: Path = field(default=DATA)

    def slice_ids(self, name: str) -> list[str]:
        return [qid for qid, q in self.queries.items() if name in q.slices()]

    def check_ids(self, known: set[str]) -> None:
        """Fail loudly when judged records are missing from the index (e.g. re-chunked)."""
        orphans = sorted({doc for judged in self.qrels.values() for doc in judged} - known)
        if orphans:
            raise ConfigError(
                f"{len(orphans)} judged ids are not in the index (first: {orphans[:5]}); "
                "the chunking changed: re-judge eval/data/qrels.tsv before comparing"
            )


def project_qrels(
    dataset: Dataset, judged_texts: dict[str, str], new_texts: dict[str, str]
) -> Dataset:
    """Carry judgments over to another chunking of the same text.

    A new record inherits the highest grade of the judged records it shares
    text with (at least half of the smaller one's word 3-grams). Checklist
    items keep their ids and grades. Used only to compare chunk sizes.
    """
    from retriever.collapse import shingles

    judged = {rid: shingles(text) for rid, text in judged_texts.items()}
    fresh = {rid: shingles(text) for rid, text in new_texts.items()}
    qrels: dict[str, dict[str, int]] = {}
    for qid, grades in dataset.qrels.items():
        out: dict[str, int] = {}
        for rid, grade in grades.items():
            if rid.startswith("c-") or rid in fresh:
                out[rid] = max(out.get(rid, 0), grade)
                continue
            old = judged.get(rid)
            if not old:
                continue
            for nid, sh in fresh.items():
                shared = len(old & sh)
                if shared and shared >= 0.5 * min(len(old), len(sh)):
                    out[nid] = max(out.get(nid, 0), grade)
        qrels[qid] = out
    return Dataset(dataset.queries, qrels, dataset.path)


def load_dataset(path: Path = DATA) -> Dataset:
    queries: dict[str, Query] = {}
    with (path / "queries.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                raw = json.loads(line)
                meta = raw.get("metadata", {})
                queries[raw["_id"]] = Query(
                    raw["_id"],
                    raw["text"],
                    meta["lang"],
                    meta["answer_lang"],
                    meta["best"],
                    meta["topic"],
                )
    qrels: dict[str, dict[str, int]] = {}
    with (path / "qrels.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    missing = sorted(set(queries) - set(qrels))
    if missing:
        raise ConfigError(f"queries without judgments: {missing}")
    return Dataset(queries, qrels, path)
