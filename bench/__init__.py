"""Benchmarks over the library and the service: the service benchmark
(``practice-search bench``: build, latency by stage, HTTP load, cold start, memory),
scaling on synthetic corpora (:mod:`bench.scaling`) and peers side by side
(:mod:`bench.peers`). Their dependencies are the ``bench`` and ``peers`` extras."""
