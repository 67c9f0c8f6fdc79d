#!/usr/bin/env python3
"""Mojibake benchmark: garble's mojibake findings beside ftfy's own ``is_bad``.

Measures, on the shared corpora (never copied into the repo):

* ftfy's real-world test cases (``ftfy-mojibake/ftfy_test_cases.jsonl``, 161
  cases, ``is_mojibake`` label): mojibake cases flagged (recall) and look-alike
  negatives flagged (false alarms);
* clean English Wikipedia paragraphs (``clean-english-prose``, 18,148
  paragraphs): paragraphs with any finding.

A text counts as flagged by garble when ``garble.check(text, select=...)``
returns any finding. The default selection is ``MJ`` + ``TB`` (mojibake and
table findings, the figure the issue asks for); ``--select MJ`` measures the
mojibake detector alone. Baselines: ``ftfy.badness.is_bad(text)`` and
``ftfy.fix_encoding(text) != text``.

usage: python benchmarks/bench_mojibake.py [--corpora ../shared/corpora] [--select MJ,TB] [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import ftfy  # noqa: E402
from ftfy.badness import is_bad  # noqa: E402

import garble  # noqa: E402


def _flaggers(select: list[str]):
    checker = garble.Checker(garble.Settings(select=tuple(select)))

    def garble_flags(text: str) -> bool:
        return bool(checker.check(text).findings)

    def ftfy_fix_changes(text: str) -> bool:
        return ftfy.fix_encoding(text) != text

    return {
        f"garble ({'+'.join(select)})": garble_flags,
        "ftfy is_bad": is_bad,
        "ftfy fix_encoding changes text": ftfy_fix_changes,
    }


def _load_ftfy(corpora: Path) -> list[dict]:
    path = corpora / "ftfy-mojibake" / "ftfy_test_cases.jsonl"
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def _load_wiki(corpora: Path) -> list[str]:
    path = corpora / "clean-english-prose" / "wikipedia_2015_paragraphs.jsonl"
    paras: list[str] = []
    for line in path.open(encoding="utf-8"):
        if line.strip():
            paras.extend(json.loads(line)["paragraphs"])
    return paras


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    ap.add_argument("--select", default="MJ,TB", help="garble selectors, comma-separated (default MJ,TB)")
    ap.add_argument("--misses", action="store_true", help="also list every case id each method gets wrong")
    ap.add_argument("--skip-wiki", action="store_true", help="only the ftfy cases (fast)")
    args = ap.parse_args(argv)

    select = [s.strip() for s in args.select.split(",") if s.strip()]
    try:
        flaggers = _flaggers(select)
    except Exception as exc:  # e.g. a family not registered yet
        print(f"cannot build a checker for {select}: {exc}; falling back to MJ only", file=sys.stderr)
        select = ["MJ"]
        flaggers = _flaggers(select)

    cases = _load_ftfy(args.corpora)
    pos = [c for c in cases if c["is_mojibake"]]
    neg = [c for c in cases if not c["is_mojibake"]]
    wiki = [] if args.skip_wiki else _load_wiki(args.corpora)

    rows = []
    wrong: dict[str, dict[str, list[str]]] = {}
    for name, flags in flaggers.items():
        missed = [c["id"] for c in pos if not flags(c["original"])]
        false = [c["id"] for c in neg if flags(c["original"])]
        wrong[name] = {"missed mojibake": missed, "flagged negatives": false}
        row = [name, f"{len(pos) - len(missed)}/{len(pos)}", f"{len(false)}/{len(neg)}"]
        if wiki:
            t0 = time.perf_counter()
            hits = sum(1 for p in wiki if flags(p))
            secs = time.perf_counter() - t0
            row += [f"{hits}/{len(wiki)}", f"{1000 * hits / len(wiki):.2f}", f"{secs:.1f}"]
        rows.append(row)

    head = ["method", "ftfy mojibake cases flagged", "ftfy negatives flagged"]
    if wiki:
        head += ["clean Wikipedia paragraphs flagged", "per 1,000", "seconds"]
    print(f"Data: {args.corpora}/ftfy-mojibake/ftfy_test_cases.jsonl ({len(pos)} mojibake, {len(neg)} negatives)"
          + (f"; {args.corpora}/clean-english-prose ({len(wiki)} paragraphs)" if wiki else ""))
    print("Targets (issue 2): >= 110/113 mojibake flagged, <= 1/48 negatives, < 1 per 1,000 clean paragraphs.\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")

    if args.misses:
        print()
        for name, kinds in wrong.items():
            for kind, ids in kinds.items():
                print(f"{name} — {kind} ({len(ids)}): {', '.join(ids) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
