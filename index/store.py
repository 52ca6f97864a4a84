"""Records in SQLite: documents, practices, passages and checklist items as JSON rows.

Row order is the vector/lexical row number, so ``rowid - 1`` of a passage is
its position in the FAISS and BM25 indexes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from practice_search.errors import IndexCorrupt

__all__ = ["TABLES", "read_records", "write_records"]

TABLES = ("documents", "practices", "passages", "checklist")


def write_records(path: Path, records: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    con = sqlite3.connect(path)
    try:
        with con:
            for table in TABLES:
                con.execute(
                    f"CREATE TABLE {table} (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, "
                    "data TEXT NOT NULL)"
                )
                con.executemany(
                    f"INSERT INTO {table} (id, data) VALUES (?, ?)",
                    [(r["id"], json.dumps(r, ensure_ascii=False)) for r in records[table]],
                )
    finally:
        con.close()


def read_records(path: Path) -> dict[str, list[Any]]:
    """All records, in row order, as the JSON objects ``write_records`` stored (the
    ``corpus.records`` record types). Raises IndexCorrupt if the file is unreadable."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise IndexCorrupt(f"cannot open record store {path.name}: {exc}") from exc
    try:
        return {
            table: [
                json.loads(row[0])
                for row in con.execute(f"SELECT data FROM {table} ORDER BY rowid")
            ]
            for table in TABLES
        }
    except (sqlite3.Error, json.JSONDecodeError) as exc:
        raise IndexCorrupt(f"record store {path.name} is damaged: {exc}") from exc
    finally:
        con.close()
