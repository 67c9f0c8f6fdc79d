"""Train the neural part of garble's incoherence model: a word-level bidirectional GRU tagger.

For every word it estimates the probability that the word is an error (misrecognised, mistranslated,
inserted, out of place) and for the whole unit the probability that it is garbled. It reads the
whole sentence in both directions, so it sees what the n-gram features cannot: a word that is fine
next to its neighbours but does not belong in the sentence ("getting to the row with a fraction of
cost"). Its outputs are features of the gradient-boosted classifier (see ``train_incoherent.py``).

Training data (disjoint from the classifier's, so that the classifier learns how far to trust it):
- earnings21-asr, the language-model calls (``splits.earnings_role == "lm"``): every system's
  hypothesis, aligned word by word to the human reference (substituted and inserted words = errors);
  the references themselves as clean text. Unit label: WER >= 0.4 garbled, WER 0 clean.
- mlqe-pe-to-english: the ``dev`` split and the tagger half of ``train`` (``splits.mlqe_role``): the
  machine translation with the shipped word tags (``mt_word_tags``, from the post-edit; B = error),
  unit label mean DA <= 30 garbled / >= 75 clean; post-edits as clean text.
- only with ``--wmt23`` (not the shipped model: it did not help, see training/README.md):
  wmt-mqm-zhen, the tagger half of WMT23 generalMT zh->en (``splits.mqm_role``; TED is never used):
  each translation cut into units as the detector cuts them; a word is an error where any of the
  three raters marked a fluency, style or non-translation span over it (``splits.mqm_visible``);
  unit label: a Major such error garbled, no error of any kind clean.
- synthetic damage with word tags (``damage.damage_tagged``) of sentences from the language-model
  documents of the clean prose sources, half of them left clean.

Needs PyTorch (CPU) at training time only; garble runs the exported weights with NumPy
(``garble/detectors/incoherent.py``: ``Tagger``).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from garble.detectors import incoherent as ic  # noqa: E402
from garble.document import Document  # noqa: E402
from training import splits  # noqa: E402
from training.damage import damage_tagged  # noqa: E402

NN_VOCAB = ic.NN_VOCAB
EMB, HID = ic.NN_EMB, ic.NN_HID
MAX_LEN = 80


def log(*a):
    print(f"[{time.strftime('%H:%M:%S')}] tagger:", *a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# word alignment (Levenshtein over lower-cased words)
# ------------------------------------------------------------------------------------------------


def align_tags(hyp: list[str], ref: list[str]) -> tuple[list[int], list[int]]:
    """Word tags (1 = substituted or inserted against the reference) and gap tags (``len(hyp) + 1``
    positions, before each word and at the end: 1 = reference words are missing there)."""
    n, m = len(hyp), len(ref)
    D = np.zeros((n + 1, m + 1), dtype=np.int32)
    D[:, 0] = np.arange(n + 1)
    D[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        hi = hyp[i - 1]
        row, prev = D[i], D[i - 1]
        for j in range(1, m + 1):
            c = prev[j - 1] + (hi != ref[j - 1])
            a = prev[j] + 1
            b = row[j - 1] + 1
            row[j] = min(a, b, c)
    tags = [0] * n
    gaps = [0] * (n + 1)
    i, j = n, m
    while i > 0 or j > 0:
        # on ties prefer a match, then a deletion or insertion, then a substitution, so that
        # "that earnings" against "earnings conference" tags "that" alone
        if i > 0 and j > 0 and hyp[i - 1] == ref[j - 1] and D[i, j] == D[i - 1, j - 1]:
            i, j = i - 1, j - 1
        elif j > 0 and D[i, j] == D[i, j - 1] + 1:
            gaps[i] = 1  # deletion: reference word j-1 is missing before hypothesis word i
            j -= 1
        elif i > 0 and j > 0 and D[i, j] == D[i - 1, j - 1] + 1:
            tags[i - 1] = 1  # substitution
            i, j = i - 1, j - 1
        elif i > 0 and D[i, j] == D[i - 1, j] + 1:
            tags[i - 1] = 1  # insertion
            i -= 1
        else:
            gaps[i] = 1  # deletion: reference word j-1 is missing before hypothesis word i
            j -= 1
    return tags, gaps


def _lower_tokens(text: str) -> tuple[list[str], list[str]]:
    toks = ic.tokenize(text)
    return ic.words_of_tokens(text, toks), [ic.norm_word(w) for w, _, _ in toks]


# ------------------------------------------------------------------------------------------------
# examples: (words, word tags or None, gap tags or None, unit label or -1)
# ------------------------------------------------------------------------------------------------


def earnings_examples(earnings, rng):
    out = []
    for r in earnings:
        if splits.earnings_role(r["file_id"]) != "lm":
            continue
        ref_text = r["reference"]
        if rng.random() < 0.5:
            ref_text = ref_text.lower()
        words, ref_low = _lower_tokens(ref_text)
        if len(words) >= 3:
            out.append((words, [0] * len(words), [0] * (len(words) + 1), 0))
        for s, h in r["hypotheses"].items():
            if not h:
                continue
            e = r["errors"][s]
            words, low = _lower_tokens(h if rng.random() < 0.5 else h.lower())
            if len(words) < 3:
                continue
            label = 1 if e["wer"] >= 0.4 else (0 if e["wer"] == 0 else -1)
            out.append((words, *align_tags(low, ref_low), label))
    return out


def mlqe_examples(mlqe, rng):
    out = []
    for r in mlqe:
        if splits.mlqe_role(r) != "tagger":
            continue
        text = r["mt_en_tokenized"]
        tags_src = r.get("mt_word_tags") or ""
        if rng.random() < 0.3:
            text = text.lower()
        toks = ic.tokenize(text)
        words = ic.words_of_tokens(text, toks)
        # map every word to the whitespace token it sits in
        spans, k = [], 0
        for t in text.split(" "):
            spans.append((k, k + len(t)))
            k += len(t) + 1
        tags = None
        if len(tags_src) == len(spans):
            tags, j = [], 0
            for _, s, _ in toks:
                while j < len(spans) - 1 and spans[j][1] <= s:
                    j += 1
                tags.append(int(tags_src[j] == "B"))
        d = r["da_mean"]
        label = 1 if d <= 30 else (0 if d >= 75 else -1)
        if len(words) >= 3:
            out.append((words, tags, None, label))  # MLQE-PE's gap tags are not in the corpus
        pe = r.get("post_edit_tokenized")
        if pe and rng.random() < 0.5:
            w = ic.words_of(pe.lower() if rng.random() < 0.3 else pe)
            if len(w) >= 3:
                out.append((w, [0] * len(w), [0] * (len(w) + 1), 0))
    return out


def mqm_units(seg: dict, lower: bool = False) -> list[tuple[list[str], list[int], int]]:
    """Units of one merged WMT23 translation (``splits.mqm_segments``) as the detector cuts them, each
    ``(words, word tags, label)``: a word is an error where a visible error span of any rater
    (``splits.mqm_visible``) covers it; label 1 when a Major visible error lies in the unit, 0 when no
    rater marked any target-side error in it, -1 otherwise. ``lower``: the words of each unit
    lower-cased (the units are still cut from the text as written)."""
    text = seg["target"]
    out = []
    for u in ic.segment(Document(text)):  # cut as written: lower-cased, the sentences would run together
        words = list(u.words)
        if lower:
            low = ic.words_of(text[u.start : u.end].lower())
            words = low if len(low) == len(words) else words
        errs = [e for e in seg["errors"] if e["start"] < u.end and e["end"] > u.start]
        vis = [e for e in errs if splits.mqm_visible(e)]
        tags = [int(any(e["start"] < te and e["end"] > ts for e in vis)) for _, ts, te in u.tokens]
        label = 1 if any(e["severity"] == "Major" for e in vis) else (0 if not errs else -1)
        out.append((words, tags, label))
    return out


def mqm_examples(segments, rng):
    out = []
    for seg in segments:
        if seg["role"] != "tagger":
            continue
        for words, tags, label in mqm_units(seg, lower=rng.random() < 0.3):
            if len(words) >= 3:
                out.append((words, tags, None, label))
    return out


def synthetic_examples(sentences, rng, sound, vocab_list, next_word, same_class=None):
    out = []
    for words in sentences:
        if rng.random() < 0.5:
            out.append((words, [0] * len(words), [0] * (len(words) + 1), 0))
        else:
            w, t, g = damage_tagged(words, rng, sound, vocab_list, next_word, same_class)
            out.append((w, t, g, 1))
    return out


# ------------------------------------------------------------------------------------------------
# model
# ------------------------------------------------------------------------------------------------


def tagger_ids(model, words):
    ids = [model.ids.get(w, ic.UNK) for w in words]
    return model.nn_map[np.array(ids, dtype=np.int64)] if ids else np.zeros(0, np.int64)


def build_torch_model():
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(NN_VOCAB + 256, EMB)
            self.drop = nn.Dropout(0.2)
            self.gru = nn.GRU(EMB, HID, batch_first=True, bidirectional=True)
            self.tok = nn.Linear(2 * HID, 1)
            self.gap = nn.Linear(2 * HID, 1)
            self.sen = nn.Linear(4 * HID, 1)

        def forward(self, x, lengths):
            e = self.drop(self.emb(x))
            packed = nn.utils.rnn.pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
            o, _ = self.gru(packed)
            o, _ = nn.utils.rnn.pad_packed_sequence(o, batch_first=True, total_length=x.shape[1])
            mask = (torch.arange(x.shape[1])[None, :] < lengths[:, None]).float()
            tok = self.tok(self.drop(o)).squeeze(-1)
            # gap i (before word i, i = 0..T): forward state after word i-1, backward state at word i
            z = torch.zeros_like(o[:, :1, :HID])
            f = torch.cat([z, o[:, :, :HID]], 1)
            b = torch.cat([o[:, :, HID:], z], 1)  # padded positions of o are zeros
            gap = self.gap(self.drop(torch.cat([f, b], 2))).squeeze(-1)
            mx = (o - 1e4 * (1 - mask[..., None])).max(1).values
            mean = (o * mask[..., None]).sum(1) / lengths[:, None].float()
            sen = self.sen(self.drop(torch.cat([mx, mean], 1))).squeeze(-1)
            return tok, gap, sen

    return Net()


def train(model, examples, rng, epochs=3, batch=128, threads=2, log_every=200):
    """Train on ``examples`` [(words, word tags or None, gap tags or None, unit label or -1)];
    return the exported NumPy arrays."""
    import torch
    from torch import nn

    torch.manual_seed(1234)
    torch.set_num_threads(threads)
    data = []
    for words, tags, gaps, label in examples:
        words = list(words)[:MAX_LEN]
        if not words:
            continue
        ids = tagger_ids(model, words)
        n = len(ids)
        t = np.full(n, -1, np.int64) if tags is None else np.array(list(tags)[:n], np.int64)
        if len(t) != n:
            t = np.full(n, -1, np.int64)
        g = np.full(n + 1, -1, np.int64) if gaps is None else np.array(list(gaps)[: n + 1], np.int64)
        if len(g) != n + 1:  # malformed gap tags: ignore them
            g = np.full(n + 1, -1, np.int64)
        data.append((ids, t, g, label))
    log(f"{len(data):,} examples, {sum(len(d[0]) for d in data):,} words")
    net = build_torch_model()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    bce = nn.BCEWithLogitsLoss(reduction="none")
    # batches of similar length
    order = sorted(range(len(data)), key=lambda i: len(data[i][0]))
    batches = [order[i : i + batch] for i in range(0, len(order), batch)]
    total = epochs * len(batches)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=total, pct_start=0.1)
    step = 0
    t0 = time.time()
    for ep in range(epochs):
        rng.shuffle(batches)
        net.train()
        run_t = run_s = 0.0
        for b in batches:
            L = max(len(data[i][0]) for i in b)
            x = np.zeros((len(b), L), np.int64)
            ty = np.full((len(b), L), -1, np.int64)
            gy = np.full((len(b), L + 1), -1, np.int64)
            sy = np.array([data[i][3] for i in b], np.int64)
            lens = np.array([len(data[i][0]) for i in b], np.int64)
            for k, i in enumerate(b):
                n = len(data[i][0])
                x[k, :n] = data[i][0]
                ty[k, :n] = data[i][1]
                gy[k, : n + 1] = data[i][2]
            xt, lt = torch.from_numpy(x), torch.from_numpy(lens)
            tok, gap, sen = net(xt, lt)
            tyt, gyt, syt = torch.from_numpy(ty), torch.from_numpy(gy), torch.from_numpy(sy)
            tm = (tyt >= 0).float()
            gm = (gyt >= 0).float()
            sm = (syt >= 0).float()
            lt_ = (bce(tok, tyt.clamp(min=0).float()) * tm).sum() / tm.sum().clamp(min=1)
            lg_ = (bce(gap, gyt.clamp(min=0).float()) * gm).sum() / gm.sum().clamp(min=1)
            ls_ = (bce(sen, syt.clamp(min=0).float()) * sm).sum() / sm.sum().clamp(min=1)
            loss = lt_ + 0.5 * lg_ + ls_
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            run_t = 0.98 * run_t + 0.02 * float(lt_.detach())
            run_s = 0.98 * run_s + 0.02 * float(ls_.detach())
            if step % log_every == 0:
                log(f"epoch {ep} step {step}/{total} token loss {run_t:.3f} unit loss {run_s:.3f} "
                    f"({time.time() - t0:.0f}s)")
    arrays = export(net)
    check_export(model, net, arrays, [d for d in examples[:300] if d[0]])
    return arrays


def check_export(model, net, arrays, examples):
    """The NumPy inference in garble must reproduce PyTorch's outputs (up to half precision)."""
    import torch

    net.eval()
    units = [list(words)[:MAX_LEN] for words, *_ in examples]
    saved = model.nn
    model.nn = ic.nn_params(np, arrays)
    try:
        ul, wl, gl = ic.nn_scores(model, units)
    finally:
        model.nn = saved
    worst = 0.0
    with torch.no_grad():
        net.emb.weight.copy_(torch.from_numpy(arrays["nn_emb_q"].astype(np.float32) * arrays["nn_emb_scale"][:, None]))
        for k, u in enumerate(units):
            x = torch.from_numpy(tagger_ids(model, u)[None, :])
            tok, gap, sen = net(x, torch.tensor([len(u)]))
            worst = max(worst, abs(float(sen[0]) - float(ul[k])), float(np.abs(tok[0].numpy() - wl[k]).max()),
                        float(np.abs(gap[0, : len(u) + 1].numpy() - gl[k]).max()))
    log(f"NumPy inference vs PyTorch on {len(units)} units: max |logit diff| = {worst:.4f}")
    assert worst < 0.05, worst


