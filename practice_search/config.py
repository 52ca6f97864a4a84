"""Typed settings, read from the environment (prefix ``PRACTICE_SEARCH_``).

One :class:`Settings` object is built per process through the cached
:func:`get_settings`; tests build their own ``Settings(...)`` and pass it in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from practice_search.errors import ConfigError

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Every knob of the engine. Defaults are the measured best configuration."""

    model_config = SettingsConfigDict(env_prefix="PRACTICE_SEARCH_", env_nested_delimiter="__")

    data_dir: Path = Field(
        default=Path(".data"),
        description="Directory holding the built index (git-ignored).",
    )
    models_dir: Path | None = Field(
        default=None,
        description=(
            "Where fetched and exported models are kept (default: <data dir>/models). "
            "Indexes in other data dirs can share one models folder."
        ),
    )
    embeddinggemma_dir: Path | None = Field(
        default=None,
        description=(
            "A folder already holding EmbeddingGemma-300M (sentence-transformers layout). "
            "When set, it is used instead of downloading: its pinned SHA-256 hashes are "
            "checked, then it is hard-linked or copied into the models folder."
        ),
    )
    embedding_cache: bool = Field(
        default=True,
        description=(
            "Keep EmbeddingGemma's passage vectors by exact text beside its export, so a "
            "rebuild embeds only new or changed passages."
        ),
    )
    encoders: list[str] = Field(
        default=["gemma"],
        description=(
            "Dense encoders, by registry name (see `practice-search encoders`) or "
            "'st:<model name or local path>' for any sentence-transformers model on disk."
        ),
    )
    lexical: bool = Field(
        default=True,
        description=(
            "Build the BM25 indexes (English and Italian stemming): they give highlights "
            "and, with a weight above 0, vote in the fusion."
        ),
    )
    weights: dict[str, float] = Field(
        default={"bm25": 0.0},
        description=(
            "Fusion weight per channel name (bm25, gemma, e5, minilm, ...); missing = 1.0, "
            "0 switches a channel off. BM25 is off by default: beside EmbeddingGemma it "
            "did not earn its place (docs/evaluation.md)."
        ),
    )
    confidence_floor: dict[str, float] = Field(
        default={"gemma": 0.235, "minilm": 0.30, "e5": 0.80},
        description=(
            "Per dense channel, most discriminative first: below this best cosine the "
            "need is judged off-topic (low_confidence). The first channel that reads the "
            "query's language decides."
        ),
    )
    fusion: Literal["rrf", "score"] = Field(
        default="score",
        description=(
            "How channels are fused: 'rrf' (weighted reciprocal rank fusion) or 'score' "
            "(weighted mean of calibrated cosines and max-scaled BM25 scores)."
        ),
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal rank fusion constant.")
    prf: float = Field(
        default=0.0,
        ge=0.0,
        le=2.0,
        description=(
            "Pseudo-relevance feedback: move each dense query vector toward the mean of "
            "its top 3 passages by this much (0 = off)."
        ),
    )
    hubness: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description=(
            "Hubness correction: 0 subtracts each language group's mean cosine to generic "
            "needs, 1 each passage's own (passages close to every need sink)."
        ),
    )
    candidates: int = Field(default=100, ge=10, le=10_000, description="Hits per channel.")
    context_in_embedding: bool = Field(
        default=True, description="Embed passages with their title/heading/question context."
    )
    max_words: int = Field(
        default=150, ge=20, le=400, description="Passage size limit in words (chunking)."
    )
    default_k: int = Field(default=10, ge=1)
    max_k: int = Field(default=100, ge=1)
    max_query_chars: int = Field(default=500, ge=10)
    max_query_tokens: int = Field(
        default=256,
        ge=8,
        le=2048,
        description=(
            "Token budget of a need for each tokenizer-based encoder: a longer need is cut "
            "after the character holding its last budgeted token before it is embedded "
            "(what it costs grows with its tokens, not its characters). No 500-character "
            "stretch of the corpus's English or Italian text reaches 256 tokens."
        ),
    )
    threads: int = Field(
        default=1,
        ge=1,
        description=(
            "CPU threads per encoder. Encoders run side by side (one thread each on a "
            "2-core machine beats two threads each, taken in turn)."
        ),
    )

    index_type: Literal["auto", "flat", "hnsw", "ivf"] = Field(
        default="auto",
        description=(
            "FAISS index: 'flat' (exact), 'hnsw' (graph) or 'ivf' (about sqrt(rows) "
            "inverted lists); 'auto' is flat up to 50,000 rows, then ivf "
            "(docs/scaling.md). Changing it makes the index stale: rebuild."
        ),
    )
    hnsw_m: int = Field(
        default=32, ge=4, le=128, description="HNSW links per vector (build time; rebuild)."
    )
    hnsw_ef_search: int = Field(
        default=512,
        ge=1,
        description="HNSW search breadth (query time; never below the hits asked for).",
    )
    ivf_nprobe: int = Field(
        default=64, ge=1, description="IVF lists searched per query (query time)."
    )

    host: str = Field(default="127.0.0.1", description="Address the HTTP service binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port of the HTTP service.")
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (CORS); empty = none.",
    )
    max_body_bytes: int = Field(default=16_384, ge=256, description="Largest request body.")
    max_concurrent_searches: int = Field(
        default=4,
        ge=1,
        description=(
            "Searches run at once, each in a thread of the search pool (the health, "
            "readiness, metrics and static routes never wait for it); needs already "
            "embedded have a pool of their own, so they never wait behind new ones."
        ),
    )
    max_queued_searches: int = Field(
        default=16,
        ge=0,
        description=(
            "Searches that may wait for a running one to finish; any more are answered "
            "at once with 503 and Retry-After."
        ),
    )
    retry_after: int = Field(
        default=1, ge=1, description="Seconds a refused search is told to wait (Retry-After)."
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        description=(
            "Seconds a request has to send its headers: from the connection's opening, "
            "or from the first byte of a later request on a kept-alive connection."
        ),
    )
    body_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a request has to send its whole body, once its headers are in.",
    )
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, description="Seconds an idle keep-alive connection is kept open."
    )
    max_connections: int = Field(
        default=1000,
        ge=1,
        description=(
            "Open connections served at once; one more is closed as soon as it is "
            "accepted (kept under the process's file descriptor limit)."
        ),
    )

    backend: Literal["embedded", "milvus"] = Field(
        default="embedded",
        description=(
            "Where vectors, BM25 and records are searched: 'embedded' (FAISS, bm25s and "
            "SQLite in the data dir) or 'milvus' (a Milvus collection; needs the 'scale' "
            "extra; docs/scaling.md, Beyond one machine)."
        ),
    )
    milvus_uri: str = Field(
        default="",
        description=(
            "With backend 'milvus': a file path runs Milvus Lite in-process, http://host:port "
            "talks to a Milvus server or cluster (default: <data dir>/milvus.db)."
        ),
    )
    milvus_token: str = Field(
        default="", description="Milvus token ('user:password' or an API key); empty: none."
    )
    milvus_collection: str = Field(
        default="practice_search",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,40}$",
        description="The Milvus alias that serves the index (its collections are named after it).",
    )
    milvus_shards: int = Field(
        default=1, ge=1, le=16, description="Shards of each Milvus collection a build creates."
    )
    milvus_replicas: int = Field(
        default=1, ge=1, le=16, description="In-memory replicas a Milvus collection is loaded with."
    )
    # -- added documents and the admin API (docs/operations.md) ----------------------------
    max_document_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1024,
        description=(
            "Largest document file `add` and the admin API take (an upload over it is "
            "cut off with 413 as soon as it passes the limit)."
        ),
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description=(
            "Bearer token of the admin API (/admin/documents); unset, the API is off and "
            "its routes do not exist."
        ),
    )
    admin_requests_per_minute: int = Field(
        default=30, ge=1, description="Admin API requests per client address per minute."
    )
    reload_interval: float = Field(
        default=0.5,
        ge=0.05,
        description=(
            "Seconds between a running service's checks for a newly published index "
            "version (it loads the new one in the background, then switches to it)."
        ),
    )

    @field_validator("encoders")
    @classmethod
    def _no_duplicate_encoders(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"encoders listed twice: {value}")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment.

    Raises:
        ConfigError: an environment variable holds a value that cannot work.
    """
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"PRACTICE_SEARCH_{'_'.join(str(x) for x in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"bad setting: {problems}") from None
