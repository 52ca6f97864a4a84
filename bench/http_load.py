"""A bounded HTTP load run against a practice-search service on loopback.

Run: ``python -m bench.http_load --url http://127.0.0.1:8000/ --clients 8 --seconds 30``.
Each client sends ``GET /search`` for the needs in bench/needs.txt in turn, until
the time is up. Prints one JSON object: latency p50/p95/p99 in ms, requests per
second, error count. A benchmark: nothing is asserted here.

``--mixed`` measures what expensive needs do to everyone else: ``--clients`` clients
send unique 500-emoji needs (the costliest text the character limit lets through)
while one client repeats a cached need and one probes ``/healthz`` every 50 ms. It
prints the latency of each kind and the statuses; a 503 with ``Retry-After`` is the
service shedding load on purpose (the client waits as told), anything else is an error.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import secrets
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

    With ``fresh``, every request's need is made unique (this run's random tag, the
    client and a counter are appended), so the service's query-embedding cache never
    answers, in this run or a later one against the same server: the uncached cost.
    """
    run = secrets.token_hex(4)
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
                    q = f"{q} {run}-{offset}-{i}"
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


# pictographs the tokenizer splits finely: the most tokens 500 characters can hold
_EMOJI = [chr(c) for c in range(0x1F300, 0x1F5FF)]


def expensive_need(rng: random.Random, chars: int = 500) -> str:
    """A unique need of ``chars`` random emoji (no cache can answer it)."""
    return "".join(rng.choice(_EMOJI) for _ in range(chars))


class _Kind:
    """The answers one kind of request got: latencies of the 200s, counts by status."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.errors: list[str] = []

    def summary(self) -> dict[str, Any]:
        pct = percentiles(self.latencies, 1)
        return {
            "ok": len(self.latencies),
            "statuses": dict(sorted(self.statuses.items())),
            "errors": len(self.errors),  # neither 200 nor a 503 with Retry-After
            "error_samples": self.errors[:3],
            "p50_ms": pct["p50"] if self.latencies else None,
            "p99_ms": pct["p99"] if self.latencies else None,
        }


def run_mixed(url: str, clients: int, seconds: float, k: int = 10) -> dict[str, Any]:
    """``clients`` clients of unique 500-emoji needs, one client of a cached need and
    one ``/healthz`` probe, for ``seconds``; the latencies and statuses of each kind."""
    base = url.rstrip("/")
    cheap_need = needs()[0]
    kinds = {name: _Kind() for name in ("expensive", "cached", "healthz")}
    lock = threading.Lock()
    with httpx.Client(timeout=60) as http:  # the cached need's embedding is cached now
        http.get(f"{base}/search", params={"q": cheap_need, "k": k})
    deadline = time.monotonic() + seconds

    def one(http: httpx.Client, kind: str, path: str, params: dict[str, Any]) -> float:
        """Send one request and record it; the seconds to wait before the next."""
        t = time.perf_counter()
        try:
            r = http.get(f"{base}{path}", params=params)
            status, retry = str(r.status_code), r.headers.get("retry-after")
        except httpx.HTTPError as exc:
            status, retry = type(exc).__name__, None
        elapsed = (time.perf_counter() - t) * 1000
        record = kinds[kind]
        with lock:
            record.statuses[status] = record.statuses.get(status, 0) + 1
            if status == "200":
                record.latencies.append(elapsed)
            elif not (status == "503" and retry is not None):
                record.errors.append(f"{status} after {elapsed:.0f} ms")
        return float(retry) if status == "503" and retry and retry.isdigit() else 0.0

    def expensive(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < deadline:
                wait = one(http, "expensive", "/search", {"q": expensive_need(rng), "k": k})
                time.sleep(min(wait, max(0.0, deadline - time.monotonic())))

    def cached() -> None:
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < deadline:
                wait = one(http, "cached", "/search", {"q": cheap_need, "k": k})
                time.sleep(min(max(wait, 0.01), max(0.0, deadline - time.monotonic())))

    def healthz() -> None:
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < deadline:
                one(http, "healthz", "/healthz", {})
                time.sleep(0.05)

    threads = [threading.Thread(target=expensive, args=(n,)) for n in range(clients)]
    threads += [threading.Thread(target=cached), threading.Thread(target=healthz)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return {
        "clients": clients,
        "seconds": round(time.perf_counter() - started, 1),
        **{name: kind.summary() for name, kind in kinds.items()},
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
    parser.add_argument(
        "--mixed",
        action="store_true",
        help="unique 500-emoji needs, beside one cached need and a /healthz probe",
    )
    args = parser.parse_args(argv)
    if not is_loopback(args.url):
        parser.error("load runs only against loopback addresses")
    if args.mixed:
        print(json.dumps(run_mixed(args.url, args.clients, args.seconds)))
    else:
        print(json.dumps(run_load(args.url, args.clients, args.seconds, fresh=args.fresh)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
