"""``practice-search add``, ``remove`` and ``documents``: an organisation's own documents."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from practice_search.config import Settings

__all__ = ["add_commands"]


def _cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from index.documents import Incoming, add_documents, collect_files

    items = collect_files(args.paths, settings)
    if not items:
        print("no files to add", file=sys.stderr)
        return 0
    if len(items) > 1 and (args.id or args.title):
        from practice_search.errors import QueryError

        raise QueryError("--id and --title name one document: give one file with them")
    items = [Incoming(i.name, i.data, args.title, args.lang, args.id) for i in items]
    changes, manifest = add_documents(settings, items, progress=not args.quiet)
    for c in changes:
        print(f"{c.status} {c.doc_id}: {c.title!r} ({c.passages} passages, from {c.source})")
    if manifest is None:
        print("nothing changed: the index was not rebuilt", file=sys.stderr)
    else:
        _published(manifest)
    return 0


def _published(manifest: object) -> None:
    embedded = getattr(manifest, "embedded", {})
    counts = getattr(manifest, "counts", {})
    print(
        f"index version {getattr(manifest, 'version', '')} published: "
        f"{counts.get('passages', 0)} passages; embedded "
        + ", ".join(f"{n} texts ({name})" for name, n in embedded.items()),
        file=sys.stderr,
    )


def _cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from index.documents import remove_document

    change, manifest = remove_document(settings, args.doc_id, progress=not args.quiet)
    print(f"removed {change.doc_id}: {change.title!r} ({change.passages} passages)")
    _published(manifest)
    return 0


def _cmd_documents(args: argparse.Namespace, settings: Settings) -> int:
    from index.documents import list_documents

    rows = list_documents(settings)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    table = [("id", "passages", "added at", "source", "title")]
    for r in rows:
        passages = "-" if r["passages"] is None else str(r["passages"])
        added = str(r["added_at"] or "(bundled)")
        table.append((str(r["id"]), passages, added, str(r["source"]), str(r["title"])))
    width = [max(len(str(row[i])) for row in table) for i in range(4)]  # columns fit
    for row in table:
        id_, passages, added, source, title = row
        print(
            f"{id_:{width[0]}}  {passages:>{width[1]}}  {added:{width[2]}}  "
            f"{source:{width[3]}}  {title}"
        )
    return 0


def add_commands(sub: argparse._SubParsersAction, settings_of: object) -> None:  # type: ignore[type-arg]
    """Register the commands; ``settings_of(args)`` gives the settings to act on."""

    def run(cmd: object) -> object:
        return lambda args: cmd(args, settings_of(args))  # type: ignore[operator]

    a = sub.add_parser(
        "add",
        help="add documents (PDF, DOCX, HTML, Markdown, text) or replace those with their ids",
    )
    a.add_argument("paths", nargs="+", type=Path, help="files or folders (every file in them)")
    a.add_argument("--title", help="the title (default: the document's own, or its first heading)")
    a.add_argument("--lang", choices=["en", "it"], help="the language (default: detected)")
    a.add_argument("--id", help="the document id (default: made from the file name)")
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    a.set_defaults(func=run(_cmd_add))
    r = sub.add_parser("remove", help="remove an added document")
    r.add_argument("doc_id", help="its id (see `practice-search documents`)")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    r.set_defaults(func=run(_cmd_remove))
    d = sub.add_parser("documents", help="list bundled and added documents")
    d.add_argument("--json", action="store_true", help="print them as JSON")
    d.set_defaults(func=run(_cmd_documents))
