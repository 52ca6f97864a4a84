"""The Markdown face of a ``practice-search bench`` report."""

from __future__ import annotations

from typing import Any

__all__ = ["markdown"]

# the order stages happen in a search; pool encoders run beside the first four
_STAGE_ORDER = [
    "validate",
    "lang",
    "lexical",
    "encode_here",
    "encode_wait",
    "faiss",
    "fusion",
    "collapse",
    "hydration",
]


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _stage_rows(stages: dict[str, dict[str, float]]) -> list[list[Any]]:
    def order(name: str) -> tuple[int, str]:
        base = "encode_wait" if name.startswith("encode:") else name
        known = _STAGE_ORDER.index(base) if base in _STAGE_ORDER else len(_STAGE_ORDER)
        return known, name

    rows = []
    for name in sorted(stages, key=order):
        s = stages[name]
        label = f"{name} (the model call)" if name.startswith("encode:") else name
        rows.append([label, s["p50"], s["p95"], s["p99"], s["mean"]])
    return rows


def markdown(report: dict[str, Any]) -> str:
    b, q, cli, svc = report["build"], report["query"], report["cli"], report["service"]
    m = report["machine"]
    lines = [
        f"# practice-search benchmark ({report['mode']})",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}. "
        f"Encoders: {', '.join(report['settings']['encoders'])}; "
        f"lexical: {report['settings']['lexical']}. Whole run: {report['bench_s']} s.",
        "",
        "## Build from scratch",
        "",
        *_table(
            ["passages", "checklist items", "build s", "process wall s", "peak RSS MB"],
            [[b["passages"], b["checklist"], b["build_s"], b["wall_s"], b["peak_rss_mb"]]],
        ),
        *_table(["stage", "seconds"], [[k, v] for k, v in b["stages_s"].items()]),
        f"## Warm query latency in process ({q['queries']} needs, cache cleared)",
        "",
        f"Retriever load: {q['load_s']} s. End to end / encoder floor at p50: "
        f"**{q['ratio_p50']}** (goal ≤ 1.3).",
        "",
        *_table(
            ["measure", "p50 ms", "p95 ms", "p99 ms"],
            [
                ["end to end", *q["end_to_end_ms"].values()],
                ["encoder floor (side by side)", *q["encoder_floor_ms"].values()],
                *[[f"{e} alone", *v.values()] for e, v in q["encoder_alone_ms"].items()],
            ],
        ),
        "By stage. The slower encoders run in pool threads beside language detection, "
        "BM25 and the fastest encoder (`encode_here`, in the search's own thread); "
        "`encode_wait` is what they add to the critical path after that:",
        "",
        *_table(["stage", "p50 ms", "p95 ms", "p99 ms", "mean ms"], _stage_rows(q["stages_ms"])),
        f"Not in any stage (call overhead, result objects): {q['unaccounted_mean_ms']} ms mean.",
        "",
        "## Cold start and memory",
        "",
        *_table(
            ["process", "start to first answer s", "peak RSS MB"],
            [
                ["CLI `practice-search query`", cli["first_answer_s"], cli["peak_rss_mb"]],
                *(
                    [["service `practice-search serve`", svc["cold_start_s"], svc["peak_rss_mb"]]]
                    if svc
                    else []
                ),
                ["this benchmark: `Retriever.load` in process", q["load_s"], q["peak_rss_mb"]],
            ],
        ),
    ]
    if svc:
        lines += [
            "## HTTP /search on a real uvicorn (loopback, unique needs, no cache hits)",
            "",
            *_table(
                ["clients", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"],
                [
                    [
                        r["clients"],
                        r["requests"],
                        r["rps"],
                        r["p50_ms"],
                        r["p95_ms"],
                        r["p99_ms"],
                        r["errors"],
                    ]
                    for r in svc["load"]
                ],
            ),
        ]
    return "\n".join(lines).rstrip() + "\n"
