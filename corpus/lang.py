"""Language of a passage: langdetect, seeded and restricted to the corpus languages."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["CORPUS_LANGS", "lang_probabilities"]

CORPUS_LANGS = ("en", "it")


@lru_cache(maxsize=1)
def _factory() -> object:
    from langdetect import DetectorFactory, detector_factory

    DetectorFactory.seed = 0  # langdetect is random unless seeded
    detector_factory.init_factory()
    return detector_factory._factory


def lang_probabilities(text: str, trials: int = 7) -> dict[str, float]:
    """Probability of each corpus language (they sum to 1; empty text gives {}).

    ``trials`` is langdetect's number of random restarts (7 by default); fewer
    is faster and, with only two candidate languages, as stable on short needs.
    """
    from langdetect.lang_detect_exception import LangDetectException

    factory = _factory()
    detector = factory.create()  # type: ignore[attr-defined]
    detector.set_prior_map({lang: 1.0 / len(CORPUS_LANGS) for lang in CORPUS_LANGS})
    detector.n_trial = trials
    detector.append(text)
    try:
        found = detector.get_probabilities()
    except LangDetectException:
        return {}
    probs = {lang.lang: lang.prob for lang in found if lang.lang in CORPUS_LANGS}
    total = sum(probs.values())
    return {k: v / total for k, v in probs.items()} if total else {}
