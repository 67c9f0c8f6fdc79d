"""Command line: ``garble check PATH...``.

``main(argv) -> int`` never raises for user errors: usage problems and
unreadable input are one-line messages on stderr and an exit code
(0 nothing failed, 1 a finding or score failed the run, 2 usage error or
unreadable input).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Iterator, Sequence, TextIO

from garble.engine import Checker, ConfigError, Settings
from garble.files import DEFAULT_INCLUDE, ReadError, decode, iter_targets, read_text
from garble.report import Report
from garble.reporters.base import escape_controls

FORMATS = ("full", "concise", "json", "jsonl")
SUBCOMMANDS = ("check",)


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit; we return 2
        raise UsageError(message)


def _csv(values: Sequence[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out += [x.strip() for x in v.split(",") if x.strip()]
    return tuple(out)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="garble", description="Find damaged text and say how damaged it is.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    c = sub.add_parser("check", help="check files, directories or stdin (-)")
    c.add_argument("paths", nargs="*", metavar="PATH", help="files, directories (recursed), or - for stdin")
    c.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: full on a terminal, concise otherwise)")
    c.add_argument("--select", action="append", metavar="CODES",
                   help="only these rules: codes, prefixes (MJ, TB1), families (mojibake) or rule names; comma-separated")
    c.add_argument("--extend-select", action="append", metavar="CODES", help="add rules to the selection")
    c.add_argument("--ignore", action="append", metavar="CODES", help="skip these rules (same forms as --select)")
    c.add_argument("--fail-under", type=float, metavar="SCORE", help="fail when a document scores below SCORE (0-100)")
    c.add_argument("--fail-on", choices=("info", "warning", "error"), default=None,
                   help="fail when a finding has at least this severity (default: warning)")
    c.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings fail the run")
    c.add_argument("--include", action="append", metavar="GLOB",
                   help=f"file globs to check inside directories (default: {' '.join(DEFAULT_INCLUDE)})")
    c.add_argument("--exclude", action="append", metavar="GLOB", help="file or directory globs to skip")
    c.add_argument("--no-gitignore", action="store_true", help="also check files that .gitignore excludes")
    c.add_argument("--stdin-filename", metavar="NAME", help="path to show for text read from stdin")
    c.add_argument("--jsonl-input", metavar="FILE", help="read documents from a JSON Lines file (- for stdin)")
    c.add_argument("--text-field", default="text", metavar="NAME", help="field holding the text in --jsonl-input records")
    c.add_argument("--id-field", default="id", metavar="NAME", help="field copied to each result in --jsonl-input mode")
    color = c.add_mutually_exclusive_group()
    color.add_argument("--color", dest="color", action="store_true", default=None, help="force colour")
    color.add_argument("--no-color", dest="color", action="store_false", help="never use colour")
    c.add_argument("-q", "--quiet", action="store_true", help="show only documents with findings")
    return parser


def _settings_from_args(args: argparse.Namespace) -> Settings:
    s = Settings()
    changes = {}
    if args.select:
        changes["select"] = _csv(args.select)
    if args.extend_select:
        changes["extend_select"] = _csv(args.extend_select)
    if args.ignore:
        changes["ignore"] = _csv(args.ignore)
    if args.fail_under is not None:
        if not 0 <= args.fail_under <= 100:
            raise UsageError(f"--fail-under must be between 0 and 100, not {args.fail_under}")
        changes["fail_under"] = args.fail_under
    if args.fail_on:
        changes["fail_on"] = args.fail_on
    return s.replace(**changes)


def _documents(args: argparse.Namespace, stdin: TextIO) -> Iterator[tuple[str, str | None, str | None, bool, object]]:
    """Yield ``(path, text, error, fatal, id)`` for every document, lazily."""
    if args.jsonl_input:
        yield from _jsonl_documents(args, stdin)
        return
    include = _csv(args.include) or DEFAULT_INCLUDE
    exclude = _csv(args.exclude)
    for t in iter_targets(args.paths, include, exclude, respect_gitignore=not args.no_gitignore):
        if t.error:
            yield t.path, None, t.error, True, None
            continue
        if t.path == "-":
            name = args.stdin_filename or "-"
            try:
                data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode("utf-8")
                yield name, decode(data), None, False, None
            except ReadError as exc:
                yield name, None, str(exc), exc.fatal, None
            continue
        try:
            yield t.path, read_text(t.path), None, False, None
        except ReadError as exc:
            yield t.path, None, str(exc), exc.fatal, None


def _jsonl_documents(args, stdin):
    src = args.jsonl_input
    fh = None
    try:
        if src == "-":
            fh = stdin
        else:
            try:
                fh = open(src, encoding="utf-8", errors="strict")
            except OSError as exc:
                yield src, None, exc.strerror or str(exc), True, None
                return
        n = 0
        while True:
            try:
                line = fh.readline()
            except UnicodeDecodeError as exc:
                yield f"{src}:{n + 1}", None, f"not UTF-8 text ({exc.reason})", True, None
                return
            if not line:
                break
            n += 1
            if not line.strip():
                continue
            where = f"{src}:{n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                yield where, None, f"invalid JSON ({exc.msg} at column {exc.colno})", True, None
                continue
            if not isinstance(rec, dict):
                yield where, None, "record is not a JSON object", True, None
                continue
            rid = rec.get(args.id_field)
            text = rec.get(args.text_field)
            if not isinstance(text, str):
                why = "missing" if text is None else f"a {type(text).__name__}, not a string"
                yield where, None, f"field {args.text_field!r} is {why}", True, rid
                continue
            yield where, text, None, False, rid
    finally:
        if fh is not None and fh is not stdin:
            fh.close()


def _check(args: argparse.Namespace, stdout: TextIO, stderr: TextIO, stdin: TextIO) -> int:
    if not args.paths and not args.jsonl_input:
        raise UsageError("give at least one PATH (a file, a directory, or - for stdin), or --jsonl-input FILE")
    if args.paths and args.jsonl_input:
        raise UsageError("give either PATHs or --jsonl-input, not both")
    settings = _settings_from_args(args)
    checker = Checker(settings)

    fmt = args.format or ("full" if stdout.isatty() else "concise")
    from garble.reporters import reporter_class

    color = args.color if args.color is not None else (None if stdout.isatty() else False)
    reporter = reporter_class(fmt)(stdout, color=color, quiet=args.quiet)
    seen = failed = unreadable = 0
    for path, text, error, fatal, rid in _documents(args, stdin):
        seen += 1
        if error is not None:
            report = Report(path=path, error=error, id=rid)
            print(f"garble: {escape_controls(path)}: {error}", file=stderr)
            if fatal:
                unreadable += 1
        else:
            report = checker.check(text, path, id=rid)
            if report.failed:
                failed += 1
            for note in report.notes:
                if fmt not in ("full",):
                    print(f"garble: {escape_controls(path)}: note: {note}", file=stderr)
        reporter.report(report)
    reporter.finish(seen, failed, unreadable)
    if unreadable:
        return 2
    if failed and not args.exit_zero:
        return 1
    return 0


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None,
         stdin: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    stdin = stdin or sys.stdin
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in SUBCOMMANDS and not argv[0].startswith("-"):
        argv.insert(0, "check")  # `garble FILE` means `garble check FILE`
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.version:
            from garble import __version__

            print(f"garble {__version__}", file=stdout)
            return 0
        if args.command is None:
            parser.print_help(stdout)
            return 2
        return _check(args, stdout, stderr, stdin)
    except UsageError as exc:
        print(f"garble: error: {exc}", file=stderr)
        print("garble: try 'garble check --help'", file=stderr)
        return 2
    except ConfigError as exc:
        print(f"garble: error: {exc}", file=stderr)
        return 2
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        print("garble: interrupted", file=stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