def export(net) -> dict[str, np.ndarray]:
    sd = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in net.state_dict().items()}
    E = sd["emb.weight"]
    scale = np.abs(E).max(1) / 127.0 + 1e-8
    q = np.clip(np.round(E / scale[:, None]), -127, 127).astype(np.int8)
    out = {
        "nn_emb_q": q,
        "nn_emb_scale": scale.astype(np.float32),
        "nn_wih_f": sd["gru.weight_ih_l0"], "nn_whh_f": sd["gru.weight_hh_l0"],
        "nn_bih_f": sd["gru.bias_ih_l0"], "nn_bhh_f": sd["gru.bias_hh_l0"],
        "nn_wih_b": sd["gru.weight_ih_l0_reverse"], "nn_whh_b": sd["gru.weight_hh_l0_reverse"],
        "nn_bih_b": sd["gru.bias_ih_l0_reverse"], "nn_bhh_b": sd["gru.bias_hh_l0_reverse"],
        "nn_tok_w": sd["tok.weight"][0], "nn_tok_b": sd["tok.bias"],
        "nn_gap_w": sd["gap.weight"][0], "nn_gap_b": sd["gap.bias"],
        "nn_sen_w": sd["sen.weight"][0], "nn_sen_b": sd["sen.bias"],
    }
    # half precision is plenty for inference and halves the artefact
    return {k: (v if k in ("nn_emb_q", "nn_emb_scale") else v.astype(np.float16)) for k, v in out.items()}


