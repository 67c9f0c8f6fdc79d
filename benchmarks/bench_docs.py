"""False alarms on real project documentation: what a pre-commit hook would report.

garble's hook runs over a project's own Markdown. This benchmark collects human-written
Markdown documentation that is already on the machine and counts what garble reports on it.
Such docs are presumably clean, so nearly every finding is a false alarm (a hand-checked
sample of the previous release's 587 findings on 152 such files held about 21 real slips:
misspellings, doubled words, "an special").

Files (deterministic: sorted, de-duplicated by content, at most ``--max-files``):
* ``*.md`` / ``*.md.gz`` of at least 2 KB under the ``--root`` folders (default: /usr/share/doc,
  Node.js's and npm's docs where installed); change logs, licences, release notes, codes of
  conduct and issue templates are left out;
* the Markdown long descriptions (PyPI READMEs) of the installed packages (``*.dist-info/METADATA``
  with ``Description-Content-Type: text/markdown``) of this Python's site-packages.

What is on a machine differs, so figures are comparable only between runs on the same machine;
the README names the machine's set. Baseline beside garble: the same garble reading the files as
plain text (``markup="text"``), which does not know code spans, indented code or HTML.

Usage::

    python benchmarks/bench_docs.py [--root DIR ...] [--max-files 200] [--list-files]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import site
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from garble.engine import Checker, Settings  # noqa: E402
from garble.types import Severity  # noqa: E402

DEFAULT_ROOTS = ("/usr/share/doc", "/usr/lib/node_modules/npm/docs", "/usr/include/node")
SKIP = re.compile(r"change|licen[cs]e|copying|history|release|news|authors|contributors|conduct|ISSUE_TEMPLATE"
                  r"|security|/legal/", re.I)


def read(path: Path) -> str | None:
    try:
        data = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError, EOFError):
        return None


def collect(roots: list[str], max_files: int) -> list[tuple[str, str]]:
    """(name, text) of the documents, names ending in .md so that garble reads them as Markdown."""
    found: list[tuple[str, str]] = []
    for root in roots:
        base = Path(root)
        if not base.is_dir():
            continue
        for p in sorted(list(base.rglob("*.md")) + list(base.rglob("*.md.gz"))):
            if SKIP.search(str(p)) or not p.is_file() or p.stat().st_size < 2000:
                continue
            text = read(p)
            if text:
                found.append((str(p).removesuffix(".gz"), text))
    for sp in sorted(set(site.getsitepackages())):
        for meta in sorted(Path(sp).glob("*.dist-info/METADATA")):
            raw = read(meta)
            if not raw:
                continue
            head, _, body = raw.partition("\n\n")
            ct = re.search(r"^Description-Content-Type:\s*(\S+)", head, re.M | re.I)
            if ct and "markdown" in ct.group(1).lower() and len(body) >= 2500:
                found.append((f"{meta.parent.name}/README.md", body))
    out, seen = [], set()
    for name, text in found:
        h = hashlib.sha1(text.encode()).hexdigest()
        if h not in seen:
            seen.add(h)
            out.append((name, text))
    return out[:max_files]


def run(docs: list[tuple[str, str]], markup: str | None) -> dict:
    checker = Checker(Settings(markup=markup))
    t0 = time.perf_counter()
    reports = [r for i in range(0, len(docs), 16) for r in checker.check_many([(t, n, None) for n, t in docs[i:i + 16]])]
    per_rule = Counter(d.rule.code for r in reports for d in r.diagnostics)
    failing = sum(1 for r in reports if any(d.severity >= Severity.WARNING for d in r.diagnostics))
    return {"per_rule": per_rule, "findings": sum(per_rule.values()), "failing": failing,
            "seconds": time.perf_counter() - t0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", action="append", help="folder to collect *.md from (repeatable)")
    ap.add_argument("--max-files", type=int, default=200)
    ap.add_argument("--list-files", action="store_true", help="print the files and exit")
    args = ap.parse_args(argv)
    docs = collect(args.root or list(DEFAULT_ROOTS), args.max_files)
    if args.list_files:
        print("\n".join(n for n, _ in docs))
        return 0
    chars = sum(len(t) for _, t in docs)
    print(f"{len(docs)} Markdown documents, {chars / 1e6:.2f} M characters\n")
    res = {"garble (Markdown-aware)": run(docs, None), "baseline: same garble, files read as plain text": run(docs, "text")}
    codes = sorted(set().union(*(r["per_rule"] for r in res.values())))
    print("| rule | " + " | ".join(res) + " |")
    print("|---|" + "---:|" * len(res))
    for c in codes:
        print(f"| {c} | " + " | ".join(str(r["per_rule"].get(c, 0)) for r in res.values()) + " |")
    print("| **all findings** | " + " | ".join(f"**{r['findings']}**" for r in res.values()) + " |")
    print("| findings per 100,000 characters | " + " | ".join(f"{r['findings'] / chars * 1e5:.1f}" for r in res.values()) + " |")
    print("| documents a hook would fail (a warning or worse) | " + " | ".join(
        f"{r['failing']}/{len(docs)} ({100 * r['failing'] / max(1, len(docs)):.0f} %)" for r in res.values()) + " |")
    print("| seconds | " + " | ".join(f"{r['seconds']:.1f}" for r in res.values()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
