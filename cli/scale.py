"""The commands of the ``scale`` extra: ``export-to-milvus`` (and ``build --ray``,
whose option lives with ``build``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from practice_search.config import Settings, get_settings

__all__ = ["add_commands"]


def _cmd_export(args: argparse.Namespace) -> int:
    from index.milvus.client import milvus_uri
    from index.milvus.export import export_to_milvus

    source = get_settings()
    if args.data_dir:
        source = source.model_copy(update={"data_dir": args.data_dir})
    update: dict[str, Any] = {"backend": "milvus"}
    if args.uri:
        update["milvus_uri"] = args.uri
    target: Settings = source.model_copy(update=update)
    m = export_to_milvus(source, target)
    print(
        f"exported {m.counts['passages']} passages and {m.counts['checklist']} checklist items "
        f"from {source.data_dir} to Milvus at {milvus_uri(target)} "
        f"(alias {target.milvus_collection})",
        file=sys.stderr,
    )
    return 0


def add_commands(sub: Any) -> None:
    x = sub.add_parser(
        "export-to-milvus",
        help="copy the built index (data dir) into Milvus without embedding again "
        "(needs the 'scale' extra)",
    )
    x.add_argument(
        "--uri",
        help="Milvus to write to: a file path (Milvus Lite) or http://host:port "
        "(default: $PRACTICE_SEARCH_MILVUS_URI)",
    )
    x.set_defaults(func=_cmd_export)
