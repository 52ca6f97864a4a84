"""The evaluation and benchmark dependencies are extras: without them the commands say
which extra to install, and the server path never imports them.

Each check runs in a fresh interpreter whose imports of the blocked packages fail, as
they do where the extra is not installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVAL_EXTRA = ("ranx", "scipy", "matplotlib")
BENCH_EXTRA = ("httpx", "matplotlib")
EVERY_EXTRA = (*EVAL_EXTRA, "httpx", "txtai")

_BLOCKER = """
import sys

class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NotInstalled())
"""


def _python(blocked: tuple[str, ...], code: str, **env: str) -> subprocess.CompletedProcess[str]:
    script = f"BLOCKED = {set(blocked)!r}\n{_BLOCKER}\n{textwrap.dedent(code)}"
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,  # the packages of this checkout
        env={**os.environ, "PRACTICE_SEARCH_DEBUG": "", **env},
        timeout=300,
        check=False,
    )


def _module(
    blocked: tuple[str, ...], module: str, args: list[str]
) -> subprocess.CompletedProcess[str]:
    return _python(
        blocked,
        f"""
        import runpy
        sys.argv = [{module!r}, *{args!r}]
        runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
        """,
    )


@pytest.mark.parametrize("missing", EVAL_EXTRA)
@pytest.mark.parametrize("module", ["cli", "eval"])
def test_eval_without_its_extra_names_the_extra(missing: str, module: str, tmp_path: Path) -> None:
    args = ["--configs", "default", "--out", str(tmp_path / "report")]
    out = _module((missing,), module, ["eval", *args] if module == "cli" else args)
    assert out.returncode == 1, out.stderr
    assert out.stderr == (
        f"error: the evaluation needs the 'eval' extra ({missing} is not installed): "
        "pip install 'practice-search[eval]' (in a checkout: pip install -e '.[eval]')\n"
    )
    assert out.stdout == "" and not (tmp_path / "report").exists()


def test_bench_without_its_extra_names_the_extra(tmp_path: Path) -> None:
    out = _module(("httpx",), "cli", ["bench", "--quick", "--out", str(tmp_path / "b")])
    assert out.returncode == 1, out.stderr
    assert out.stderr == (
        "error: the benchmark needs the 'bench' extra (httpx is not installed): "
        "pip install 'practice-search[bench]' (in a checkout: pip install -e '.[bench]')\n"
    )
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    ("module", "missing", "extra", "what"),
    [
        ("bench.peers", "ranx", "peers", "the peers comparison"),
        ("bench.scaling", "matplotlib", "bench", "the scaling benchmark"),
    ],
)
def test_benchmark_modules_without_their_extra_name_it(
    module: str, missing: str, extra: str, what: str, tmp_path: Path
) -> None:
    out = _module((missing,), module, ["--out", str(tmp_path / "out")])
    assert out.returncode == 1, out.stderr
    assert out.stderr == (
        f"error: {what} needs the '{extra}' extra ({missing} is not installed): "
        f"pip install 'practice-search[{extra}]' (in a checkout: pip install -e '.[{extra}]')\n"
    )
    assert not (tmp_path / "out").exists()


def test_the_blocker_blocks() -> None:
    out = _python(("ranx",), "import ranx")
    assert out.returncode == 1 and "ModuleNotFoundError: No module named 'ranx'" in out.stderr


def test_the_server_path_needs_no_extra(fake_index_dir: Path) -> None:
    """The service app, the CLI and a search on the fake-encoder index, with every
    evaluation, benchmark and peers package made impossible to import."""
    out = _python(
        EVERY_EXTRA,
        f"""
        import contextlib
        import io
        import json
        from pathlib import Path

        from cli.main import main
        from practice_search.config import Settings
        from retriever import Retriever
        from service import create_app

        data_dir = Path({str(fake_index_dir)!r})
        settings = Settings(
            data_dir=data_dir, encoders=["hash"], confidence_floor={{}}, weights={{}}
        )
        retriever = Retriever.load(settings)
        create_app(settings, retriever=retriever)
        library = retriever.search("language barrier in healthcare", k=3).to_dict()
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = main(
                ["--data-dir", str(data_dir), "query", "language barrier in healthcare",
                 "-k", "3", "--json"]
            )
        imported = sorted(m for m in BLOCKED if m in sys.modules)
        print(json.dumps({{"code": code, "library": library, "cli": json.loads(printed.getvalue()),
                          "imported": imported}}))
        """,
        PRACTICE_SEARCH_ENCODERS='["hash"]',
        PRACTICE_SEARCH_CONFIDENCE_FLOOR="{}",
        PRACTICE_SEARCH_WEIGHTS="{}",
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.splitlines()[-1])
    assert result["code"] == 0 and result["imported"] == []
    assert len(result["library"]["passages"]) == 3
    ids = [p["id"] for p in result["cli"]["passages"]]
    assert ids == [p["id"] for p in result["library"]["passages"]]
