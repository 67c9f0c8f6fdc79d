"""Benchmark the table detector (TB) on external data, beside a naive baseline.

Reads corpora from ../shared/corpora relative to the repository (``--corpora``):

* gfm-table-spec: the 27 GFM spec/extension examples with a pipe (CC BY-SA 4.0).
  "Rendered, rows consistent" = the reference HTML has a table and every body
  row has the header's cell count; "ragged" = the reference renders a table but
  pads or truncates at least one row (hand-checked against the HTML: spec 202,
  204, extensions 8, 9, 15); "not rendered" = ``renders_table`` is false.
* markdownlint-tables: 38 fixtures; every MD056 (table-column-count) error line
  must carry a TB102/TB103 finding; any other table finding on a fixture is a
  false finding (MD055/MD058/MD060 are style rules, not damage).
* clean-english-prose: 18,148 clean Wikipedia paragraphs (any table finding is false).
* article-extraction-benchmark: 181 human-cleaned article bodies (gold) of real
  news pages (any table finding is false).
* ../shared/seeds: the annotated table span in 001 and the clean 003.

Baseline: "lines with pipes whose counts differ" — in each run of 2+
consecutive lines containing ``|``, flag every line whose number of ``|``
differs from the run's first line.

Usage: python benchmarks/bench_tables.py [--corpora PATH] [--seeds PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from garble.detectors.tables import Tables  # noqa: E402
from garble.document import Document  # noqa: E402

DET = Tables()
ALL = frozenset(r.code for r in Tables.rules)
RAGGED_GFM = {("test/spec.txt", 202), ("test/spec.txt", 204), ("test/extensions.txt", 8),
              ("test/extensions.txt", 9), ("test/extensions.txt", 15)}


def garble_lines(text: str) -> dict[int, set[str]]:
    """1-based line -> codes of table findings starting on it."""
    doc = Document(text)
    out: dict[int, set[str]] = {}
    for f in DET.assess(doc, ALL).findings:
        out.setdefault(doc.line_index.position(f.start).line, set()).add(f.code)
    return out


def baseline_lines(text: str) -> dict[int, set[str]]:
    lines = text.split("\n")
    out: dict[int, set[str]] = {}
    i = 0
    while i < len(lines):
        if "|" not in lines[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and "|" in lines[j]:
            j += 1
        if j - i >= 2:
            ref = lines[i].count("|")
            for k in range(i + 1, j):
                if lines[k].count("|") != ref:
                    out[k + 1] = {"ragged"}
        i = j
    return out


def strip_markdownlint_config(text: str) -> str:
    """Blank out the <!-- markdownlint-configure-file ... --> block, keeping line numbers."""
    k = text.find("<!-- markdownlint-configure-file")
    if k == -1:
        return text
    e = text.find("-->", k)
    e = len(text) if e == -1 else e + 3
    return text[:k] + "\n" * text.count("\n", k, e) + text[e:]


def evaluate(name: str, fn, corpora: Path, seeds: Path) -> dict[str, str]:
    res: dict[str, str] = {}
    # GFM examples
    gfm = [json.loads(x) for x in (corpora / "gfm-table-spec" / "gfm_table_examples.jsonl").open(encoding="utf-8")]
    valid = [e for e in gfm if e["renders_table"] and (e["source_file"], e["example_index_in_file"]) not in RAGGED_GFM]
    ragged = [e for e in gfm if (e["source_file"], e["example_index_in_file"]) in RAGGED_GFM]
    broken = [e for e in gfm if not e["renders_table"]]
    res["GFM rendered tables, rows consistent: examples with a finding (lower is better)"] = (
        f"{sum(1 for e in valid if fn(e['markdown']))} / {len(valid)}")
    res["GFM rendered tables with padded/truncated rows: flagged"] = (
        f"{sum(1 for e in ragged if fn(e['markdown']))} / {len(ragged)}")
    res["GFM pipe text that renders no table: flagged"] = f"{sum(1 for e in broken if fn(e['markdown']))} / {len(broken)}"

    # markdownlint fixtures
    base = corpora / "markdownlint-tables"
    found = total = false_lines = 0
    clean_fixtures = clean_with_findings = 0
    for line in (base / "expected_errors.jsonl").open(encoding="utf-8"):
        rec = json.loads(line)
        text = strip_markdownlint_config((base / rec["file"]).read_text(encoding="utf-8"))
        expected = {e["line"] for e in rec["table_rule_errors"] if e["rule"] == "MD056"}
        got = fn(text)
        total += len(expected)
        found += len(expected & set(got))
        false_lines += len(set(got) - expected)
        if not expected:
            clean_fixtures += 1
            clean_with_findings += bool(got)
    res["markdownlint MD056 column-count errors found (on the error's line)"] = f"{found} / {total}"
    res["markdownlint: findings on lines without an MD056 error"] = str(false_lines)
    res["markdownlint fixtures without MD056 errors that get a finding"] = f"{clean_with_findings} / {clean_fixtures}"

    # clean prose
    n = bad = 0
    for line in (corpora / "clean-english-prose" / "wikipedia_2015_paragraphs.jsonl").open(encoding="utf-8"):
        for p in json.loads(line)["paragraphs"]:
            n += 1
            bad += bool(fn(p))
    res["clean Wikipedia paragraphs with a table finding"] = f"{bad} / {n:,}"
    n = bad = 0
    aeb = corpora / "article-extraction-benchmark" / "pages.jsonl"
    if aeb.exists():
        for line in aeb.open(encoding="utf-8"):
            n += 1
            bad += bool(fn(json.loads(line)["gold_article_body"]))
        res["gold article bodies of real news pages with a table finding"] = f"{bad} / {n}"

    # seeds
    if seeds.is_dir():
        anns = [json.loads(x) for x in (seeds / "annotations.jsonl").open(encoding="utf-8")]
        tab = [a for a in anns if a["category"] == "table"]
        hit = 0
        for a in tab:
            text = (seeds / a["file"]).read_text(encoding="utf-8")
            line = text.count("\n", 0, a["start"]) + 1
            hit += line in fn(text)
        res["seed table annotations found"] = f"{hit} / {len(tab)}"
        res["findings on clean seed 003"] = str(len(fn((seeds / "003_0f7453ac641e1bcb.txt").read_text(encoding="utf-8"))))
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = ap.parse_args(argv)
    if not (args.corpora / "gfm-table-spec").is_dir():
        print(f"corpora not found under {args.corpora}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    ours = evaluate("garble", garble_lines, args.corpora, args.seeds)
    elapsed = time.perf_counter() - t0
    naive = evaluate("baseline", baseline_lines, args.corpora, args.seeds)
    print("| measure | garble TB | naive pipe-count baseline |")
    print("|---|---|---|")
    for k, v in ours.items():
        print(f"| {k} | {v} | {naive[k]} |")
    print(f"\ngarble TB pass over all data: {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
