"""Language of a passage: langdetect, seeded and restricted to the corpus languages."""

from __future__ import annotations

import threading

__all__ = ["CORPUS_LANGS", "lang_probabilities", "ready"]

CORPUS_LANGS = ("en", "it")

# langdetect sets up one module-wide table on first use; two threads doing it at once
# corrupt it ("'en' is not in list", "dictionary changed size during iteration"), so the
# first use is serialised and its result kept
_LOCK = threading.Lock()
_FACTORIES: dict[bool, object] = {}


def _factory(corpus_langs_only: bool) -> object:
    factory = _FACTORIES.get(corpus_langs_only)
    if factory is None:
        with _LOCK:
            factory = _FACTORIES.get(corpus_langs_only)
            if factory is None:
                factory = _FACTORIES[corpus_langs_only] = _make_factory(corpus_langs_only)
    return factory


def ready() -> None:
    """Set up both detectors now (a server does it before it says it is ready)."""
    _factory(False)
    _factory(True)


def _make_factory(corpus_langs_only: bool) -> object:
    from langdetect import DetectorFactory, detector_factory

    DetectorFactory.seed = 0  # langdetect is random unless seeded
    detector_factory.init_factory()
    full = detector_factory._factory
    if not corpus_langs_only:
        return full
    # The same n-gram table cut to the corpus languages' columns: every n-gram
    # update then touches two probabilities instead of 55. The prior map zeroes
    # the other languages anyway and the table keeps every n-gram, so the random
    # sampling and the result are the same as with the full table, only faster.
    cols = [full.langlist.index(lang) for lang in CORPUS_LANGS]
    fast = DetectorFactory()
    fast.langlist = list(CORPUS_LANGS)
    fast.word_lang_prob_map = {
        gram: [probs[c] for c in cols] for gram, probs in full.word_lang_prob_map.items()
    }
    fast.set_seed(0)
    return fast


def lang_probabilities(text: str, trials: int = 7, *, fast: bool = False) -> dict[str, float]:
    """Probability of each corpus language (they sum to 1; empty text gives {}).

    ``trials`` is langdetect's number of random restarts (7 by default); fewer
    is faster and, with only two candidate languages, as stable on short needs.
    ``fast`` uses the n-gram table cut to the corpus languages: same answer,
    several times faster, about 20 MB more memory (queries use it).
    """
    from langdetect.lang_detect_exception import LangDetectException

    factory = _factory(fast)
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
