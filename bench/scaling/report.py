"""The report of :mod:`bench.scaling`: Markdown tables and a PNG of the curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.scaling.synth import DOC_FILTER

__all__ = ["markdown", "plot"]

AT = 10  # recall@AT

Json = dict[str, Any]


def _sizes(results: Json) -> list[tuple[int, Json]]:
    return sorted((int(n), r) for n, r in results["sizes"].items())


def _label_n(n: int) -> str:
    """10k, 1.5k, 2.5M, 500: short, and exact for the sizes anyone would ask for."""
    for unit, size in (("M", 1_000_000), ("k", 1000)):
        if n >= size:
            return f"{n / size:g}{unit}" if n % (size // 10) == 0 else f"{n:,}"
    return str(n)


def markdown(results: Json) -> str:
    """The tables of docs/scaling.md."""
    lines = [
        "| N | index | build s | disk MB | RSS MB | config | p50 ms | p95 ms | engine p50 ms "
        f"| recall@{AT} | recall@100 | recall@{AT} en | recall@{AT} it | recall@{AT} doc |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, r in _sizes(results):
        for name, v in r["vectors"].items():
            for label, c in v["configs"].items():
                lines.append(
                    f"| {_label_n(n)} | {name} | {v['build_s']} | {v['disk_mb']} | "
                    f"{v['rss_index_mb']} | {label} | {c['p50_ms']:.2f} | {c['p95_ms']:.2f} | "
                    f"{c['engine']['p50_ms']:.2f} | {c[f'recall@{AT}']:.3f} | "
                    f"{c['recall@100']:.3f} | "
                    f"{c[f'recall@{AT} lang:en']:.3f} | {c[f'recall@{AT} lang:it']:.3f} | "
                    f"{c[f'recall@{AT} doc:{DOC_FILTER}']:.3f} |"
                )
    lines += [
        "",
        "| N | bm25 build s | build peak RSS MB | disk MB | RSS MB | scores p50 ms "
        "| top-k argsort p50/p95 ms | top-k partition p50/p95 ms | same results |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, r in _sizes(results):
        x = r["lexical"]
        lines.append(
            f"| {_label_n(n)} | {x['build_s']} | {x['build_peak_rss_mb']} | {x['disk_mb']} | "
            f"{x['rss_index_mb']} | {x['scores']['p50_ms']:.2f} | "
            f"{x['topk_argsort']['p50_ms']:.2f} / {x['topk_argsort']['p95_ms']:.2f} | "
            f"{x['topk_partition']['p50_ms']:.2f} / {x['topk_partition']['p95_ms']:.2f} | "
            f"{x['same_results']} |"
        )
    lines += [
        "",
        "| N | write s | disk MB | read_records s | + row_of s | + facets s | RSS MB "
        "| lookup 10 by rowid p50/p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, r in _sizes(results):
        x = r["records"]
        lines.append(
            f"| {_label_n(n)} | {x['write_s']} | {x['disk_mb']} | {x['read_s']} | "
            f"{x['row_of_s']} | {x['facets_s']} | {x['rss_loaded_mb']} | "
            f"{x['lookup10_by_rowid']['p50_ms']:.2f} / {x['lookup10_by_rowid']['p95_ms']:.2f} |"
        )
    lines += ["", "| N | IDSelectorBatch (before) | IDSelectorBitmap (now) |", "|---|---|---|"]
    for n, r in _sizes(results):
        sel = r["selector"]
        lines.append(f"| {_label_n(n)} | {sel['batch_ms']:.2f} ms | {sel['bitmap_ms']:.2f} ms |")
    lines += [
        "",
        "| N | vector index | load_index s | Retriever() s | RSS MB | peak RSS MB "
        "| search p50/p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, r in _sizes(results):
        x = r["retriever"]
        lines.append(
            f"| {_label_n(n)} | {x['index_type']} | {x['load_index_s']} | "
            f"{x['retriever_init_s']} | {x['rss_total_mb']} | {x['peak_rss_mb']} | "
            f"{x['search']['p50_ms']:.0f} / {x['search']['p95_ms']:.0f} |"
        )
    rates = results.get("embedding", {})
    if rates:
        lines += ["", "| N | " + " | ".join(f"embed {e} h" for e in rates) + " | total h |"]
        lines.append("|---|" + "---|" * (len(rates) + 1))
        for n, _ in _sizes(results):
            hours = [n / v["passages_per_s"] / 3600 for v in rates.values()]
            lines.append(
                f"| {_label_n(n)} | "
                + " | ".join(f"{h:.1f}" for h in hours)
                + f" | {sum(hours):.1f} |"
            )
    return "\n".join(lines) + "\n"


_STYLES = {"fla": "o-", "hns": "s--", "ivf": "^-."}


def _value(r: Json, keys: tuple[str, ...], config: str | None) -> float | None:
    """``r[k1][k2]...``, inside the vector configuration ``config`` if given."""
    node: Any = r
    if config is not None:
        node = next(
            (v["configs"][config] for v in r["vectors"].values() if config in v["configs"]), None
        )
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return float(node)


def _curve(
    ax: Any,
    sizes: list[tuple[int, Json]],
    keys: tuple[str, ...],
    style: str,
    *,
    config: str | None = None,
    **kw: Any,
) -> None:
    points = [(n, _value(r, keys, config)) for n, r in sizes]
    xs = [n for n, y in points if y is not None]
    if xs:
        ax.plot(xs, [y for _, y in points if y is not None], style, **kw)


def plot(results: Json, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = _sizes(results)
    ns = [n for n, _ in sizes]
    labels = list(
        dict.fromkeys(lab for _, r in sizes for v in r["vectors"].values() for lab in v["configs"])
    )
    names = list(dict.fromkeys(name for _, r in sizes for name in r["vectors"]))
    cmap = plt.get_cmap("tab10")
    shade = plt.get_cmap("tab20")
    colour = {lab: shade(i % 20) for i, lab in enumerate(labels)}
    style = {lab: _STYLES[lab[:3]] for lab in labels}  # flat -, hnsw --, ivf -.
    fig, axes = plt.subplots(2, 3, figsize=(17, 10))
    log = {"xscale": "log", "yscale": "log", "xlabel": "passages"}

    ax = axes[0, 0]
    for lab in labels:
        _curve(ax, sizes, ("p50_ms",), style[lab], config=lab, color=colour[lab], label=lab)
    ax.set(title="one search, k=100: p50 (ms)", **log)
    ax.legend(fontsize=7)
    ax = axes[0, 1]
    for lab in labels:
        _curve(ax, sizes, ("engine", "p50_ms"), style[lab], config=lab, color=colour[lab])
    ax.set(title="as the engine searches: one per language group, p50 (ms)", **log)
    ax = axes[0, 2]
    for lab in labels:
        if not lab.startswith("flat"):
            _curve(ax, sizes, (f"recall@{AT}",), style[lab], config=lab, color=colour[lab])
            doc = (f"recall@{AT} doc:{DOC_FILTER}",)
            _curve(ax, sizes, doc, "x:", config=lab, color=colour[lab])
    ax.set(
        title=f"recall@{AT} against exact search (x: doc filter)", xscale="log", xlabel="passages"
    )

    ax = axes[1, 0]
    for i, name in enumerate(names):
        _curve(ax, sizes, ("vectors", name, "build_s"), "o-", color=cmap(i), label=name)
    _curve(ax, sizes, ("lexical", "build_s"), "s--", color="black", label="bm25 (one language)")
    _curve(ax, sizes, ("records", "write_s"), "^--", color="grey", label="SQLite records")
    ax.set(title="build time (s)", **log)
    ax.legend(fontsize=7)
    ax = axes[1, 1]
    for i, name in enumerate(names):
        _curve(ax, sizes, ("vectors", name, "rss_index_mb"), "o-", color=cmap(i), label=f"{name}")
        _curve(ax, sizes, ("vectors", name, "disk_mb"), "o:", color=cmap(i))
    _curve(ax, sizes, ("lexical", "rss_index_mb"), "s--", color="black", label="bm25")
    _curve(ax, sizes, ("records", "rss_loaded_mb"), "^--", color="grey", label="records as dicts")
    ax.set(title="memory once loaded (MB; dotted: file on disk)", **log)
    ax.legend(fontsize=7)
    ax = axes[1, 2]
    _curve(
        ax,
        sizes,
        ("lexical", "total_argsort", "p50_ms"),
        "s-",
        color="black",
        label="bm25: scores + full argsort (before)",
    )
    _curve(
        ax,
        sizes,
        ("lexical", "total_partition", "p50_ms"),
        "s--",
        color="black",
        label="bm25: scores + partition (engine)",
    )
    _curve(
        ax,
        sizes,
        ("records", "lookup10_by_rowid", "p50_ms"),
        "^-",
        color="grey",
        label="SQLite: 10 records",
    )
    _curve(
        ax,
        sizes,
        ("retriever", "search", "p50_ms"),
        "o-",
        color="tab:red",
        label="Retriever.search (e5 + bm25-en)",
    )
    ax.set(title="other per-need costs, p50 (ms)", **log)
    ax.legend(fontsize=7)
    for a in axes.flat:
        a.set_xticks(ns, [_label_n(n) for n in ns])
        a.grid(True, which="both", alpha=0.3)
    machine = results.get("machine", {})
    fig.suptitle(
        f"practice-search at scale: {machine.get('cpu')}, {machine.get('cores')} cores, "
        "synthetic e5-like passages"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
