"""How the index scales: synthetic corpora of 10k, 100k and 1M passages
(``python -m bench.scaling``; the method is in docs/scaling.md)."""
