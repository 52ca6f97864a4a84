"""Human-readable rendering of a search result for the terminal."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from typing import Any

__all__ = ["render_result"]

_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _marked(snippet: str, spans: list[list[int]], color: bool) -> str:
    if not color or not spans:
        return snippet
    out, last = [], 0
    for start, end in spans:
        out += [snippet[last:start], _BOLD, snippet[start:end], _RESET]
        last = end
    out.append(snippet[last:])
    return "".join(out)


def _why(match: dict[str, dict[str, float]]) -> str:
    return ", ".join(f"{ch} #{int(h['rank'])} ({h['score']:.2f})" for ch, h in match.items())


def _names(refs: list[dict[str, Any]], most: int = 5) -> str:
    names = [r["title"] for r in refs]
    more = f" (+{len(names) - most} more)" if len(names) > most else ""
    return (", ".join(names[:most]) + more) or "—"


def _passage(
    n: int, p: dict[str, Any], width: int, dim: Callable[[str], str], color: bool
) -> list[str]:
    """One ranked passage: its number, title, provenance, snippet and why it matched."""
    lines: list[str] = []
    practice = p["practice"]
    title = practice["title"] if practice else p["doc"]["title"]
    where = (
        ", ".join(x for x in (practice["organisation"], practice["place"]) if x) if practice else ""
    )
    lines.append(
        f"\n{n:>2}. {title}" + (f" — {where}" if where else "") + f"   [score {p['score']:.4f}]"
    )
    sources = "; ".join(s["title"] for s in p["sources"])
    lines.append(f"    {dim('source:')} {sources}")
    if p["section"]:
        lines.append(f"    {dim('section:')} {' › '.join(p['section'])}")
    body = textwrap.fill(
        p["highlight"]["snippet"], width - 4, initial_indent="    ", subsequent_indent="    "
    )
    if color:  # spans are offsets into the unwrapped snippet: mark, then wrap loosely
        body = "    " + _marked(p["highlight"]["snippet"], p["highlight"]["spans"], True)
    lines.append(body)
    lines.append(f"    {dim('matched by: ' + _why(p['match']))}")
    return lines


def render_result(result: dict[str, Any], color: bool = False) -> str:
    """The result as text: passages with provenance and why they matched, then checklist items."""
    width = min(shutil.get_terminal_size((100, 20)).columns, 110)
    dim = (lambda s: f"{_DIM}{s}{_RESET}") if color else (lambda s: s)
    lines = [
        f'Need: "{result["query"]}"  (language: {result["lang"]}'
        + ("" if result["lang_confident"] else ", uncertain")
        + ")"
    ]
    if result.get("message"):
        lines += ["", f"! {result['message']}"]
    if result["passages"]:
        lines += ["", "PASSAGES"]
    groups = result.get("groups")
    if groups is None:
        for n, p in enumerate(result["passages"], start=result["offset"] + 1):
            lines += _passage(n, p, width, dim, color)
    for g in groups or []:  # group=practice: one heading per practice or section
        count = len(g["passages"])
        lines.append(f"\n== {g['title']}" + (f"  ({count} passages)" if count > 1 else ""))
        for i in g["passages"]:
            lines += _passage(result["offset"] + i + 1, result["passages"][i], width, dim, color)
    if result["checklist"]:
        lines += ["", "CHECKLIST RECOMMENDATIONS"]
    for n, c in enumerate(result["checklist"], start=result["offset"] + 1):
        lines.append(f"\n{n:>2}. {c['text']}   [score {c['score']:.4f}]")
        lines.append(f"    {dim('dimension:')} {c['dimension']} › {c['question']}")
        lines.append(f"    ✓ met by: {_names(c['met_by'])}")
        lines.append(f"    ✗ not met by: {_names(c['not_met_by'])}")
        lines.append(f"    {dim('matched by: ' + _why(c['match']))}")
    if not result["passages"] and not result["checklist"]:
        lines += ["", "No results (check the filters)."]
    return "\n".join(lines)
