"""Typography findings on clean text (false alarms) and on the seed annotations (recall).

Clean text (every finding there is a false alarm, up to the corpora's own few
slips and extraction residue):

* clean-english-prose: all 18,148 Wikipedia paragraphs; each article is one
  document (paragraphs joined by blank lines, as TY103/TY104 look at the whole
  text), findings are attributed to the paragraph they start in;
* gutenberg-post1880-prose: the first ``--gutenberg-paras`` paragraphs of each
  of the 103 books, one document per book (a fixed sample: fiction dialogue);
* un-general-debate-2015-2023: every ``--un-every``-th speech, one document each.

Per rule: findings per 10 paragraphs and the share of paragraphs with at least
one finding. Recall: the typography annotations of the seed articles
(``samples/seeds/annotations.jsonl``, all in 001): an annotation counts as found
when a finding overlaps its span.

Baseline beside it: a naive spell check, "flag every alphabetic word not in
symspellpy's 82,765-word frequency dictionary (lower-cased)", on the same text.

Usage::

    python benchmarks/bench_typography.py [--corpora ../shared/corpora] [--gutenberg-paras 40] [--un-every 5]
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from garble.detectors.typography import Typography, _dictionary  # noqa: E402
from garble.document import Document  # noqa: E402

BASELINE_WORD_RE = re.compile(r"[A-Za-z]+")


def join(paras: list[str]) -> tuple[str, list[int]]:
    """The paragraphs joined by blank lines, and each paragraph's start offset."""
    starts, pos = [], 0
    for p in paras:
        starts.append(pos)
        pos += len(p) + 2
    return "\n\n".join(paras), starts


def corpus_docs(corpora: Path, gutenberg_paras: int, un_every: int) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {"wikipedia": [], "gutenberg": [], "un-debates": []}
    with open(corpora / "clean-english-prose" / "wikipedia_2015_paragraphs.jsonl", encoding="utf-8") as f:
        for line in f:
            out["wikipedia"].append(json.loads(line)["paragraphs"])
    with open(corpora / "gutenberg-post1880-prose" / "gutenberg_post1880_paragraphs.jsonl", encoding="utf-8") as f:
        for line in f:
            paras = [p for p in json.loads(line)["text"].split("\n") if p.strip()]
            out["gutenberg"].append(paras[:gutenberg_paras])
    with open(corpora / "un-general-debate-2015-2023" / "ungd_2015_2023_paragraphs.jsonl", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % un_every == 0:
                out["un-debates"].append([p for p in json.loads(line)["text"].split("\n") if p.strip()])
    return out


def baseline_spans(text: str, dic) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in BASELINE_WORD_RE.finditer(text) if m.group(0).lower() not in dic]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--seeds", type=Path, default=ROOT / "samples" / "seeds")
    ap.add_argument("--gutenberg-paras", type=int, default=40)
    ap.add_argument("--un-every", type=int, default=5)
    args = ap.parse_args(argv)

    det = Typography()
    codes = [r.code for r in det.rules]
    enabled = frozenset(codes)
    dic = _dictionary()
    if dic is None:
        print("symspellpy is not installed: TY104 and the baseline need its dictionary")
        return 1

    rows = []
    t0 = time.process_time()
    for name, docs in corpus_docs(args.corpora, args.gutenberg_paras, args.un_every).items():
        n_paras = 0
        per_rule: Counter[str] = Counter()
        paras_hit: dict[str, set[int]] = {c: set() for c in codes + ["any", "baseline"]}
        base_n = 0
        for paras in docs:
            text, starts = join(paras)
            for f in det.assess(Document(text), enabled).findings:
                k = n_paras + bisect.bisect_right(starts, f.start) - 1
                per_rule[f.code] += 1
                paras_hit[f.code].add(k)
                paras_hit["any"].add(k)
            for s, _ in baseline_spans(text, dic):
                base_n += 1
                paras_hit["baseline"].add(n_paras + bisect.bisect_right(starts, s) - 1)
            n_paras += len(paras)
        per_rule["any"] = sum(per_rule[c] for c in codes)
        per_rule["baseline"] = base_n
        rows.append((name, len(docs), n_paras, per_rule, {k: len(v) for k, v in paras_hit.items()}))
    elapsed = time.process_time() - t0

    print(f"False alarms on clean text (findings per 10 paragraphs / share of paragraphs with one); "
          f"{elapsed:.0f} s CPU\n")
    cols = codes + ["any", "baseline"]
    print("| corpus | docs | paragraphs | " + " | ".join(cols) + " |")
    print("|---|---:|---:|" + "---:|" * len(cols))
    for name, n_docs, n_paras, per_rule, hit in rows:
        cells = [f"{10 * per_rule[c] / n_paras:.3f} / {100 * hit[c] / n_paras:.2f}%" for c in cols]
        print(f"| {name} | {n_docs} | {n_paras} | " + " | ".join(cells) + " |")
    print("\n(baseline: every alphabetic word not in symspellpy's frequency dictionary, lower-cased)\n")

    # recall on the seed annotations
    anns = [json.loads(line) for line in open(args.seeds / "annotations.jsonl", encoding="utf-8")]
    anns = [a for a in anns if a["category"] == "typography"]
    print("| seed annotation | note | found by | baseline |")
    print("|---|---|---|---|")
    found = base_found = 0
    cache: dict[str, tuple[list, list]] = {}
    for a in anns:
        if a["file"] not in cache:
            text = (args.seeds / a["file"]).read_text(encoding="utf-8")
            cache[a["file"]] = (list(det.assess(Document(text), enabled).findings), baseline_spans(text, dic))
        fs, bs = cache[a["file"]]
        hit = sorted({f.code for f in fs if f.start < a["end"] and a["start"] < f.end})
        bhit = any(s < a["end"] and a["start"] < e for s, e in bs)
        found += bool(hit)
        base_found += bhit
        print(f"| ‘{a['text']}’ ({a['file'][:3]}) | {a['note']} | {', '.join(hit) or '-'} | {'yes' if bhit else '-'} |")
    print(f"\nRecall: {found}/{len(anns)} typography annotations (baseline {base_found}/{len(anns)}); "
          f"findings on the seeds outside annotations are listed by the scorecard, not here.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
