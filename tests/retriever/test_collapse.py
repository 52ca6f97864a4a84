"""The collapse compares an item only with kept items sharing a prefix shingle; these
tests hold it to the plain walk that compares it with every kept item."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from retriever.collapse import NEAR_DUPLICATE, _jaccard, collapse, shingles


def _every_pair(
    items: Sequence[str], limit: int, threshold: float = NEAR_DUPLICATE
) -> list[tuple[str, list[str]]]:
    """The reference: each item against every kept item, the first match wins."""
    kept: list[tuple[str, list[str]]] = []
    for item in items:
        if len(kept) >= limit:
            break
        sh = shingles(item)
        match = next(
            (i for i, (k, _) in enumerate(kept) if _jaccard(sh, shingles(k)) >= threshold), None
        )
        if match is None:
            kept.append((item, []))
        else:
            kept[match][1].append(item)
    return kept


def _texts(seed: int, n: int) -> list[str]:
    """Passages, many of them with near-identical copies (a word changed, added, cut)."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(60)]  # a small vocabulary: shingles recur across texts
    originals = [
        " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 40))) for _ in range(n // 3)
    ]
    texts = list(originals)
    while len(texts) < n:
        words = rng.choice(originals).split()
        for _ in range(rng.randint(0, 3)):
            edit = rng.random()
            if edit < 0.4 and words:
                words[rng.randrange(len(words))] = rng.choice(vocab)
            elif edit < 0.7:
                words.insert(rng.randint(0, len(words)), rng.choice(vocab))
            elif words:
                words.pop(rng.randrange(len(words)))
        texts.append(" ".join(words))
    rng.shuffle(texts)
    return texts


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("threshold", [NEAR_DUPLICATE, 0.5, 0.7, 0.95, 1.0, 0.0])
def test_the_same_groups_as_comparing_every_pair(seed: int, threshold: float) -> None:
    texts = _texts(seed, 300)
    merged = _every_pair(texts, 10_000, threshold)
    if threshold == NEAR_DUPLICATE:
        assert any(dupes for _, dupes in merged)  # the data does exercise merging
    assert collapse(texts, str, 10_000, threshold) == merged
    assert collapse(texts, str, 17, threshold) == _every_pair(texts, 17, threshold)


def test_empty_and_wordless_items() -> None:
    assert collapse([], str, 5) == []
    assert collapse(["", "!!", "a b"], str, 5) == _every_pair(["", "!!", "a b"], 5)
    assert collapse(["a", "b"], str, 0) == []
