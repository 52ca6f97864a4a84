"""Per-language score offsets for dense channels.

A multilingual encoder gives same-language pairs a higher cosine across the
board: an Italian need scores every Italian passage ~0.03 higher, an English
need every Italian passage ~0.015 lower, whatever the topic. Left alone, an
Italian need ranks the Italian text first and an English need never reaches it.

The offset of passage-language group g for queries in language L is the mean
cosine between generic, off-topic needs in L and the centroid of g (the mean of
dot products equals the dot product with the mean vector). Generic needs keep
the topic out of the estimate; measured per index at load time, so it adapts
to the corpus and the encoder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["GENERIC_NEEDS", "generic_vectors", "hub_scores", "language_offsets"]

GENERIC_NEEDS: dict[str, list[str]] = {
    "en": [
        "weather forecast for tomorrow",
        "how to cook pasta at home",
        "results of the football match",
        "buying a second-hand car",
        "learning to play the guitar",
        "opening hours of the museum",
    ],
    "it": [
        "previsioni del tempo per domani",
        "come cucinare la pasta a casa",
        "risultati della partita di calcio",
        "comprare un'auto usata",
        "imparare a suonare la chitarra",
        "orari di apertura del museo",
    ],
}


def generic_vectors(encode_queries: Callable[[list[str]], np.ndarray]) -> dict[str, np.ndarray]:
    """The generic needs of each language, embedded as queries."""
    return {qlang: encode_queries(needs) for qlang, needs in GENERIC_NEEDS.items()}


def language_offsets(
    generic: Mapping[str, np.ndarray],
    centroids: Mapping[str, np.ndarray],
) -> dict[tuple[str, str], float]:
    """Mean cosine of generic needs in each language to each group's centroid.

    Returns ``{(query_lang, group_lang): offset}``.
    """
    return {
        (qlang, group): float(np.mean(vecs @ centroid))
        for qlang, vecs in generic.items()
        for group, centroid in centroids.items()
    }


def hub_scores(
    generic: Mapping[str, np.ndarray], rows: Callable[[int, int], np.ndarray], size: int
) -> dict[str, np.ndarray]:
    """Per stored row, its mean cosine to the generic needs of each language.

    A passage that is close to off-topic needs (a resource list, a generic heading) is a
    hub: it comes back for every need. The per-language offset above is the mean of this
    over a language group; subtracting it row by row corrects hubs too. ``rows(start,
    stop)`` returns stored vectors, fetched in chunks.
    """
    out = {qlang: np.empty(size, dtype=np.float32) for qlang in generic}
    for start in range(0, size, 65_536):
        block = rows(start, min(size, start + 65_536))
        for qlang, vecs in generic.items():
            out[qlang][start : start + len(block)] = (block @ vecs.T).mean(axis=1)
    return out
