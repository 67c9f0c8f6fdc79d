"""Unit tests for the typography detector beyond the data-first cases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import garble.detectors.typography as ty
from garble.detectors.typography import Typography, TypographyOptions
from garble.document import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "samples" / "seeds"
ALL = frozenset(r.code for r in Typography.rules)


def assess(text: str, codes=ALL, options=None):
    return Typography(options).assess(Document(text), frozenset(codes)).findings


def _annotations():
    path = SEEDS / "annotations.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("ann", [a for a in _annotations() if a["category"] == "typography"], ids=lambda a: f"{a['file'][:3]}-{a['start']}")
def test_every_seed_typography_annotation_is_found(ann):
    text = (SEEDS / ann["file"]).read_text(encoding="utf-8")
    assert any(f.start < ann["end"] and ann["start"] < f.end for f in assess(text)), ann


@pytest.mark.parametrize("prefix", ["000", "002", "003", "004"])
def test_seeds_without_typography_annotations_get_no_finding(prefix):
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    assert assess(text) == ()


@pytest.mark.parametrize("rule", Typography.rules, ids=lambda r: r.code)
def test_rule_metadata_and_example_fires(rule):
    assert rule.code.startswith("TY") and rule.summary and rule.doc and rule.example
    codes = [f.code for f in assess(rule.example)]
    assert rule.code in codes, (rule.code, codes)


def test_missing_space_fix_inserts_one_space():
    text = "Huawei faced US sanctions.However, it grew."
    (f,) = assess(text, {"TY101"})
    assert f.fix.safe and text[: f.start] + f.fix.replacement + text[f.end :] == "Huawei faced US sanctions. However, it grew."


def test_fixes_for_case_and_doubles():
    text = "The plan passed. however it was the the last one."
    by_code = {f.code: f for f in assess(text)}
    assert by_code["TY102"].fix.replacement == "However"
    assert by_code["TY105"].fix.replacement == "the"


@pytest.mark.parametrize("text, word, safe", [
    ("Talks with Turkey began. Exports from Turkey grew, and Turkey signed. We ate roast turkey.", "turkey", False),
    ("We spoke English at first. Later her english improved.", "english", False),  # also "english" (spin)
    ("Exports to Germany rose, while imports from germany fell.", "germany", True),
    ("Users compared it with models like chatgpt.", "chatgpt", True),
])
def test_proper_noun_fix_is_unsafe_when_the_word_is_also_an_ordinary_word(text, word, safe):
    (f,) = assess(text, {"TY103"})
    assert text[f.start:f.end] == word and f.fix.safe is safe


def test_spelling_suggestion_is_an_unsafe_fix():
    (f,) = assess("You have observed necesary steps.", {"TY104"})
    assert f.fix.replacement == "necessary" and not f.fix.safe
    assert f.data["suggestion"] == "necessary"


def test_spelling_does_not_search_the_whole_text_for_each_unknown_word():
    class Counting(str):  # counts `... in text`, a scan of the whole text
        calls = 0

        def __contains__(self, part):
            Counting.calls += 1
            return str.__contains__(self, part)

    words = " ".join(f"blorf{a}{b}" for a in "bcdfgh" for b in "kmnpqr")  # 36 unknown words
    text = Counting(f"Some words: {words}. Blorfbk is a name, so blorfbk is not checked.")
    assert assess(text, {"TY104"}) == ()
    assert Counting.calls < 3  # was one per unknown word: quadratic on multi-MB documents


@pytest.mark.parametrize("text", ["Necesary", "MyNecesary", "Necesaryness", "NECESARY", "Neces ary", "Néecesary",
                                  "necesary", "A Necesar y", "x.Necesary!"])
def test_capitalised_lookup_is_a_substring_test(text):
    for word in ("Necesary", "Neces", "Ne"):
        for min_len in (1, 4, 8):
            if len(word) >= min_len:
                assert (word in ty._Capitalised(text, min_len)) == (word in text), (word, min_len)


def test_spelling_can_be_switched_off():
    assert assess("You have observed necesary steps.", {"TY104"}, TypographyOptions(spelling=False)) == ()


def test_dictionary_is_not_loaded_when_not_needed():
    ty._dictionary.cache_clear()
    assess("Huawei faced US sanctions.However, it grew.", {"TY101", "TY102"})
    assert ty._dictionary.cache_info().currsize == 0


def test_spelling_is_silent_without_symspellpy(monkeypatch):
    ty._dictionary.cache_clear()
    monkeypatch.setattr(ty.importlib.util, "find_spec", lambda name: None)
    try:
        assert assess("You have observed necesary steps.", {"TY104"}) == ()
    finally:
        ty._dictionary.cache_clear()


def test_spell_check_reads_the_word_list_without_importing_symspellpy():
    code = (
        "import sys\n"
        "from garble.detectors.typography import Typography\n"
        "from garble.document import Document\n"
        "fs = Typography().assess(Document('You have observed necesary steps.'), frozenset({'TY104'})).findings\n"
        "print(len(fs), 'symspellpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["1", "False"]


def test_us_and_uk_spellings_are_both_words():
    text = "The labor party's color scheme, the theater's catalog and the organisation's behaviour were analyzed."
    assert assess(text, {"TY104"}) == ()


def test_offsets_slice_the_original_text():
    text = "Zoë said,hello. the café’s menu on ebay was the the best; see https://x.io/a,b.\r\nthe end is near for all of us."
    for f in assess(text):
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end].strip() == text[f.start : f.end]


def test_samples():
    damaged = (ROOT / "samples" / "typography-damaged.txt").read_text(encoding="utf-8")
    assert {f.code for f in assess(damaged)} == ALL
    clean = (ROOT / "samples" / "typography-clean.txt").read_text(encoding="utf-8")
    assert assess(clean) == ()


@pytest.mark.parametrize("text", [
    "", "word", "  It’s China’s and o'Neil's l'a’b rock'n'roll ’tis x'  ", "éte ß 中文 snake_case 3rd x2y",
])
def test_fast_word_views_match_the_plain_definitions(text):
    # _words (split + running sums) and _bases (one substitution) are faster
    # forms of a finditer over _WORD_RE and of _base on each word
    import re

    rx = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
    words = ty._words(text, None)
    expected = [(m.start(), m.end(), m.group(0)) for m in rx.finditer(text)]
    assert list(words) == expected
    assert [words[i] for i in range(len(words))] == expected
    assert ty._bases(words) == [ty._base(w) for _, _, w in words]
    # words starting in a protected span are left out
    mask = bytearray(len(text) + 1)
    mask[: len(text) // 2] = b"\x01" * (len(text) // 2)
    assert list(ty._words(text, mask)) == [t for t in expected if not mask[t[0]]]


def lower_starts(text: str, path: str = "<string>") -> list[str]:
    doc = Document(text, path)
    return [text[f.start:f.end] for f in Typography().assess(doc, frozenset({"TY102"})).findings]


@pytest.mark.parametrize("text", [
    "orjson is a fast JSON library for Python with many options.",  # a package name, no English word
    "urllib3 is a powerful HTTP client for Python with many features.",  # a digit
    "libjpeg-turbo is a JPEG image codec that uses SIMD instructions.",
    "macOS ships with an old version of the tool, so install it first.",  # inner capital
    "See the guide (e.g.\nthe section on tokens) for more about this option.",  # abbreviation at the line end
    "Works on several systems, etc.\nand more are coming as people send us patches.",
    # a line of names inside a wrapped sentence is no heading
    "Thanks go to our friends at\nAlice Smith, Bob Jones, Carol White\nand many others who helped us with testing.",
])
def test_not_a_lower_case_sentence_start(text):
    assert lower_starts(text) == []


def test_a_line_after_a_code_block_goes_on_with_the_sentence_in_markdown():
    text = "Install it with:\n\n    pip install thing\n\nwhich puts the command on your path for you.\n"
    assert lower_starts(text, "README.md") == []
    fenced = "Run this:\n\n```\nmake all\n```\n\nwould be the same as running each of the steps.\n"
    assert lower_starts(fenced, "README.md") == []


@pytest.mark.parametrize("text, word", [
    ("The company grew.\nthe shockwaves created by the launch were felt everywhere.", "the"),
    ("The US Response\nthe shockwaves created by the launch were felt everywhere.", "the"),  # after a heading
    ("Some text here.\n\nthe next paragraph starts in lower case by mistake here.", "the"),
])
def test_lower_case_sentence_starts_still_found(text, word):
    assert lower_starts(text) == [word]
