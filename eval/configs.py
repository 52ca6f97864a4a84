"""Named configurations to compare, and the index variant each one needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from index.encoders import models_dir
from practice_search.config import Settings

__all__ = ["CONFIGS", "DEFAULT", "VARIANTS", "Config"]

# index variants: what must be built (one build serves every channel subset of it)
VARIANTS: dict[str, dict[str, object]] = {
    "full": {"encoders": ["e5", "minilm", "use"]},
    "no-context": {"encoders": ["e5", "minilm"], "context_in_embedding": False},
    "chunk-100": {"encoders": ["e5", "minilm"], "max_words": 100},
    "gemma": {"encoders": ["gemma", "e5", "minilm"]},
    "default": {"encoders": ["gemma"]},  # the shipped default
    "gemma-no-title": {"encoders": ["gemma"], "context_in_embedding": False},
    "gemma-512": {"encoders": ["gemma-512"]},
    "gemma-256": {"encoders": ["gemma-256"]},
}


@dataclass(frozen=True)
class Config:
    name: str
    variant: str
    weights: dict[str, float] = field(default_factory=dict)
    description: str = ""
    # other settings that act at query time (fusion, rrf_k, ...)
    overrides: dict[str, Any] = field(default_factory=dict)

    def settings(self, base: Settings) -> Settings:
        variant = VARIANTS[self.variant]
        data_dir = base.data_dir / "eval" / self.variant
        # every variant shares the base's models (fetched and exported once)
        update = {
            "fusion": "rrf",  # what every configuration ran with before score fusion
            **variant,
            **self.overrides,
            "data_dir": data_dir,
            "models_dir": models_dir(base),
            "weights": self.weights,
        }
        return Settings(**{**base.model_dump(), **update})


_OFF = 0.0
_G = {"e5": _OFF, "minilm": _OFF}  # the gemma variant's other encoders, switched off
_SCORE = {"fusion": "score"}
CONFIGS: dict[str, Config] = {
    c.name: c
    for c in [
        Config("bm25", "full", {"e5": _OFF, "minilm": _OFF, "use": _OFF}, "lexical only"),
        Config("e5", "full", {"bm25": _OFF, "minilm": _OFF, "use": _OFF}, "multilingual-e5 alone"),
        Config("minilm", "full", {"bm25": _OFF, "e5": _OFF, "use": _OFF}, "MiniLM alone"),
        Config("use", "full", {"bm25": _OFF, "e5": _OFF, "minilm": _OFF}, "USE alone"),
        Config("bm25+e5", "full", {"minilm": _OFF, "use": _OFF}, "hybrid, E5 only"),
        Config("bm25+e5+minilm", "full", {"use": _OFF}, "hybrid (the previous default)"),
        Config("bm25+e5+minilm+use", "full", {}, "hybrid, every encoder"),
        Config("bm25x0.5+e5+minilm", "full", {"use": _OFF, "bm25": 0.5}, "lexical weight 0.5"),
        Config("bm25+e5x2+minilm", "full", {"use": _OFF, "e5": 2.0}, "E5 weight 2"),
        Config("bm25+e5+minilm/no-context", "no-context", {}, "passages embedded without context"),
        Config("bm25+e5+minilm/chunk-100", "chunk-100", {}, "passages of at most 100 words"),
        Config("gemma", "gemma", {**_G, "bm25": _OFF}, "EmbeddingGemma alone, real titles"),
        Config(
            "gemma/title-none", "gemma-no-title", {"bm25": _OFF}, "EmbeddingGemma, 'title: none'"
        ),
        Config("gemma-512", "gemma-512", {"bm25": _OFF}, "EmbeddingGemma cut to 512 dims"),
        Config("gemma-256", "gemma-256", {"bm25": _OFF}, "EmbeddingGemma cut to 256 dims"),
        Config("bm25+gemma", "gemma", _G, "BM25 + EmbeddingGemma, RRF k=60"),
        Config("bm25x0.3+gemma", "gemma", {**_G, "bm25": 0.3}, "BM25 weight 0.3, RRF"),
        Config(
            "bm25x0.3+gemma/rrf-10",
            "gemma",
            {**_G, "bm25": 0.3},
            "BM25 weight 0.3, RRF k=10",
            {"rrf_k": 10},
        ),
        Config(
            "bm25x0.3+gemma/score",
            "gemma",
            {**_G, "bm25": 0.3},
            "BM25 weight 0.3, score fusion",
            {"fusion": "score"},
        ),
        Config(
            "bm25x0.1+gemma/score",
            "gemma",
            {**_G, "bm25": 0.1},
            "BM25 weight 0.1, score fusion",
            {"fusion": "score"},
        ),
        Config(
            "default", "default", {"bm25": _OFF}, "shipped: EmbeddingGemma alone, score", _SCORE
        ),
        Config("gemma/score", "gemma", {**_G, "bm25": _OFF}, "EmbeddingGemma alone", _SCORE),
        Config(
            "gemma/title-none/score",
            "gemma-no-title",
            {"bm25": _OFF},
            "EmbeddingGemma alone, 'title: none'",
            _SCORE,
        ),
        Config("gemma-512/score", "gemma-512", {"bm25": _OFF}, "cut to 512 dims", _SCORE),
        Config("gemma-256/score", "gemma-256", {"bm25": _OFF}, "cut to 256 dims", _SCORE),
        Config("bm25x0.05+gemma/score", "gemma", {**_G, "bm25": 0.05}, "BM25 0.05", _SCORE),
        Config("bm25x0.2+gemma/score", "gemma", {**_G, "bm25": 0.2}, "BM25 0.2", _SCORE),
        Config(
            "bm25x0.1+gemma/score/prf-0.3",
            "gemma",
            {**_G, "bm25": 0.1},
            "query moved 0.3 toward its top 3",
            {**_SCORE, "prf": 0.3},
        ),
        Config(
            "bm25x0.1+gemma/score/hub-0.5",
            "gemma",
            {**_G, "bm25": 0.1},
            "hubness correction 0.5",
            {**_SCORE, "hubness": 0.5},
        ),
        Config(
            "bm25x0.1+gemma/score/hub-1",
            "gemma",
            {**_G, "bm25": 0.1},
            "hubness correction 1 (per passage)",
            {**_SCORE, "hubness": 1.0},
        ),
        Config(
            "bm25x0.1+gemma+minilmx0.3/score",
            "gemma",
            {"e5": _OFF, "bm25": 0.1, "minilm": 0.3},
            "MiniLM 0.3 beside",
            _SCORE,
        ),
        Config("gemma+e5", "gemma", {"minilm": _OFF, "bm25": _OFF}, "EmbeddingGemma + E5, RRF"),
        Config("gemma+minilm", "gemma", {"e5": _OFF, "bm25": _OFF}, "EmbeddingGemma + MiniLM"),
        Config("gemmax2+minilm", "gemma", {"e5": _OFF, "bm25": _OFF, "gemma": 2.0}, "weight 2:1"),
        Config("bm25+gemma+e5+minilm", "gemma", {}, "every channel, RRF"),
    ]
}
DEFAULT = "default"
