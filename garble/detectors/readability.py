"""Readability: document-level measurements that garbled text fails.

Opt-in (select it with ``--select RD``): readability is weak evidence of
damage, so the family weighs little in the score. Two rules, both about the
whole document (the finding spans the whole text, because the JSON contract
needs start and end):

* RD101: a Flesch reading ease below 0. Clean encyclopedic, news and
  speech prose scores 20-80; text without sentence punctuation (raw speech
  recognition output) or made of long unknown words scores far below 0.
* RD102: more than 60 words per sentence on average: sentence punctuation is
  missing (unpunctuated ASR transcripts, text whose full stops were lost).

Syllables come from pyphen's hyphenation dictionary (the dependency textstat
itself uses): textstat's own English syllable counter needs NLTK's cmudict and
downloads it at run time when missing, which garble never does. The formulas
are the standard ones textstat implements (Flesch 1948; Kincaid et al. 1975;
Smith & Senter 1967 for ARI; Coleman & Liau 1975).

Measured (benchmarks are in the module docstring's numbers, computed on the
shared corpora): documents of clean Wikipedia (565 articles) have reading ease
p1 26, median 52, words per sentence p99 30; UN speeches (1,701) p1 21 and
p99 36; Gutenberg fiction (102) p1 40. Unpunctuated ASR output of Earnings-21
(3 systems x 44 calls) scores below -8,000 with thousands of words per sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from garble.detectors.base import Detector
from garble.document import Document
from garble.types import Assessment, Finding, Rule, Severity

_RULES = (
    Rule(
        code="RD101",
        name="low-readability",
        summary="Flesch reading ease below 0: the document reads as garble, not prose.",
        severity=Severity.INFO,
        weight=1.0,
        doc=(
            "Flesch reading ease (206.835 - 1.015 x words per sentence - 84.6 x syllables per word) is 20-80 "
            "for ordinary prose, even dense encyclopedic text. Below 0 the text has either no sentence breaks "
            "or words no reader would call words: raw speech-recognition output, token soup, text glued "
            "together without spaces. A whole-document measurement, so the finding spans the document. "
            "Weak evidence on its own; it weighs little in the score. Not flagged: documents under 100 "
            "words (the measure is unstable), fenced code blocks (left out of the counts)."
        ),
        example=(
            "so um yeah we we saw the the numbers come in and uh the the quarter was was good i think you know "
            "the revenue was up and and the margins were were up too and uh we expect that to to continue into "
            "the next quarter and and the one after that as well because the the demand is there and and we "
            "have the capacity and uh the team is is executing really well on all of the the initiatives that "
            "we we talked about last time and so we are are very confident in the guidance that we we gave "
            "today and uh i will hand it over to to the chief financial officer now"
        ),
    ),
    Rule(
        code="RD102",
        name="missing-sentence-punctuation",
        summary="More than 60 words per sentence on average: sentence punctuation is missing.",
        severity=Severity.INFO,
        weight=1.0,
        doc=(
            "Clean prose averages 15-30 words per sentence (99th percentile of Wikipedia articles: 30; UN "
            "speeches: 36). An average above 60 means full stops are missing: unpunctuated speech "
            "transcripts, or text whose sentence ends were lost in extraction. Line breaks count as sentence "
            "ends, so lists, headings and tables do not trigger it. A whole-document measurement, so the "
            "finding spans the document. Not flagged: documents under 100 words."
        ),
        example=(
            "Good morning everyone and welcome to the third quarter earnings call my name is Sam and I will be "
            "your operator today and at this time all participants are in a listen only mode and later we will "
            "conduct a question and answer session and please note that this call is being recorded and that "
            "the slides for today are on our website under the investors tab for anyone who wants them. I would "
            "now like to hand the call over to our chief executive officer please go ahead thank you operator "
            "and thank you all for joining us today we had a strong quarter with revenue up in every region "
            "and margins ahead of plan and cash flow that let us pay down debt while we kept investing in the "
            "new plant and the people who will run it."
        ),
    ),
)

# Words: runs of letters with inner apostrophes (digits and symbols are not words).
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Sentence ends: . ! ? (with closing quotes/brackets) before a space or the end,
# and every line break (headings, list items and table rows end at the line).
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|\n")


@dataclass(frozen=True)
class ReadabilityOptions:
    #: documents with fewer words are not judged (the measures are unstable)
    min_words: int = 100
    #: RD101 fires below this Flesch reading ease (clean Wikipedia articles: p1 = 26)
    min_flesch_reading_ease: float = 0.0
    #: RD102 fires above this many words per sentence (clean prose p99 = 30-36)
    max_words_per_sentence: float = 60.0
    #: pyphen dictionary used to count syllables
    hyphenation_language: str = "en_US"


@cache
def _hyphenator(lang: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang=lang)


def measure(text: str, lang: str = "en_US") -> dict[str, float]:
    """Word, sentence and syllable counts and the classic readability formulas.

    >>> m = measure("The cat sat on the mat. It was happy.")
    >>> m["words"], m["sentences"], m["words_per_sentence"]
    (9, 2, 4.5)
    """
    words = _WORD_RE.findall(text)
    n = len(words)
    if n == 0:
        return {"words": 0, "sentences": 0}
    sentences = 0
    last = 0
    for m in _SENTENCE_END_RE.finditer(text):
        if _WORD_RE.search(text, last, m.start()):
            sentences += 1
        last = m.end()
    if _WORD_RE.search(text, last):
        sentences += 1
    sentences = max(sentences, 1)
    hyph = _hyphenator(lang)
    syllables = sum(len(hyph.positions(w.lower())) + 1 for w in words)
    letters = sum(len(w) for w in words)
    wps = n / sentences
    spw = syllables / n
    return {
        "words": n,
        "sentences": sentences,
        "words_per_sentence": wps,
        "syllables_per_word": spw,
        "flesch_reading_ease": 206.835 - 1.015 * wps - 84.6 * spw,
        "flesch_kincaid_grade": 0.39 * wps + 11.8 * spw - 15.59,
        "automated_readability_index": 4.71 * letters / n + 0.5 * wps - 21.43,
        "coleman_liau_index": 0.0588 * (100 * letters / n) - 0.296 * (100 * sentences / n) - 15.8,
    }


class Readability(Detector):
    family = "readability"
    prefix = "RD"
    rules = _RULES
    requires = ("pyphen",)
    install_hint = 'pip install "garble[readability]"'
    Options = ReadabilityOptions
    # One document-level finding per 2,000 characters halves the family score;
    # the family weight keeps readability a minor part of the total.
    half_point = 0.5
    weight = 0.2
    default_enabled = False  # weak evidence; opt in with --select RD

    def assess(self, doc: Document, enabled: frozenset[str]) -> Assessment:
        text = doc.text
        if doc.fenced_blocks:  # code is not prose: blank it out, keeping offsets
            parts, last = [], 0
            for s, e in doc.fenced_blocks:
                parts += [text[last:s], "\n" * text.count("\n", s, e)]
                last = e
            parts.append(text[last:])
            text = "".join(parts)
        m = measure(text, self.options.hyphenation_language)
        metrics = {f"readability_{k}": round(v, 2) if isinstance(v, float) else v for k, v in m.items()}
        if m["words"] < self.options.min_words:
            return Assessment(metrics=metrics)
        findings = []
        span = (0, len(doc.text))
        fre, wps = m["flesch_reading_ease"], m["words_per_sentence"]
        if "RD101" in enabled and fre < self.options.min_flesch_reading_ease:
            findings.append(
                Finding(
                    "RD101",
                    f"Flesch reading ease is {fre:.0f} (clean prose: 20 to 80); the document reads as garble "
                    f"({wps:.0f} words per sentence, {m['syllables_per_word']:.2f} syllables per word)",
                    *span,
                    # weak evidence; stronger the further below the threshold
                    confidence=0.5 if fre > -50 else 0.7,
                    data={"flesch_reading_ease": round(fre, 2)},
                )
            )
        if "RD102" in enabled and wps > self.options.max_words_per_sentence:
            findings.append(
                Finding(
                    "RD102",
                    f"{wps:.0f} words per sentence on average ({m['words']} words, {m['sentences']} sentences): "
                    "sentence punctuation is missing",
                    *span,
                    confidence=0.7,
                    data={"words_per_sentence": round(wps, 2)},
                )
            )
        return Assessment(findings=tuple(findings), metrics=metrics)
