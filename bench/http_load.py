"""A bounded HTTP load run against a practice-search service on loopback.

Run: ``python -m bench.http_load --url http://127.0.0.1:8000/ --clients 8 --seconds 30``.
Each client sends ``GET /search`` for the needs in bench/needs.txt in turn, until
the time is up. Prints one JSON object: latency p50/p95/p99 in ms, requests per
second, error count. A benchmark: nothing is asserted here.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.common import needs, percentiles


def run_load(
    url: str, clients: int, seconds: float, k: int = 10, fresh: bool = False
) -> dict[str, Any]:
    """Drive ``clients`` concurrent clients for ``seconds``; return the measurements.

    With ``fresh``, every request's need is made unique (a counter is appended), so
    the service's query-embedding cache never answers: the uncached cost.
    """
    base = url.rstrip("/")
    queries = needs()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        i = offset
        with httpx.Client(timeout=30) as http:
            while time.monotonic() < deadline:
                q = queries[i % len(queries)]
                if fresh:
                    q = f"{q} {offset}-{i}"
                i += 1
                t = time.perf_counter()
                try:
                    r = http.get(f"{base}/search", params={"q": q, "k": k})
                    ok = r.status_code == 200
                    problem = "" if ok else f"{r.status_code} for {q!r}"
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__} for {q!r}"
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    if problem:  # failures are counted, not timed
                        errors.append(problem)
                    else:
                        latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(n * 7,)) for n in range(clients)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - started
    pct = percentiles(latencies, 1)
    return {
        "clients": clients,
        "fresh_needs": fresh,
        "seconds": round(wall, 1),
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "error_samples": errors[:5],
        "rps": round(len(latencies) / wall, 1),  # answered requests per second
        "p50_ms": pct["p50"] if latencies else None,
        "p95_ms": pct["p95"],
        "p99_ms": pct["p99"],
    }


def is_loopback(url: str) -> bool:
    """Whether ``url`` is plain HTTP to this machine (127.0.0.0/8, ::1 or localhost)."""
    parsed = urlsplit(url)
    host = parsed.hostname or ""
    if parsed.scheme != "http":
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8000/")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--fresh", action="store_true", help="unique needs: no cache hits")
    args = parser.parse_args(argv)
    if not is_loopback(args.url):
        parser.error("load runs only against loopback addresses")
    print(json.dumps(run_load(args.url, args.clients, args.seconds, fresh=args.fresh)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
