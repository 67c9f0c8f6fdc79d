"""Unit tests for the padding detector beyond the data-first cases.

Seed files are the founding articles copied into samples/seeds/ (provenance in
samples/seeds/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from garble import check
from garble.detectors.padding import Padding, PaddingOptions
from garble.document import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "samples" / "seeds"
ALL = frozenset(r.code for r in Padding.rules)


def assess(text: str, codes=ALL, options=None):
    return Padding(options).assess(Document(text), frozenset(codes)).findings


def apply_fixes(text: str, findings, safe_only=True) -> str:
    for f in sorted(findings, key=lambda f: f.start, reverse=True):
        if f.fix and (f.fix.safe or not safe_only):
            text = text[: f.start] + f.fix.replacement + text[f.end :]
    return text


def _annotations():
    path = SEEDS / "annotations.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("ann", [a for a in _annotations() if a["category"] == "padding"], ids=lambda a: f"{a['file'][:3]}-{a['start']}")
def test_every_seed_padding_annotation_is_found_with_its_exact_span(ann):
    text = (SEEDS / ann["file"]).read_text(encoding="utf-8")
    spans = [(f.start, f.end) for f in assess(text)]
    assert (ann["start"], ann["end"]) in spans, spans


def test_clean_seed_has_no_padding_finding():
    text = next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")
    assert assess(text) == ()


def test_seeds_have_no_unannotated_padding_finding():
    anns = _annotations()
    for path in sorted(SEEDS.glob("0*.txt")):
        text = path.read_text(encoding="utf-8")
        marked = [(a["start"], a["end"]) for a in anns if a["file"] == path.name and a["category"] == "padding"]
        for f in assess(text):
            assert any(f.start < e and s < f.end for s, e in marked), (path.name, f)


@pytest.mark.parametrize("rule", Padding.rules, ids=lambda r: r.code)
def test_rule_metadata_and_example_fires(rule):
    assert rule.code.startswith("PD") and rule.summary and rule.doc and rule.example
    assert rule.name == rule.name.lower() and " " not in rule.name
    codes = [f.code for f in assess(rule.example)]
    assert rule.code in codes, (rule.code, codes)


def test_only_enabled_rules_run():
    text = "Advertisement\nSource: https://news.google.com/rss/articles/CBMiWmh0dHBzOi8vd3d3LmV4YW1wbGUuY29t?oc=5\n\n\n\n"
    assert {f.code for f in assess(text)} == {"PD101", "PD102", "PD107"}
    assert {f.code for f in assess(text, {"PD107"})} == {"PD107"}
    assert assess(text, set()) == ()


def test_blank_line_fixes_trim_and_are_idempotent():
    text = "\n\n\nTitle\n\nFirst.\n\n\n\n\nSecond.\n\n\n\n"
    findings = assess(text, {"PD101"})
    assert [f.code for f in findings] == ["PD101", "PD101", "PD101"]
    assert all(f.fix is not None and f.fix.safe for f in findings)
    fixed = apply_fixes(text, findings)
    assert fixed == "Title\n\nFirst.\n\nSecond.\n"
    assert assess(fixed, {"PD101"}) == ()


def test_blank_line_thresholds_are_options():
    text = "First.\n\n\nSecond."  # two blank lines: fine by default
    assert assess(text, {"PD101"}) == ()
    strict = PaddingOptions(max_inner_blank_lines=1)
    assert [f.code for f in assess(text, {"PD101"}, strict)] == ["PD101"]


def test_crlf_lines_span_the_text_without_carriage_returns():
    text = "Body text of the story goes here.\r\nAdvertisement\r\nMore body text follows here.\r\n"
    (f,) = assess(text, {"PD102"})
    assert text[f.start : f.end] == "Advertisement"


def test_boilerplate_removal_is_an_unsafe_fix_that_drops_the_line():
    text = "Story text.\nSubscribe to our newsletter for daily updates\nMore story text."
    (f,) = assess(text, {"PD102"})
    assert f.fix is not None and not f.fix.safe and f.fix.replacement == ""
    assert apply_fixes(text, [f], safe_only=False) == "Story text.\n\nMore story text."


def test_fenced_code_is_never_padding():
    text = "Intro line of the document.\n\n```\nAdvertisement\nShare this\n\n\n\n\nHome\nNews\nSport\nWorld\nOpinion\nVideo\n```\n"
    assert assess(text) == ()


def test_empty_and_blank_texts():
    assert assess("") == ()
    assert assess("\n\n\n") == ()  # nothing but blank lines: no content to pad


def test_offsets_slice_the_original_text():
    text = "\ufeffTitle\n\n\nPhoto: Jane Doe/Reuters\nBody with “quotes” and émigré names.\nAdvertisement\n\n\n\n"
    for f in assess(text):
        assert 0 <= f.start <= f.end <= len(text)
        assert text[f.start : f.end] == text[f.start : f.end].strip(" \t\r") or f.code == "PD101"


def test_samples():
    damaged = (ROOT / "samples" / "padding-damaged.txt").read_text(encoding="utf-8")
    assert {f.code for f in assess(damaged)} == ALL
    clean = (ROOT / "samples" / "padding-clean.txt").read_text(encoding="utf-8")
    assert assess(clean) == ()


def test_blank_line_fixes_keep_crlf_line_endings():
    text = "First.\r\n\r\n\r\n\r\n\r\nSecond.\r\n\r\n\r\n\r\n"
    fixed = apply_fixes(text, assess(text, {"PD101"}))
    assert fixed == "First.\r\n\r\nSecond.\r\n"


def test_digit_class_is_exactly_str_isdigit():
    # PD106 counts digit tokens with a regular-expression class written out
    # from the Unicode tables; it must agree with str.isdigit() everywhere
    import re
    import sys

    from garble.detectors import padding

    rx = re.compile(f"[{padding._ISDIGIT_CLASS}]")
    wrong = [hex(c) for c in range(sys.maxunicode + 1) if bool(rx.match(chr(c))) != chr(c).isdigit()]
    assert wrong == []


@pytest.mark.parametrize("key, expected", [
    ("no digits here at all", 0),
    ("in 2019 the 3rd edition sold 1,000 copies", 3),
    ("x² and ① count, as str.isdigit says", 2),
    ("12 34", 2),
])
def test_digit_tokens(key, expected):
    from garble.detectors import padding

    assert padding._digit_tokens(key) == expected
    assert padding._digit_tokens(key) == sum(1 for t in key.split() if any(c.isdigit() for c in t))


def test_blank_runs_inside_markdown_and_rst_are_not_padding():
    text = "# Title\n\nIntro paragraph.\n\n\n\n\n## Next\n\nMore text.\n\n\n\n"
    for path in ("doc.md", "doc.rst"):
        r = check(text, path=path, select=["PD101"])
        assert [d.finding.message for d in r.diagnostics] == ["3 blank lines after the end of the text"]
    r = check(text, path="doc.txt", select=["PD101"])
    assert [d.start.line for d in r.diagnostics] == [4, 10]


def test_repeats_compare_wrapped_paragraphs_not_their_lines():
    shared = "When creating an access token with the token create command, this limits"
    a = f"Intro.\n\n{shared}\nthe token to the packages you name and nothing else at all.\n\n"
    b = f"{shared}\nwhat the token can do to reading, which is safer for automated builds.\n"
    r = check(a + b, path="config.md", select=["PD106"])
    assert r.diagnostics == []
    # the same wrapped paragraph twice is still a repeat, reported once, over the whole paragraph
    para = f"{shared}\nthe token to the packages you name and nothing else at all.\n"
    r = check(f"Intro.\n\n{para}\nOther text.\n\n{para}", path="config.md", select=["PD106"])
    assert [(d.start.line, d.end.line) for d in r.diagnostics] == [(8, 9)]
    assert "repeats line 3" in r.diagnostics[0].finding.message


def test_in_markdown_only_nearby_repeats_count():
    desc = "* `offset` {integer} The location in the buffer at which to start filling it up."
    far = "\n\n".join([desc] + [f"Paragraph number {i} of the reference text." for i in range(6)] + [desc]) + "\n"
    assert check(far, path="fs.md", select=["PD106"]).diagnostics == []
    assert len(check(far, path="fs.txt", select=["PD106"]).diagnostics) == 1
    near = f"{desc}\n\nOne line between.\n\n{desc}\n"
    assert len(check(near, path="fs.md", select=["PD106"]).diagnostics) == 1
