"""The ``practice-search`` command: a thin face over the library API."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

from practice_search.config import Settings, get_settings
from practice_search.errors import (
    DocumentRejected,
    IndexMissing,
    IndexStale,
    PracticeSearchError,
    QueryError,
)

__all__ = ["main"]

DEMO_NEED = "language barrier in healthcare"


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    if getattr(args, "data_dir", None):
        settings = settings.model_copy(update={"data_dir": args.data_dir})
    return settings


def _cmd_build(args: argparse.Namespace) -> int:
    from index import build_index

    m = build_index(_settings(args), progress=not args.quiet, ray=args.ray)
    print(
        f"index built in {m.build_seconds:.1f} s: {m.counts['passages']} passages, "
        f"{m.counts['checklist']} checklist items, {m.counts['practices']} practices, "
        f"encoders {', '.join(e.name for e in m.encoders)}",
        file=sys.stderr,
    )
    return 0


def _ensure_index(settings: Settings, quiet: bool = False) -> None:
    """Build the index if it is missing or stale (what `make run` relies on); a damaged
    one (a file missing or of another size) is an error, left for the operator to see."""
    from index import build_index
    from index.load import verify_index

    try:
        verify_index(settings, full=False)
    except (IndexMissing, IndexStale) as exc:
        print(f"{exc} — building it now.", file=sys.stderr)
        build_index(settings, progress=not quiet)


def _filters(ns: argparse.Namespace | dict[str, Any]) -> Any:
    from retriever import Filters

    get = ns.get if isinstance(ns, dict) else lambda k: getattr(ns, k, None)
    return Filters(doc=get("doc"), dimension=get("dimension"), lang=get("lang"))


def _request(
    retriever: Any, settings: Settings, query: object, fields: dict[str, Any] | argparse.Namespace
) -> Any:
    """The library's one request model, from options or a JSON line (see retriever.request)."""
    from retriever.request import Limits, search_request

    if isinstance(fields, argparse.Namespace):  # the options, named as in a JSON line
        fields = {**vars(fields), "k": fields.top_k}
    index = {"docs": retriever.doc_ids, "langs": retriever.langs} if retriever else {}
    return search_request(
        Limits.of(settings),
        query,
        fields.get("k"),
        fields.get("offset", 0),
        fields.get("type", "all"),
        _filters(fields),
        group=fields.get("group", "none"),
        **index,
    )


