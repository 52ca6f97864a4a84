"""Connecting to Milvus (Lite in-process, a server or a cluster) and turning its
failures into the project's errors: one line each, no tracebacks."""

from __future__ import annotations

import contextlib
import importlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from practice_search.config import Settings
from practice_search.errors import BackendUnavailable, ConfigError

__all__ = [
    "MissingScaleExtra",
    "connect",
    "milvus_errors",
    "milvus_uri",
    "require_scale",
]

_SERVER = re.compile(r"^(https?|tcp|grpc)://", re.IGNORECASE)
_SCALE = ("pymilvus", "milvus_lite", "ray")
# pymilvus pings every 10 s even when idle; a gRPC server with default settings (a
# Milvus Lite server) answers idle pings with GOAWAY "too many pings" after three,
# which failed the next call on an idle connection: ping only while a call runs
_GRPC_OPTIONS = {"grpc.keepalive_permit_without_calls": 0}


class MissingScaleExtra(ConfigError):
    """The Milvus backend or distributed embedding is asked for without the extra."""


def require_scale(what: str, modules: tuple[str, ...] = _SCALE[:2]) -> None:
    """Import each of ``modules`` or raise MissingScaleExtra naming the ``scale`` extra."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            missing = exc.name or name
            raise MissingScaleExtra(
                f"{what} needs the 'scale' extra ({missing} is not installed): "
                "pip install 'practice-search[scale]' (in a checkout: pip install -e '.[scale]')"
            ) from None


def milvus_uri(settings: Settings) -> str:
    """Where the Milvus backend lives: the setting, or Milvus Lite in the data dir."""
    return settings.milvus_uri or str(settings.data_dir / "milvus.db")


def is_server(uri: str) -> bool:
    return bool(_SERVER.match(uri))


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(message).split())[:200]


@contextlib.contextmanager
def milvus_errors(uri: str, doing: str) -> Iterator[None]:
    """Milvus and connection failures while ``doing`` become BackendUnavailable."""
    from pymilvus.exceptions import MilvusException

    try:
        yield
    except (MilvusException, ConnectionError, OSError) as exc:
        raise BackendUnavailable(f"Milvus at {uri} failed {doing}: {_reason(exc)}") from exc


def connect(settings: Settings, *, create: bool = False, timeout: float = 10.0) -> Any:
    """A ``MilvusClient`` for the configured URI (a file path: Milvus Lite in this
    process, whose folder ``create`` makes; ``http://``: a server or cluster).

    Raises:
        MissingScaleExtra: pymilvus or milvus-lite is not installed.
        BackendUnavailable: the server cannot be reached.
    """
    require_scale("the Milvus backend")
    from pymilvus import MilvusClient

    # pymilvus logs every failed call with its traceback (tens of lines a request
    # while a server is down); milvus_errors turns each into the one line reported
    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)

    uri = milvus_uri(settings)
    if not is_server(uri):
        folder = Path(uri).parent
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        elif not Path(uri).exists():
            from practice_search.errors import IndexMissing

            raise IndexMissing(f"no Milvus Lite index at {uri}: run `practice-search build`")
    doing = "to connect" if is_server(uri) else "to open (is another process using it?)"
    with milvus_errors(uri, doing):
        return MilvusClient(
            uri=uri, token=settings.milvus_token, timeout=timeout, grpc_options=_GRPC_OPTIONS
        )
