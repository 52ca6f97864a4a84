"""Peers side by side: our engine, txtai and bm25s on the same records and labelled needs
(``python -m bench.peers``; txtai comes with the ``peers`` extra)."""
