"""Query language and the channel weights it implies.

langdetect is unreliable on a two-word need ("mediatori interculturali" can
come back as Romanian), so detection is restricted to the corpus languages and
only *reweights* channels: every channel always contributes, so a wrong guess
costs ranking quality, never results.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.lang import lang_probabilities

__all__ = ["QueryLanguage", "channel_weight", "detect_query_language"]

_CONFIDENT = 0.90
_MIN_WORDS = 3


@dataclass(frozen=True)
class QueryLanguage:
    lang: str
    confident: bool
    probabilities: dict[str, float]


def detect_query_language(query: str) -> QueryLanguage:
    probs = lang_probabilities(query, fast=True)
    if not probs:
        return QueryLanguage("en", False, {})
    lang = max(probs, key=probs.__getitem__)
    confident = probs[lang] >= _CONFIDENT and len(query.split()) >= _MIN_WORDS
    return QueryLanguage(lang, confident, probs)


def channel_weight(channel_langs: tuple[str, ...], query: QueryLanguage, base: float) -> float:
    """Scale a channel's weight by how well it can read the query's language.

    A channel that reads every language ("*") keeps its weight. A one-language
    channel (English MiniLM, English- or Italian-stemmed BM25) is damped in
    proportion to the probability that the query is in another language.
    """
    if "*" in channel_langs:
        return base
    p_match = sum(query.probabilities.get(lang, 0.0) for lang in channel_langs)
    if not query.probabilities:
        p_match = 0.5
    if not query.confident:
        p_match = max(p_match, 0.5)  # unsure: never silence a channel
    return base * max(0.15, p_match)