def next_word_sampler(model, rng):
    """A function (previous word id) -> a word that often follows it (from the bigram counts)."""
    keys = model.bi_keys.astype(np.int64)
    cnt = model.bi_q.astype(np.float32) / ic.Q_SCALE
    heads = keys >> 16
    vocab = model.vocab

    def sample(prev_word: str, avoid: str) -> str | None:
        a = model.ids.get(prev_word)
        if a is None:
            return None
        lo, hi = np.searchsorted(heads, a), np.searchsorted(heads, a + 1)
        if hi - lo < 3:
            return None
        b = keys[lo:hi] & 0xFFFF
        ok = b >= ic.FIRST_WORD
        if not ok.any():
            return None
        b, w = b[ok], np.power(10.0, cnt[lo:hi][ok])
        for _ in range(4):
            i = int(np.searchsorted(np.cumsum(w), rng.random() * w.sum()))
            cand = vocab[int(b[min(i, len(b) - 1)])]
            if cand != avoid:
                return cand
        return None

    return sample


def same_class_of(model):
    """Same-class substitutions (``damage.build_same_class``) over the model's k-means word clusters:
    vocabulary ids from ``FIRST_WORD + 100`` on are the clustered words (``build_classes`` in
    train_incoherent.py), so the classes those words have are the cluster classes."""
    from training.damage import build_same_class

    lo = ic.FIRST_WORD + 100
    clusters = frozenset(int(c) for c in np.unique(model.cls[lo:30000]))
    return build_same_class(model.vocab, model.cls, clusters, ic.FUNCTION_WORDS, lo=lo, hi=30000)


