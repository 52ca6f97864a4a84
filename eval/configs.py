"""Named configurations to compare, and the index variant each one needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from practice_search.config import Settings

__all__ = ["CONFIGS", "DEFAULT", "VARIANTS", "Config"]

# index variants: what must be built (one build serves every channel subset of it)
VARIANTS: dict[str, dict[str, object]] = {
    "full": {"encoders": ["e5", "minilm", "use"]},
    "no-context": {"encoders": ["e5", "minilm"], "context_in_embedding": False},
    "chunk-100": {"encoders": ["e5", "minilm"], "max_words": 100},
}


@dataclass(frozen=True)
class Config:
    name: str
    variant: str
    weights: dict[str, float] = field(default_factory=dict)
    description: str = ""

    def settings(self, base: Settings) -> Settings:
        variant = VARIANTS[self.variant]
        data_dir = base.data_dir / "eval" / self.variant
        update = {**variant, "data_dir": data_dir, "weights": self.weights}
        return Settings(**{**base.model_dump(), **update})


_OFF = 0.0
CONFIGS: dict[str, Config] = {
    c.name: c
    for c in [
        Config("bm25", "full", {"e5": _OFF, "minilm": _OFF, "use": _OFF}, "lexical only"),
        Config("e5", "full", {"bm25": _OFF, "minilm": _OFF, "use": _OFF}, "multilingual-e5 alone"),
        Config("minilm", "full", {"bm25": _OFF, "e5": _OFF, "use": _OFF}, "MiniLM alone"),
        Config("use", "full", {"bm25": _OFF, "e5": _OFF, "minilm": _OFF}, "USE alone"),
        Config("bm25+e5", "full", {"minilm": _OFF, "use": _OFF}, "hybrid, E5 only"),
        Config("bm25+e5+minilm", "full", {"use": _OFF}, "hybrid (shipped default)"),
        Config("bm25+e5+minilm+use", "full", {}, "hybrid, every encoder"),
        Config("bm25x0.5+e5+minilm", "full", {"use": _OFF, "bm25": 0.5}, "lexical weight 0.5"),
        Config("bm25+e5x2+minilm", "full", {"use": _OFF, "e5": 2.0}, "E5 weight 2"),
        Config("bm25+e5+minilm/no-context", "no-context", {}, "passages embedded without context"),
        Config("bm25+e5+minilm/chunk-100", "chunk-100", {}, "passages of at most 100 words"),
    ]
}
DEFAULT = "bm25+e5+minilm"
