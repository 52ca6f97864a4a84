"""Record what every face answers, so a restructuring can prove it changed nothing.

    .venv/bin/python scripts/behaviour_snapshot.py OUT_DIR

writes, under OUT_DIR: the library's result for every labelled and sample need
(``library.jsonl``), the labelled-set report of the default configuration
(``eval.json``), every CLI command's exit code, stdout and stderr (``cli.json``) and
every route's status and body (``http.json``; ``openapi.json`` apart, since documenting
more is allowed to change it). Timings are masked. Two snapshots are compared with
``diff -r``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).parent / "practice-search")
TIMING = re.compile(r"\d+(\.\d+)? ?(s|ms)\b")


def _mask(text: str) -> str:
    return TIMING.sub("<t>", text)


def _needs() -> list[str]:
    labelled = [
        json.loads(line)["text"]
        for line in (ROOT / "eval/data/queries.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    sample = (ROOT / "bench/needs.txt").read_text(encoding="utf-8").splitlines()
    return labelled + [n for n in sample if n.strip() and not n.startswith("#")]


def library(out: Path, r: Any) -> None:
    from retriever import Filters

    with (out / "library.jsonl").open("w", encoding="utf-8") as f:
        for need in _needs():
            f.write(json.dumps(r.search(need, k=10).to_dict(), ensure_ascii=False) + "\n")
        for kwargs in (
            {"type": "checklist", "k": 5},
            {"type": "passage", "k": 3, "offset": 4},
            {"filters": Filters(doc="oss")},
            {"filters": Filters(lang="it", dimension="Sustainability")},
        ):
            res = r.search("come finanziare un progetto dopo la fine del bando", **kwargs)  # type: ignore[arg-type]
            f.write(json.dumps(res.to_dict(), ensure_ascii=False) + "\n")


CLI_RUNS: list[tuple[list[str], str | None]] = [
    (["--help"], None),
    (["query", "--help"], None),
    (["eval", "--help"], None),
    (["bench", "--help"], None),
    (["query", "language barrier in healthcare"], None),
    (["query", "--json", "-k", "3", "--type", "checklist", "lavoro per rifugiati"], None),
    (["query", "--json", "--doc", "asap", "--lang", "en", "-k", "2", "housing"], None),
    (["query", "   "], None),
    (["query", "-k", "0", "housing"], None),
    (["query", "-k", "101", "housing"], None),
    (["query", "--offset", "-1", "housing"], None),
    (["query", "--doc", "nope", "housing"], None),
    (["query", "x" * 600], None),
    (["query"], None),
    (
        ["query", "--jsonl", "-k", "2"],
        "housing\n\n"
        '{"id": 1, "query": "lavoro", "k": 1, "type": "checklist"}\n'
        '{"query": "x", "k": 0}\n{"nope": 1}\n{bad json\n'
        '{"id": "f", "query": "health", "doc": "oss", "lang": "en", "k": 1}\n'
        '{"query": "health", "k": "2"}\n{"query": "health", "k": 2.5}\n'
        '{"query": "health", "offset": 1, "dimension": "Effectiveness", "k": 1}\n',
    ),
    (["status"], None),
    (["encoders"], None),
    (["demo", "--once"], None),
    (["bench", "--quick", "--seconds", "3"], None),
    (["bench", "--seconds", "0"], None),
    (["eval", "--configs", "nope"], None),
]


def cli(out: Path) -> None:
    runs = []
    for argv, stdin in CLI_RUNS:
        p = subprocess.run(
            [CLI, *argv], input=stdin, capture_output=True, text=True, timeout=600, check=False
        )
        runs.append(
            {"argv": argv, "rc": p.returncode, "stdout": _mask(p.stdout), "stderr": _mask(p.stderr)}
        )
    (out / "cli.json").write_text(json.dumps(runs, indent=1, ensure_ascii=False), encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run(
            [CLI, "eval", "--configs", "default", "--out", tmp],
            capture_output=True,
            text=True,
            timeout=1200,
            check=True,
        )
        report = json.loads((Path(tmp) / "report.json").read_text(encoding="utf-8"))
        for result in report.get("configs", {}).values() if isinstance(report, dict) else []:
            if isinstance(result, dict):
                result.pop("seconds", None)
        (out / "eval.json").write_text(
            json.dumps({"report": report, "stdout": _mask(p.stdout)}, indent=1), encoding="utf-8"
        )


HTTP_RUNS: list[tuple[str, str, object]] = [
    ("GET", "/search?q=language%20barrier%20in%20healthcare", None),
    ("GET", "/search?q=lavoro&k=3&type=checklist&lang=it", None),
    ("GET", "/search?q=health&doc=oss&dimension=Effectiveness&offset=2&k=2", None),
    ("POST", "/search", {"q": "come finanziare un progetto", "k": 4}),
    ("POST", "/search", {"q": "x", "k": 0}),
    ("POST", "/search", {"q": "x", "k": 101}),
    ("POST", "/search", {"q": "x", "k": True}),
    ("POST", "/search", {"q": "x", "extra": 1}),
    ("POST", "/search", {"q": "   "}),
    ("GET", "/search?q=" + "x" * 501, None),
    ("GET", "/search?q=x&offset=1001", None),
    ("GET", "/search?q=x&doc=nope", None),
    ("GET", "/search", None),
    ("GET", "/documents", None),
    ("GET", "/practices", None),
    ("GET", "/checklist", None),
    ("GET", "/healthz", None),
    ("GET", "/readyz", None),
    ("GET", "/nope", None),
]


def http(out: Path, retriever: Any) -> None:
    from fastapi.testclient import TestClient

    from practice_search.config import get_settings
    from service import create_app

    runs = []
    with TestClient(create_app(get_settings(), retriever)) as client:
        practices = client.get("/practices").json()
        checklist = client.get("/checklist").json()
        first = client.get("/search?q=housing&k=1&type=passage").json()["passages"][0]["id"]
        extra = [
            ("GET", f"/practices/{practices[0]['id']}", None),
            ("GET", f"/practices/{practices[-1]['id']}", None),
            ("GET", "/practices/nope", None),
            ("GET", f"/checklist/{checklist[0]['id']}", None),
            ("GET", "/checklist/nope", None),
            ("GET", f"/similar/{first}", None),
            ("GET", f"/similar/{first}?k=2", None),
            ("GET", "/similar/nope", None),
        ]
        for method, url, body in HTTP_RUNS + extra:
            resp = client.request(method, url, json=body)
            try:
                content: object = resp.json()
            except ValueError:
                content = resp.text[:200]
            runs.append(
                {
                    "method": method,
                    "url": url,
                    "body": body,
                    "status": resp.status_code,
                    "content": content,
                }
            )
        openapi = client.get("/openapi.json").json()
    (out / "http.json").write_text(json.dumps(runs, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "openapi.json").write_text(json.dumps(openapi, indent=1), encoding="utf-8")


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    from practice_search.config import get_settings
    from retriever import Retriever

    retriever = Retriever.load(get_settings())
    library(out, retriever)
    http(out, retriever)
    cli(out)


if __name__ == "__main__":
    main()
