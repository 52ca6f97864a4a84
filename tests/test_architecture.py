"""The shape of the code: which package may import which (docs/architecture.md), and
the public names each package offers."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. A package may import its own modules and those of lower layers only;
# packages in one layer do not import each other. Faces (cli, service) are on top of
# the library; measurement (eval, bench) sits beside the service, over the library.
LAYERS: list[set[str]] = [
    {"practice_search"},  # settings and errors every package shares
    {"corpus"},  # documents -> typed records
    {"index"},  # records -> vectors, BM25, SQLite, manifest
    {"retriever"},  # need -> ranked passages and checklist items (the library API)
    {"service", "eval"},  # the HTTP face; the labelled-set evaluation
    {"bench"},  # benchmarks, scaling, peers: may start the service, reuse evaluation
    {"cli"},  # the command line: the top
]
RANK = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in a module, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def layer_violations(root: Path = ROOT) -> list[str]:
    bad = []
    for pkg, rank in RANK.items():
        for path in sorted((root / pkg).rglob("*.py")):
            for line, target in _imports(path):
                if target in RANK and target != pkg and RANK[target] >= rank:
                    where = path.relative_to(root)
                    bad.append(f"{where}:{line} imports {target} (layer {RANK[target]} >= {rank})")
    return bad


def test_no_package_imports_one_above_it_or_beside_it() -> None:
    assert layer_violations() == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    for pkg in RANK:
        (tmp_path / pkg).mkdir()
    (tmp_path / "index" / "load.py").write_text("def f():\n    from retriever import Retriever\n")
    (tmp_path / "eval" / "run.py").write_text("import service.app\n")
    assert layer_violations(tmp_path) == [
        "index/load.py:2 imports retriever (layer 3 >= 2)",
        "eval/run.py:1 imports service (layer 4 >= 4)",
    ]


def test_every_package_is_placed_in_a_layer() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "scripts"}
    assert packages <= set(RANK), packages - set(RANK)


def test_the_core_package_holds_settings_and_errors_only() -> None:
    modules = {p.name for p in (ROOT / "practice_search").glob("*.py")}
    assert modules == {"__init__.py", "config.py", "errors.py"}


def test_no_runtime_module_is_over_450_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for pkg in RANK
        for p in (ROOT / pkg).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert long == {}


# What each package offers; a name added or dropped is a decision, made here too.
PUBLIC = {
    "practice_search": {
        "BuildError",
        "ConfigError",
        "CorpusError",
        "DocumentRejected",
        "IndexCorrupt",
        "IndexError_",
        "IndexMissing",
        "IndexStale",
        "ModelNotAvailable",
        "NotFound",
        "PracticeSearchError",
        "QueryError",
        "Settings",
        "get_settings",
    },
    "corpus": {
        "CHUNKING_VERSION",
        "DOCUMENTS",
        "ChecklistItem",
        "Corpus",
        "Dimension",
        "Document",
        "Mark",
        "Passage",
        "Practice",
        "corpus_hash",
        "load_corpus",
    },
    "corpus.ingest": {
        "FORMATS",
        "Extracted",
        "Format",
        "IngestLimits",
        "Kind",
        "check_file_name",
        "check_lang",
        "check_title",
        "document_passages",
        "extract",
        "iter_files",
    },
    "index": {
        "ENCODERS",
        "Encoder",
        "EncoderFactory",
        "EncoderInfo",
        "HashEncoder",
        "LoadedIndex",
        "Manifest",
        "build_index",
        "check_fresh",
        "create_encoder",
        "load_index",
        "read_manifest",
    },
    "retriever": {
        "ChecklistResult",
        "Filters",
        "PassageGroup",
        "PassageResult",
        "ResultType",
        "Retriever",
        "SearchRequest",
        "SearchResult",
    },
    "service": {"create_app"},
    "cli": {"main"},
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_names(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC[package]
    assert len(module.__all__) == len(set(module.__all__))
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []
