"""The comparison as a Markdown table, a JSON file and a PNG plot."""

from __future__ import annotations

import json
from pathlib import Path

from eval.dataset import SLICES
from eval.runner import METRICS

__all__ = ["markdown", "write_report"]

Results = dict[str, dict[str, dict[str, float]]]


def markdown(results: Results) -> str:
    slices = [s for s in SLICES if any(s in r for r in results.values())]
    lines = []
    if any("vs_default" in r for r in results.values()):
        lines += [
            "**nDCG@10 (all) against the shipped default, paired t-test over queries**\n",
            "| configuration | nDCG@10 | Δ vs default | p |",
            "|---|---|---|---|",
        ]
        for name, res in results.items():
            vs = res.get("vs_default", {})
            lines.append(
                f"| {name} | {res['all']['ndcg@10']:.3f} | "
                f"{vs.get('ndcg@10_delta', 0.0):+.3f} | {vs.get('p_value', 1.0):.3f} |"
            )
        lines.append("")
    for metric in METRICS:
        lines.append(f"**{metric}**\n")
        counts = next(iter(results.values()))
        head = " | ".join(f"{s} ({int(counts[s]['queries'])})" for s in slices if s in counts)
        lines.append(f"| configuration | {head} |")
        lines.append("|---|" + "---|" * len(slices))
        best = {s: max(r[s][metric] for r in results.values() if s in r) for s in slices}
        for name, res in results.items():
            cells = []
            for s in slices:
                value = res.get(s, {}).get(metric)
                text = "–" if value is None else f"{value:.3f}"
                cells.append(f"**{text}**" if value is not None and value == best[s] else text)
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _plot(results: Results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    slices = [s for s in SLICES if any(s in r for r in results.values())]
    names = list(results)
    width = 0.8 / max(1, len(names))
    fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(slices) + 0.4 * len(names)), 5))
    colours = plt.get_cmap("tab20")
    for i, name in enumerate(names):
        xs = [j + i * width for j in range(len(slices))]
        values = [results[name].get(s, {}).get("ndcg@10", 0.0) for s in slices]
        ax.bar(xs, values, width, label=name, color=colours(i % 20))
    ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(slices))], slices)
    ax.set_ylabel("nDCG@10")
    ax.set_ylim(0, 1)
    ax.set_title("practice-search: nDCG@10 by slice and configuration")
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(results: Results, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.md", out / "report.json", out / "report.png"]
    paths[0].write_text(markdown(results), encoding="utf-8")
    paths[1].write_text(json.dumps(results, indent=2), encoding="utf-8")
    _plot(results, paths[2])
    return paths
