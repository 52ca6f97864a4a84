"""The peers comparison as one table (plain text and Markdown) and a JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.dataset import SLICES

__all__ = ["table", "write_report"]

Row = dict[str, Any]  # name, scores {slice: {metric: value}}, vs_default, latency_ms


def _cells(row: Row) -> list[str]:
    scores = row["scores"]
    cells = [row["name"]]
    cells += [f"{scores[s]['ndcg@10']:.3f}" if s in scores else "–" for s in SLICES]
    vs = row.get("vs_default")
    cells.append(f"{vs['ndcg@10_delta']:+.3f} (p {vs['p_value']:.2f})" if vs else "–")
    lat = row["latency_ms"]
    cells += [f"{lat['p50']:.1f}", f"{lat['p95']:.1f}"]
    return cells


def _header(rows: list[Row]) -> list[str]:
    scores = rows[0]["scores"]
    slices = [f"{s} ({int(scores[s]['queries'])})" if s in scores else s for s in SLICES]
    return ["system", *slices, "Δ all vs ours (p)", "p50 ms", "p95 ms"]


def table(rows: list[Row], markdown: bool = False) -> str:
    """nDCG@10 by slice, the paired-test difference to our default, warm latency."""
    head = _header(rows)
    body = [_cells(r) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(c) + " |" for c in body])
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]

    def fmt(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *(fmt(c) for c in body)])


def write_report(report: dict[str, Any], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "peers.json", out / "peers.md"]
    paths[0].write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    notes = "\n".join(f"- {n}" for n in report["notes"])
    paths[1].write_text(
        f"# Peers side by side\n\n`{report['command']}`\n\n"
        f"nDCG@10 by slice on the labelled set ({report['queries']} needs); warm in-process "
        f"latency per query over {report['latency']['needs']} needs "
        f"(k={report['latency']['k']}, {report['latency']['rounds']} rounds; 1-minute load "
        f"average before/after timing: {report['latency']['load_avg_1min']} on "
        f"{report['cpus']} CPUs).\n\n"
        f"{table(report['rows'], markdown=True)}\n\n{notes}\n",
        encoding="utf-8",
    )
    return paths