def _jsonl(retriever: Any, settings: Settings, args: argparse.Namespace) -> int:
    failures = 0
    for lineno, line in enumerate(sys.stdin, start=1):
        line = line.strip()
        if not line:
            continue
        req: Any = None
        try:
            if line.startswith("{"):
                try:
                    req = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise QueryError(f"line {lineno}: not valid JSON ({exc.msg})") from None
                if not isinstance(req, dict) or "query" not in req:
                    raise QueryError(f"line {lineno}: a JSON line needs a 'query' field")
                defaults = {"k": args.top_k, "type": args.type, "group": args.group}
                fields = {**defaults, **{k: v for k, v in req.items() if v is not None}}
                res = retriever.run(_request(retriever, settings, req["query"], fields)).to_dict()
                if "id" in req:
                    res = {"id": req["id"], **res}
            else:
                res = retriever.run(_request(retriever, settings, line, args)).to_dict()
        except PracticeSearchError as exc:
            failures += 1
            res = {"query": line, "error": str(exc)}
            if isinstance(req, dict):  # a JSON line: answer with its own id and query
                res = {k: req[k] for k in ("id", "query") if k in req} | {"error": str(exc)}
        sys.stdout.write(json.dumps(res, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if failures else 0


def _cmd_query(args: argparse.Namespace) -> int:
    from cli.render import render_result
    from retriever import Retriever

    if not args.jsonl and args.query is None:
        raise QueryError("give a need to search for, or --jsonl to read needs from stdin")
    settings = _settings(args)
    if not args.jsonl:  # fail fast on bad input, before loading models
        _request(None, settings, args.query, args)
    retriever = Retriever.load(settings)
    if args.jsonl:
        return _jsonl(retriever, settings, args)
    data = retriever.run(_request(retriever, settings, args.query, args)).to_dict()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(render_result(data, color=sys.stdout.isatty()))
    return 0


def _serve_settings(args: argparse.Namespace) -> Settings:
    settings = _settings(args)
    update = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    return settings.model_copy(update=update)


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service import create_app
    from service.server import server_config

    settings = _serve_settings(args)
    print(
        f"practice-search: serving on http://{settings.host}:{settings.port}/ (API docs at /docs)",
        file=sys.stderr,
    )
    # header and body timeouts, the connection cap and the keep-alive timeout come
    # from the settings (see service.server)
    config = server_config(
        create_app(settings), settings, log_level="warning", timeout_graceful_shutdown=5
    )
    uvicorn.Server(config).run()
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    """The main job of `make run`: make sure the index exists, then serve."""
    _ensure_index(_settings(args))
    return _cmd_serve(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    """Search the demo need, then prompt for more (when a terminal is attached)."""
    from cli.render import render_result
    from retriever import Retriever

    settings = _settings(args)
    _ensure_index(settings)
    retriever = Retriever.load(settings)
    interactive = sys.stdin.isatty() and not args.once
    need = DEMO_NEED
    while True:
        try:
            data = retriever.search(need, k=args.top_k).to_dict()
            print(render_result(data, color=sys.stdout.isatty()))
        except QueryError as exc:
            print(f"error: {exc}", file=sys.stderr)
        if not interactive:
            return 0
        try:
            need = input("\nWhat do you need? (empty line to quit) > ").strip()
        except EOFError:
            return 0
        if not need:
            return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from eval.command import run

    return run(args, _settings(args))


def _cmd_bench(args: argparse.Namespace) -> int:
    from bench.command import run

    return run(args, _settings(args))


def _cmd_status(args: argparse.Namespace) -> int:
    from index import check_fresh, read_manifest
    from index.load import check_index_files, verify_index

    settings = _settings(args)
    manifest = read_manifest(settings)
    print(manifest.to_json())
    check_fresh(manifest, settings)
    if args.verify:  # every checksum, and the data's structure: what loading checks
        verify_index(settings)
        print(f"index is up to date and verified ({len(manifest.files)} files)", file=sys.stderr)
    else:  # every file there with its size: a stat each
        check_index_files(settings, manifest, full=False)
        print("index is up to date", file=sys.stderr)
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    """Fetch, verify and export what the configured encoders need (what `make run` does
    on first use), so that a later build or search finds every model on disk."""
    import time

    from index.encoders import create_encoder, encoder_args, models_dir

    settings = _settings(args)
    for name in settings.encoders:
        started = time.perf_counter()
        encoder = create_encoder(name, **encoder_args(settings))
        print(
            f"{name}: ready ({encoder.info.model}, {encoder.info.backend}, "
            f"{time.perf_counter() - started:.1f} s)",
            file=sys.stderr,
        )
    print(f"models in {models_dir(settings).resolve()}", file=sys.stderr)
    return 0


def _cmd_encoders(args: argparse.Namespace) -> int:
    from index.encoders import describe_encoders

    for name, text in describe_encoders().items():
        print(f"{name:24} {text}")
    return 0


def _parser() -> argparse.ArgumentParser:
    import bench.command as bench_command
    import cli.scale as scale_commands
    import eval.command as eval_command
    from cli.documents import add_commands
    from corpus.records import Dimension
    from retriever.query import ResultType
    from retriever.request import Grouping

    p = argparse.ArgumentParser(
        prog="practice-search",
        description="Search European good practices in migrant integration (offline).",
    )
    p.add_argument(
        "--data-dir",
        type=Path,
        help="index directory (default: $PRACTICE_SEARCH_DATA_DIR or .data)",
    )
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="(re)build the index from the bundled corpus")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    b.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="embed on a Ray cluster ('local': start one on this machine; needs the 'scale' extra)",
    )
    b.set_defaults(func=_cmd_build)

    def search_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "-k", "--top-k", type=int, default=None, help="results per type (query: 10, demo: 5)"
        )

    q = sub.add_parser("query", help="search for a need and print the results")
    q.add_argument("query", nargs="?", help="the need, in English or Italian")
    search_options(q)
    q.add_argument("--offset", type=int, default=0, help="skip this many results (pagination)")
    q.add_argument("--type", choices=[t.value for t in ResultType], default="all")
    q.add_argument(
        "--doc",
        help="only this document id (spring-a, spring-b, asap, oss, regin, or an added one)",
    )
    q.add_argument(
        "--dimension", choices=[d.value for d in Dimension], help="only this SPRING dimension"
    )
    q.add_argument("--lang", help="only passages in this language (en, it)")
    q.add_argument(
        "--group",
        choices=list(get_args(Grouping)),
        default="none",
        help="practice: the same ranked passages, grouped by practice or document section "
        "(adds 'groups' to the JSON)",
    )
    out = q.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the result contract as JSON")
    out.add_argument(
        "--jsonl",
        action="store_true",
        help="read one need per line from stdin (text or JSON), write one JSON per line",
    )
    q.set_defaults(func=_cmd_query)

    def serve_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--host", help="bind address (default $PRACTICE_SEARCH_HOST or 127.0.0.1)")
        sp.add_argument("--port", type=int, help="port (default $PRACTICE_SEARCH_PORT or 8000)")

    sv = sub.add_parser("serve", help="start the HTTP service (API, search page, widget)")
    serve_options(sv)
    sv.set_defaults(func=_cmd_serve)
    r = sub.add_parser("run", help="build the index if missing or stale, then serve (make run)")
    serve_options(r)
    r.set_defaults(func=_cmd_run)
    d = sub.add_parser("demo", help="search the demo need in the terminal, then prompt")
    search_options(d)
    d.add_argument("--once", action="store_true", help="only the demo need, no prompt")
    d.set_defaults(func=_cmd_demo, top_k=5)

    ev = sub.add_parser("eval", help="score configurations (or a run file) on the labelled set")
    eval_command.add_arguments(ev)
    ev.set_defaults(func=_cmd_eval)
    bn = sub.add_parser(
        "bench", help="measure build, query latency by stage, HTTP load, cold start and memory"
    )
    bench_command.add_arguments(bn)
    bn.set_defaults(func=_cmd_bench)
    s = sub.add_parser("status", help="show the index manifest and whether it is stale or damaged")
    s.add_argument(
        "--verify",
        action="store_true",
        help="also check every file's SHA-256 and the data's structure (what loading checks)",
    )
    s.set_defaults(func=_cmd_status)
    m = sub.add_parser(
        "models",
        help="fetch, verify and export the configured encoders' models (done once; "
        "build and run do it on first use)",
    )
    m.set_defaults(func=_cmd_models)
    e = sub.add_parser("encoders", help="list the encoders that can be configured")
    e.set_defaults(func=_cmd_encoders)
    scale_commands.add_commands(sub)
    add_commands(sub, _settings)  # add, remove, documents: an organisation's own documents
    return p


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PracticeSearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, QueryError | DocumentRejected) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("PRACTICE_SEARCH_DEBUG"):
            raise
        print(
            f"internal error: {exc.__class__.__name__}: {exc} "
            "(set PRACTICE_SEARCH_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
