"""Per-detector throughput and first-call cost on real text.

Throughput: every default detector (``garble.Checker().detectors``) runs over
the same set of real documents, all its rules enabled, on one core; the figure
is MB of text (UTF-8 bytes) per CPU second, median of ``--repeat`` passes
(CPU time rather than wall time: the figure barely moves when other work
shares the machine). A detector that raises is reported as broken, not timed.

Documents (from ``--corpora``, default ``../shared/corpora`` relative to the
repo):

* article-extraction-benchmark: every page's full visible text (html-text)
  and its gold article body: real web pages, boilerplate included;
* clean-english-prose: every article's paragraphs joined with blank lines.

Start-up, in a fresh interpreter with ``garble.detectors.base`` and
``garble.document`` imported: the time to (re-)execute the detector's module, and
the first-call set-up (constructing the detector and assessing one short
paragraph, minus the cost of a second call on the same paragraph): what a
pre-commit hook pays once per run for the detector's lazy set-up (compiling
patterns, loading word lists, models). Median of ``--first-runs`` fresh
processes.

Usage::

    python benchmarks/bench_speed.py [--corpora ../shared/corpora] [--repeat 3] [--first-runs 5]
                                     [--only padding,typography] [--limit-mb 4]
"""

from __future__ import annotations

import argparse
import json
import os
import zlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Installed packages have .pyc files; a development environment with
# PYTHONDONTWRITEBYTECODE=1 would recompile the module in every child and
# measure something no user pays (as in bench_startup.py).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SAMPLE = (
    "The US has long targeted Huawei with sanctions. However, DeepSeek thrived, "
    "and analysts said the the market would adapt.\n"
)


def load_documents(corpora: Path, limit_mb: float | None = None) -> list[tuple[str, str]]:
    """(source, text) pairs: article-extraction pages (html-text, gold body),
    clean-english-prose articles (paragraphs joined by blank lines)."""
    docs: list[tuple[str, str]] = []
    with open(corpora / "article-extraction-benchmark" / "pages.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append(("aeb-html-text", r["full_page_text"]["html-text"]))
            docs.append(("aeb-gold", r["gold_article_body"]))
    with open(corpora / "clean-english-prose" / "wikipedia_2015_paragraphs.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs.append(("wikipedia", "\n\n".join(r["paragraphs"]) + "\n"))
    if limit_mb:
        # interleave sources so a limit keeps all of them
        docs.sort(key=lambda d: zlib.crc32(d[1][:200].encode("utf-8")))
        out, total = [], 0
        for d in docs:
            if total >= limit_mb * 1e6:
                break
            out.append(d)
            total += len(d[1].encode("utf-8"))
        docs = out
    return docs


def throughput(det, docs: list[str], repeat: int) -> tuple[float, float]:
    """(MB per CPU second median, CPU seconds median) over ``repeat`` passes."""
    from garble.document import Document

    codes = frozenset(r.code for r in det.rules)
    mb = sum(len(t.encode("utf-8")) for t in docs) / 1e6
    det.assess(Document(docs[0]), codes)  # warm: first-call set-up is measured separately
    times = []
    for _ in range(repeat):
        doc_objs = [Document(t) for t in docs]
        t0 = time.process_time()
        for d in doc_objs:
            det.assess(d, codes)
        times.append(time.process_time() - t0)
    sec = statistics.median(times)
    return mb / sec, sec


_FIRST_CALL = r"""
import sys, time, importlib
sys.path.insert(0, {root!r})
import garble.detectors.base, garble.document, garble.types
from garble.document import Document
modname, clsname, sample = sys.argv[1], sys.argv[2], sys.argv[3]
sys.modules.pop(modname, None)  # garble's package import may have loaded it: time a fresh execution
t0 = time.perf_counter()
mod = importlib.import_module(modname)
cls = getattr(mod, clsname)
t1 = time.perf_counter()
det = cls()
codes = frozenset(r.code for r in cls.rules)
det.assess(Document(sample), codes)
t2 = time.perf_counter()
det.assess(Document(sample), codes)
t3 = time.perf_counter()
print(t1 - t0, (t2 - t1) - (t3 - t2))
"""


def first_call(det_cls, runs: int) -> tuple[float, float]:
    """(module import seconds, first-call set-up seconds), medians."""
    code = _FIRST_CALL.format(root=str(ROOT))
    imp, vals = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code, det_cls.__module__, det_cls.__name__, SAMPLE],
            capture_output=True, text=True, check=True, env=ENV,
        )
        a, b = out.stdout.strip().splitlines()[-1].split()
        imp.append(float(a))
        vals.append(float(b))
    return statistics.median(imp), statistics.median(vals)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--first-runs", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated detector families")
    ap.add_argument("--limit-mb", type=float, default=None, help="time on a subset of about this many MB")
    args = ap.parse_args(argv)

    import garble

    dets = list(garble.Checker().detectors)
    if args.only:
        keep = set(args.only.split(","))
        dets = [d for d in dets if d.family in keep]
    docs = [t for _, t in load_documents(args.corpora, args.limit_mb)]
    mb = sum(len(t.encode("utf-8")) for t in docs) / 1e6
    print(f"{len(docs)} documents, {mb:.1f} MB (article-extraction html-text + gold bodies, clean-english-prose "
          f"articles); CPU time, median of {args.repeat}; first call: median of {args.first_runs} fresh processes\n")
    print("| detector | MB/s | CPU s per pass | module import (ms) | first call set-up (ms) |")
    print("|---|---:|---:|---:|---:|")
    for det in dets:
        try:
            rate, sec = throughput(det, docs, args.repeat)
            speed = f"{rate:.2f} | {sec:.2f}"
        except Exception as exc:  # a detector under construction elsewhere
            speed = f"broken ({type(exc).__name__}: {str(exc)[:60]}) | -"
        try:
            imp, fc = first_call(type(det), args.first_runs)
            fc = f"{imp * 1000:.0f} | {fc * 1000:.0f}"
        except Exception as exc:
            fc = f"broken ({type(exc).__name__}) | -"
        print(f"| {det.family} | {speed} | {fc} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
