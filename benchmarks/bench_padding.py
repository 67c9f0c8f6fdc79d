"""Padding detector on real web pages: which lines are boilerplate?

Data: ``article-extraction-benchmark/pages.jsonl`` (scrapinghub's benchmark, see
its README in the corpora folder): for each of 181 pages, the full visible text
(html-text: one block per line, boilerplate included) and a label per non-empty
line saying whether it belongs to the human-annotated article body.

A line counts as *flagged* when a padding finding overlaps it (PD101 covers
only blank lines, so it never counts). Boilerplate (not-in-gold) lines are the
positives. Figures per half:

* precision / recall of flagged lines against not-in-gold lines;
* gold-article lines flagged: the false alarms that matter most, since a user
  would lose article text;
* the same for the trivial baseline "flag every line of fewer than 5 words".

Labels are the corpus's, with one change: a line that occurs more often in the
page than in the gold body is not-in-gold from its extra copies on (the gold
has the paragraph once; a second copy is duplication, which PD106 reports).

A second table runs on what main-content extractors kept (trafilatura,
readability ...): there the residual boilerplate is rarer and the question is
how much of it padding catches without touching article lines.

The rules were tuned looking only at pages with an even id (int(id, 16) % 2 == 0);
the odd half is the held-out report. Usage::

    python benchmarks/bench_padding.py [--corpora ../shared/corpora] [--split odd|even|all]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from garble.detectors.padding import Padding  # noqa: E402
from garble.document import Document  # noqa: E402

WS = re.compile(r"\s+")


def nonempty_lines(text: str) -> list[tuple[int, int, str]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def flagged_lines(text: str, lines, det: Padding, codes: frozenset[str]):
    findings = [f for f in det.assess(Document(text), codes).findings if f.code != "PD101"]
    flags = []
    for s, e, _ in lines:
        hit = [f.code for f in findings if f.start < e and s < f.end]
        flags.append(hit[0] if hit else None)
    return flags


def dedup_labels(lines, labels, gold_text: str) -> list[bool]:
    """An extra copy of an article paragraph is not article text: a line whose
    normalised text occurs more often in the page than in the gold body is
    relabelled not-in-gold from its (gold count + 1)-th copy on."""
    gnorm = WS.sub(" ", gold_text).strip()
    seen: Counter[str] = Counter()
    out = []
    for (_, _, line), gold in zip(lines, labels):
        norm = WS.sub(" ", line).strip()
        seen[norm] += 1
        out.append(gold and seen[norm] <= max(1, gnorm.count(norm)))
    return out


def short_baseline(line: str) -> bool:
    """Trivial baseline: lines of fewer than 5 words are boilerplate."""
    return len(line.split()) < 5


def score(rows):
    """rows: (is_boilerplate, flagged) pairs -> precision, recall, gold FP rate."""
    tp = sum(1 for b, f in rows if b and f)
    fp = sum(1 for b, f in rows if not b and f)
    pos = sum(1 for b, _ in rows if b)
    neg = len(rows) - pos
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / pos if pos else float("nan")
    return p, r, fp, neg, tp, pos


def fmt(name, res):
    p, r, fp, neg, tp, pos = res
    return f"| {name:<26} | {p:9.3f} | {r:6.3f} | {tp:>6}/{pos:<6} | {fp:>5}/{neg:<5} ({fp / neg if neg else 0:6.2%}) |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", default=str(Path(__file__).resolve().parents[2] / "shared" / "corpora"))
    ap.add_argument("--split", choices=["odd", "even", "all", "both"], default="both")
    ap.add_argument("--show", type=int, default=0, help="print N flagged gold lines (false alarms) per split")
    args = ap.parse_args()
    path = Path(args.corpora) / "article-extraction-benchmark" / "pages.jsonl"
    pages = [json.loads(line) for line in path.open(encoding="utf-8")]
    det = Padding()
    codes = frozenset(r.code for r in Padding.rules)
    splits = {"even (tuning)": 0, "odd (held out)": 1} if args.split == "both" else \
        {args.split: {"even": 0, "odd": 1, "all": None}[args.split]}

    for split_name, parity in splits.items():
        sel = [p for p in pages if parity is None or int(p["id"], 16) % 2 == parity]
        rows_pd, rows_base = [], []
        per_rule: Counter[str] = Counter()
        per_rule_fp: Counter[str] = Counter()
        false_alarms = []
        t0 = time.perf_counter()
        n_chars = 0
        for page in sel:
            text = page["full_page_text"]["html-text"] or ""
            n_chars += len(text)
            lines = nonempty_lines(text)
            labels = page["html_text_nonempty_line_in_gold"]
            assert len(lines) == len(labels), page["id"]
            labels = dedup_labels(lines, labels, page["gold_article_body"] or "")
            flags = flagged_lines(text, lines, det, codes)
            for (s, e, line), gold, flag in zip(lines, labels, flags):
                rows_pd.append((not gold, flag is not None))
                rows_base.append((not gold, short_baseline(line)))
                if flag:
                    per_rule[flag] += 1
                    if gold:
                        per_rule_fp[flag] += 1
                        false_alarms.append((flag, line.strip()[:110]))
        dt = time.perf_counter() - t0
        print(f"\n### full page text (html-text), {split_name}: {len(sel)} pages, {len(rows_pd)} non-empty lines, "
              f"{n_chars / 1e6:.2f} M chars, padding ran in {dt:.2f} s")
        print("| method                     | precision | recall | boilerplate hit | gold lines flagged      |")
        print("|----------------------------|-----------|--------|-----------------|-------------------------|")
        print(fmt("garble padding (PD102-108)", score(rows_pd)))
        print(fmt("baseline: < 5 words", score(rows_base)))
        print("per rule (lines flagged / of which gold): " + ", ".join(
            f"{c} {per_rule[c]}/{per_rule_fp[c]}" for c in sorted(per_rule)))
        for code, line in false_alarms[: args.show]:
            print(f"   FA {code}: {line}")

        # extractor outputs: residual boilerplate in what extractors kept
        rows_x, rows_xb = [], []
        fa_x = []
        per_rule_x: Counter[str] = Counter()
        per_rule_x_fp: Counter[str] = Counter()
        for page in sel:
            gold_text = page["gold_article_body"] or ""
            gparas = {WS.sub(" ", p).strip() for p in gold_text.split("\n") if p.strip()}
            gnorm = WS.sub(" ", gold_text).strip()
            for name, out in (page["extractor_outputs"] or {}).items():
                if not out:
                    continue
                lines = nonempty_lines(out)
                labels = []
                for _, _, line in lines:
                    norm = WS.sub(" ", line).strip()
                    # the corpus's own labelling rule (see its README)
                    labels.append(norm in gparas or (len(norm) >= 40 and norm in gnorm))
                labels = dedup_labels(lines, labels, gold_text)
                flags = flagged_lines(out, lines, det, codes)
                for (_, _, line), gold, flag in zip(lines, labels, flags):
                    rows_x.append((not gold, flag is not None))
                    rows_xb.append((not gold, short_baseline(line)))
                    if flag:
                        per_rule_x[flag] += 1
                    if flag and gold:
                        per_rule_x_fp[flag] += 1
                        fa_x.append((name, flag, line.strip()[:100]))
        print(f"\n### extractor outputs (9 extractors), {split_name}: {len(rows_x)} non-empty lines")
        print("| method                     | precision | recall | boilerplate hit | gold lines flagged      |")
        print("|----------------------------|-----------|--------|-----------------|-------------------------|")
        print(fmt("garble padding (PD102-108)", score(rows_x)))
        print(fmt("baseline: < 5 words", score(rows_xb)))
        print("per rule (lines flagged / of which gold): " + ", ".join(
            f"{c} {per_rule_x[c]}/{per_rule_x_fp[c]}" for c in sorted(per_rule_x)))
        for name, code, line in fa_x[: args.show]:
            print(f"   FA {name} {code}: {line}")


if __name__ == "__main__":
    main()