def lm_sentences(corpora: Path, rng: random.Random, n: int) -> list[list[str]]:
    """``n`` sentences (6-60 words) from the language-model documents of the clean prose sources."""
    pool = []
    for name in splits.CLEAN_SOURCES:
        for doc_id, paras in splits.clean_docs(corpora, name):
            if splits.clean_role(doc_id) != "lm":
                continue
            for p in paras:
                if rng.random() < 0.15:
                    for s, e in ic._split_sentences(p, 0, len(p)):
                        t = p[s:e]
                        ws = ic.words_of(t.lower() if rng.random() < 0.3 else t)
                        if 6 <= len(ws) <= 60:
                            pool.append(ws)
    rng.shuffle(pool)
    return pool[:n]


def load_mqm(corpora: Path) -> list[dict]:
    """WMT23 generalMT zh->en translations, merged over raters (``splits.mqm_segments``)."""
    return splits.mqm_segments(splits.read_jsonl(corpora / "wmt-mqm-zhen" / "mqm_generalMT2023_zhen_sxs.jsonl"))


def build_examples(model, corpora: Path, rng: random.Random, n_synth: int = 150000, wmt23: bool = False):
    """The tagger's training examples. ``wmt23``: add the tagger half of WMT23 generalMT zh->en
    (``mqm_examples``); off for the shipped model (see training/README.md, "WMT23 MQM")."""
    from training.damage import build_soundalikes

    earnings = list(splits.read_jsonl(corpora / "earnings21-asr" / "earnings21_sentences.jsonl"))
    mlqe = list(splits.read_jsonl(corpora / "mlqe-pe-to-english" / "mlqe_pe_xx_en.jsonl"))
    ex_e = earnings_examples(earnings, rng)
    ex_m = mlqe_examples(mlqe, rng)
    # its own random stream, so that the other examples are the same with or without it
    ex_q = mqm_examples(load_mqm(corpora), random.Random("mqm")) if wmt23 else []
    vocab = model.vocab
    sound = build_soundalikes(set(vocab[ic.FIRST_WORD : 40000]))
    vocab_list = vocab[ic.FIRST_WORD + 100 : 30000]
    sents = lm_sentences(corpora, rng, n_synth)
    ex_s = synthetic_examples(sents, rng, sound, vocab_list, next_word_sampler(model, rng), same_class_of(model))
    log(f"examples: earnings21 {len(ex_e):,}, mlqe {len(ex_m):,}, mqm {len(ex_q):,}, synthetic {len(ex_s):,}")
    ex = ex_e + ex_m + ex_q + ex_s
    rng.shuffle(ex)
    return ex


def main(argv=None):  # standalone: train against the shipped model's vocabulary (development aid)
    import argparse

    ap = argparse.ArgumentParser(description="train the tagger alone (normally run by train_incoherent.py)")
    ap.add_argument("--corpora", type=Path, default=splits.DEFAULT_CORPORA)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--synthetic", type=int, default=150000)
    ap.add_argument("--wmt23", action="store_true", help="also train on WMT23 generalMT zh->en MQM spans")
    args = ap.parse_args(argv)
    from training.train_incoherent import SEED

    model = ic.load_model()
    # the same random streams as train_incoherent.py, so that only the options given here differ
    ex = build_examples(model, args.corpora, random.Random(SEED + 2), args.synthetic, wmt23=args.wmt23)
    arrays = train(model, ex, random.Random(SEED + 3), epochs=args.epochs)
    np.savez(args.out, **arrays)
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
