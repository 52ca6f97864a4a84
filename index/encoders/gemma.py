"""EmbeddingGemma-300M: fetched and verified once, exported once to int8 ONNX."""

from __future__ import annotations

import fcntl
import shutil
import sys
import time
from pathlib import Path

from index.encoders.export import GEMMA_RECIPE, export_embeddinggemma, int8_preset
from practice_search.errors import ModelNotAvailable

__all__ = ["GEMMA_DIMS", "gemma_export_dir", "prepare_embeddinggemma"]

GEMMA_DIMS = (768, 512, 256)  # Matryoshka sizes offered as encoders


def gemma_export_dir(models: Path) -> Path:
    """Where EmbeddingGemma's int8 export for this CPU lives under ``models``."""
    return models / f"embeddinggemma-300m-onnx-int8-{int8_preset()}-r{GEMMA_RECIPE}"


def prepare_embeddinggemma(
    models: Path, source: Path | None = None, *, progress: bool = True
) -> Path:
    """Fetch, verify and export EmbeddingGemma once (each step skipped when done);
    return the export folder. ``source`` is a folder the user already has.

    Raises:
        ModelNotAvailable: the model could not be fetched, verified or exported.
    """
    export = gemma_export_dir(models)
    if (export / "model.onnx").exists():
        return export
    from index.encoders.fetch import EMBEDDINGGEMMA, ensure_model

    folder = ensure_model(EMBEDDINGGEMMA, models, local=source, progress=progress)
    try:
        # one export at a time (it takes GBs of memory); a second process waits, then
        # finds it done; what a killed export left is removed under the lock
        with (models / f".{export.name}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if (export / "model.onnx").exists():
                return export
            for stale in models.glob(f".tmp-{export.name}-*"):
                shutil.rmtree(stale, ignore_errors=True)
            if progress:
                print(
                    "exporting EmbeddingGemma to ONNX int8 (once; a few minutes)...",
                    file=sys.stderr,
                    flush=True,
                )
            started = time.perf_counter()
            export_embeddinggemma(folder, export, int8=True)
    except OSError as exc:
        raise ModelNotAvailable(
            f"cannot export EmbeddingGemma into {models} ({exc}): check that it is writable"
        ) from exc
    if progress:
        print(f"exported in {time.perf_counter() - started:.0f} s: {export}", file=sys.stderr)
    return export
