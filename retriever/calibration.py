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

from index.backend import VectorSearch
from retriever.language import QueryLanguage

__all__ = ["GENERIC_NEEDS", "Calibration", "generic_vectors", "hub_scores", "language_offsets"]

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


class Calibration:
    """What a dense channel's cosine gives for free, per result kind: per-language offsets
    and, with hubness correction β > 0, each row's own mean cosine to the generic needs.

    Measured once at load (:meth:`measure`), read-only afterwards.
    """

    def __init__(
        self,
        groups: Mapping[str, Mapping[str, np.ndarray]],
        row_langs: Mapping[str, list[str]],
        hubness: float,
    ) -> None:
        self.groups = groups  # kind -> language -> rows
        self._row_langs = row_langs  # kind -> each row's language
        self._beta = hubness
        self._offsets: dict[tuple[str, str], dict[tuple[str, str], float]] = {}
        self._hubs: dict[tuple[str, str], dict[str, np.ndarray]] = {}

    def measure(
        self, channel: str, kind: str, generic: Mapping[str, np.ndarray], vec: VectorSearch
    ) -> None:
        """Offsets (and hub scores) of ``channel`` over ``kind``, from the generic needs
        embedded by that channel."""
        centroids = {g: vec.mean_of(rows) for g, rows in self.groups[kind].items()}
        self._offsets[(channel, kind)] = language_offsets(generic, centroids)
        if self._beta > 0:
            self._hubs[(channel, kind)] = hub_scores(generic, vec.rows, vec.size)

    def measured(self, channel: str, kind: str) -> bool:
        return (channel, kind) in self._offsets

    @staticmethod
    def shares(qlang: QueryLanguage) -> dict[str, float]:
        """How much of the need is in each language of the generic needs (sums to 1)."""
        qlangs = sorted(GENERIC_NEEDS)
        share = {q: qlang.probabilities.get(q, 0.0) for q in qlangs}
        z = sum(share.values())
        return {q: (p / z if z else 1.0 / len(qlangs)) for q, p in share.items()}

    def group_offsets(self, channel: str, kind: str, qlang: QueryLanguage) -> dict[str, float]:
        """Per passage language, what ``channel``'s cosine gives for free to a need in
        ``qlang`` (mixed by how sure the language detection is); empty if not measured."""
        offsets = self._offsets.get((channel, kind))
        if offsets is None:
            return {}
        share = self.shares(qlang)
        return {g: sum(p * offsets[(q, g)] for q, p in share.items()) for g in self.groups[kind]}

    def row_shift(self, channel: str, kind: str, qlang: QueryLanguage) -> Callable[[int], float]:
        """What to subtract from ``channel``'s cosine for a row: its language group's
        offset, or with hubness correction β, (1 − β) × that plus β × the row's own mean
        cosine to the generic needs."""
        groups = self.group_offsets(channel, kind, qlang)
        langs = self._row_langs[kind]
        hubs = self._hubs.get((channel, kind))
        if not hubs:
            return lambda row: groups.get(langs[row], 0.0)
        beta = self._beta
        shares = self.shares(qlang)

        def shift(row: int) -> float:
            hub = sum(p * float(hubs[q][row]) for q, p in shares.items())
            return (1 - beta) * groups.get(langs[row], 0.0) + beta * hub

        return shift
