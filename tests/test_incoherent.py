"""Unit tests for the incoherent detector (IC): metric, messages, spans, segmentation, laziness."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from garble.detectors.incoherent import Incoherent, IncoherentOptions, load_model, segment, tokenize
from garble.document import Document

ALL = frozenset(r.code for r in Incoherent.rules)
SEEDS = Path(__file__).resolve().parent.parent / "samples" / "seeds"

# Held-out real garble: earnings21-asr (CC BY-SA 4.0), test call 4344866, sentences 72-74, the
# LibriSpeech-Kaldi hypothesis lower-cased (reference: "Our guidelines include staying home when not
# feeling well, frequent hand-washing, social distancing, and other best practices. ...").
ASR_RUN = (
    "line the glimpses ain't home when not feeling well frequent hand watching so you'll dennison scenes and "
    "other bent francis's emblem etymologies held them boy handily in bags the crown of iras including taking "
    "care of family members for daily with yonan the home schools and that without the the implementation of "
    "armored emily programmes or"
)


def assess(text: str, options=None):
    return Incoherent(options).assess(Document(text), ALL)


def test_metric_is_zero_without_sentences():
    for text in ("", "   \n\n", "Title Only", "| a | b |\n|---|---|\n| 1 | 2 |"):
        a = assess(text)
        assert a.metrics == {"incoherent_max": 0.0}
        assert a.findings == ()


def test_metric_is_a_probability_and_bounds_findings():
    text = (SEEDS / "001_e367b89ec7c8f8b5.txt").read_text(encoding="utf-8")
    a = assess(text)
    m = a.metrics["incoherent_max"]
    assert 0.0 < m <= 1.0
    for f in a.findings:
        assert f.confidence <= m + 1e-3


def test_threshold_option_controls_findings():
    text = "We met the new team on Monday. They showed us the plans for the bridge over the river."
    assert assess(text, IncoherentOptions(threshold=1.01)).findings == ()
    everything = assess(text, IncoherentOptions(threshold=0.0)).findings
    assert [text[f.start : f.end] for f in everything] == [
        "We met the new team on Monday.",
        "They showed us the plans for the bridge over the river.",
    ]


def test_quote_span_is_exactly_the_quotation():
    text = "Analysts were not impressed by the answer. “The truth question theory that was adopted by computing computer design,” says Sam."
    a = assess(text, IncoherentOptions(threshold=0.0))
    assert [f.code for f in a.findings] == ["IC101", "IC102"]
    q = a.findings[1]
    assert text[q.start : q.end] == "The truth question theory that was adopted by computing computer design,"


def test_straight_quotes_and_unquoted_sentences():
    text = 'He said "we are going to build the bridge over the river next year" and left.'
    units = segment(Document(text))
    assert [(u.kind, text[u.start : u.end]) for u in units] == [
        ("quote", "we are going to build the bridge over the river next year")
    ]


def test_message_names_the_suspicious_words():
    a = assess(ASR_RUN)
    assert a.findings, "the held-out ASR run should be flagged"
    for f in a.findings:
        assert f.code == "IC103"
        assert "incoherence" in f.message
        quoted = re.findall(r"‘([^’]+)’", f.message)
        assert quoted, f.message
        for q in quoted:
            assert q in ASR_RUN[f.start : f.end]


def test_offsets_slice_the_original_text():
    text = (SEEDS / "001_e367b89ec7c8f8b5.txt").read_text(encoding="utf-8")
    for f in assess(text, IncoherentOptions(threshold=0.0)).findings:
        span = text[f.start : f.end]
        assert span == span.strip()
        assert tokenize(span)


def test_segmentation_skips_tables_code_headlines_and_lists():
    text = (
        "# A Heading With Several Words In It\n"
        "Markets Rally As Fed Signals Pause In Rate Hikes\n"
        "| Aspect | details of the company and its many products |\n"
        "```\n"
        "for item in the list of things we want to print out: print(item)\n"
        "```\n"
        "- buy milk\n"
        "    x = compute_the_value(of, the, thing)\n"
        "The only real sentence in this document is this one here.\n"
    )
    units = segment(Document(text))
    assert [text[u.start : u.end] for u in units] == ["The only real sentence in this document is this one here."]


def test_sentence_split_respects_abbreviations():
    text = "Mr. Smith met Dr. Jones in the U.S. capital last week. They talked about the new rules for a long time."
    units = segment(Document(text))
    assert [text[u.start : u.end] for u in units] == [
        "Mr. Smith met Dr. Jones in the U.S. capital last week.",
        "They talked about the new rules for a long time.",
    ]


def test_model_is_cached_and_small():
    m1, m2 = load_model(), load_model()
    assert m1 is m2
    from garble import modelio
    from garble.detectors.incoherent import MODEL_PATH

    assert modelio.size_bytes(MODEL_PATH) < 30_000_000


def test_import_does_not_load_numpy_or_the_model():
    code = "import sys, garble.detectors.incoherent as m; print('numpy' in sys.modules, m.load_model.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "0"]


@pytest.mark.parametrize("rule", Incoherent.rules, ids=lambda r: r.code)
def test_rule_examples_are_flagged(rule):
    a = assess(rule.example)
    assert any(f.code == rule.code for f in a.findings), (rule.example, a.metrics)


def test_names_become_cap_tokens_but_sentence_starts_and_caseless_text_do_not():
    from garble.detectors.incoherent import words_of

    assert words_of("Yesterday Charles Simpson told Polygraph. “We are here,” he said.") == [
        "yesterday", "<cap>", "<cap>", "told", "<cap>", "we", "are", "here", "he", "said"
    ]
    # a name-dense news sentence keeps its names
    assert words_of("Charles Simpson of the Refugees in Towns Project at Tufts University told Polygraph.").count("<cap>") == 7
    # all-caps transcripts and lower-cased text carry no casing information
    assert words_of("CHEEK BUT AUNT LOBSTER THAT REGILLUS") == ["cheek", "but", "aunt", "lobster", "that", "regillus"]
    assert words_of("i think it rose 6.2% in 2020") == ["i", "think", "it", "rose", "<num>", "<num>", "in", "<num>"]


def test_lower_cased_clean_text_is_not_flagged():
    """Names lower-cased look like rare word pairs; that must not push clean text over the threshold."""
    text = "Shares of Apple and Microsoft rose after Tim Cook said the iPhone sold well in China and Japan."
    for variant in (text, text.lower(), text.upper()):
        a = assess(variant)
        assert a.findings == (), variant
        assert a.metrics["incoherent_max"] < load_model().meta["threshold"]
