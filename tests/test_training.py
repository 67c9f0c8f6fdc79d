"""The training helpers that label data word by word (training/tagger.py, training/damage.py).

They decide what the neural tagger learns, so their alignment and tags are tested here; the
training itself (PyTorch) is not run in the test suite.
"""

from __future__ import annotations

import random

import pytest

from training.damage import damage_tagged
from training.tagger import align_tags


def test_alignment_tags_substitutions_insertions_and_gaps():
    hyp = "good morning ladies gentlemen welcome to the monroe inks that earnings".split()
    ref = "good morning ladies and gentlemen and welcome to the monro inc earnings conference".split()
    tags, gaps = align_tags(hyp, ref)
    assert len(tags) == len(hyp) and len(gaps) == len(hyp) + 1
    assert [w for w, t in zip(hyp, tags) if t] == ["monroe", "inks", "that"]
    # "and" is missing before "gentlemen" and before "welcome"; "conference" at the end
    assert [i for i, g in enumerate(gaps) if g] == [3, 4, len(hyp)]


def test_alignment_of_identical_text_is_clean():
    words = "we expect revenue to grow in the second half".split()
    assert align_tags(words, words) == ([0] * len(words), [0] * (len(words) + 1))


@pytest.mark.parametrize("seed", range(40))
def test_damage_tags_line_up_with_the_damaged_words(seed):
    rng = random.Random(seed)
    words = "the committee approved the new budget for the city after a long debate on tuesday".split()
    sound = {"budget": ["budge"], "city": ["sitty", "pity"], "debate": ["the bait"]}
    out, tags, gaps = damage_tagged(words, rng, sound, ["river", "apple", "seven"], lambda prev, avoid: "zebra")
    assert len(tags) == len(out) and len(gaps) == len(out) + 1
    assert any(tags) or any(gaps), "damage always changes something"
    # every untagged word is a word of the original sentence
    assert all(w in words for w, t in zip(out, tags) if not t)
