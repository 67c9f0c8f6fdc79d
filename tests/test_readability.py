"""Readability detector unit tests (cases/readability.yaml has the data-first cases)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("pyphen")

import garble  # noqa: E402
from garble.detectors.readability import Readability, ReadabilityOptions, measure  # noqa: E402
from garble.document import Document  # noqa: E402

ALL = frozenset(r.code for r in Readability.rules)
RUN_ON = Readability.rules[0].example  # 118 words, no full stop


def test_measure_counts_words_sentences_and_line_breaks():
    m = measure("The cat sat on the mat. It was happy!\nA heading\n- a list item")
    assert (m["words"], m["sentences"]) == (14, 4)
    assert m["words_per_sentence"] == 3.5
    # decimals, abbreviations-like dots inside words and URLs do not end sentences
    assert measure("Pi is 3.14 and e is 2.71 today")["sentences"] == 1


def test_flesch_formula():
    m = measure("The cat sat on the mat. It was happy.")
    expected = 206.835 - 1.015 * m["words_per_sentence"] - 84.6 * m["syllables_per_word"]
    assert m["flesch_reading_ease"] == pytest.approx(expected)
    assert m["syllables_per_word"] == pytest.approx(10 / 9)  # "hap-py" and eight one-syllable words


def test_whole_document_span_and_metrics():
    text = "\n" + RUN_ON + " " + RUN_ON + "\n"
    a = Readability().assess(Document(text), ALL)
    assert {f.code for f in a.findings} == {"RD101", "RD102"}
    assert all((f.start, f.end) == (0, len(text)) for f in a.findings)
    assert a.metrics["readability_flesch_reading_ease"] < 0
    assert a.metrics["readability_words"] == 236


def test_thresholds_are_options():
    lenient = Readability(ReadabilityOptions(min_flesch_reading_ease=-100, max_words_per_sentence=200))
    assert lenient.assess(Document(RUN_ON), ALL).findings == ()
    strict = Readability(ReadabilityOptions(min_words=500))
    assert strict.assess(Document(RUN_ON), ALL).findings == ()


def test_only_enabled_rules():
    a = Readability().assess(Document(RUN_ON), frozenset({"RD102"}))
    assert [f.code for f in a.findings] == ["RD102"]


def test_opt_in_only():
    assert not any(d.category == "readability" for d in garble.check(RUN_ON).findings)
    assert {d.code for d in garble.check(RUN_ON, select=["RD"]).findings} == {"RD101", "RD102"}


def test_never_imports_textstat_or_nltk():
    # textstat's English syllable counter downloads NLTK's cmudict when it is
    # missing; the detector must not go near it
    code = (
        "import sys, garble\n"
        "from garble.detectors.readability import Readability\n"
        "from garble.document import Document\n"
        f"Readability().assess(Document({RUN_ON!r}), frozenset({{'RD101'}}))\n"
        "print('textstat' in sys.modules, 'nltk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
