"""Grammar: spelling, grammar, punctuation and style issues from a LanguageTool server.

Optional and off by default (select it with ``--select GR``). It needs the
``language_tool_python`` package (``pip install "garble[grammar]"``) **and a
LanguageTool server you run yourself**, given as the ``server`` option or the
``GARBLE_LANGUAGETOOL_URL`` environment variable, e.g.::

    docker run -d -p 8010:8010 erikvl87/languagetool
    GARBLE_LANGUAGETOOL_URL=http://localhost:8010 garble check --select GR docs/

garble never downloads or starts LanguageTool itself and never uses the public
LanguageTool API: without a configured server the detector reports nothing.
The text is sent to that server, which is the only network access in garble.

LanguageTool matches are mapped onto four stable codes by LanguageTool's
category and issue type; the LanguageTool rule id is kept in ``data``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from garble.detectors.base import Detector
from garble.document import Document
from garble.types import Assessment, Finding, Fix, Rule, Severity

ENV_VAR = "GARBLE_LANGUAGETOOL_URL"

_RULES = (
    Rule(
        code="GR101",
        name="spelling-error",
        summary="LanguageTool does not know this word (spelling).",
        severity=Severity.INFO,
        weight=0.5,
        fixable="unsafe",
        doc=(
            "LanguageTool's spell checker (category TYPOS, issue type 'misspelling') flags a word it does not "
            "know, with suggestions. Garbled text (OCR errors, words run together, mis-transcribed speech) "
            "produces many; names, jargon and code produce some too, so the weight is low and the suggested "
            "replacement is never applied automatically. Needs a LanguageTool server (see the module doc). "
            "Not flagged: anything inside fenced code blocks."
        ),
        example="The goverment said it wuold act.",
    ),
    Rule(
        code="GR102",
        name="grammar-error",
        summary="LanguageTool grammar rule (agreement, confused words, missing words).",
        severity=Severity.WARNING,
        weight=1.0,
        fixable="unsafe",
        doc=(
            "LanguageTool grammar rules: subject-verb agreement, confused words (their/there), wrong "
            "articles, collocations, and everything not classed as spelling, typography or style. Machine "
            "translation and transcription garble often break grammar. Needs a LanguageTool server. "
            "Not flagged: anything inside fenced code blocks."
        ),
        example="He go to school every days.",
    ),
    Rule(
        code="GR103",
        name="punctuation-or-typography",
        summary="LanguageTool punctuation, typography, casing or whitespace rule.",
        severity=Severity.INFO,
        weight=0.5,
        fixable="unsafe",
        doc=(
            "LanguageTool rules of the PUNCTUATION, TYPOGRAPHY and CASING categories and the 'typographical' "
            "and 'whitespace' issue types: doubled punctuation, a space before a comma, a sentence starting "
            "in lower case. garble's own typography detector covers the common cases offline; this adds "
            "LanguageTool's wider set. Needs a LanguageTool server. Not flagged: fenced code blocks."
        ),
        example="This is it ,and that is all.",
    ),
    Rule(
        code="GR104",
        name="style-issue",
        summary="LanguageTool style rule (wordiness, redundancy, repetition).",
        severity=Severity.INFO,
        weight=0.25,
        fixable="unsafe",
        doc=(
            "LanguageTool style rules (categories STYLE, REDUNDANCY, PLAIN_ENGLISH, REPETITIONS_STYLE and the "
            "'style' issue type): wordy phrases, redundancy, repeated sentence starts. These are matters of "
            "taste rather than damage, so they weigh little in the score. Needs a LanguageTool server. "
            "Not flagged: fenced code blocks."
        ),
        example="In my opinion, I think that this is absolutely essential.",
    ),
    Rule(
        code="GR201",
        name="wrong-indefinite-article",
        summary="'a' before a vowel sound or 'an' before a consonant sound (offline, no server needed).",
        severity=Severity.WARNING,
        weight=1.0,
        fixable="unsafe",
        doc=(
            "Flags 'an' before a word that starts with a consonant sound ('an possibility') and 'a' before a "
            "word that starts with a vowel sound ('a apple'). Transcription and translation slips produce "
            "these, and no spell checker sees them. Works offline, without LanguageTool. Decided from the "
            "spelling with exception lists: silent h (an hour, an honest), 'yoo' and 'w' sounds (a university, "
            "a European, a one-off). Not flagged: acronyms and capitalised words (an FBI agent, a UN report, "
            "pronunciation varies), h-words after 'an' (an historic is accepted usage), 'a' used as a letter "
            "or label (vitamin a, part a), words with digits, fenced code. The fix is unsafe: a rare word's "
            "pronunciation may be an exception the lists miss."
        ),
        example="For the US, it is both a warning and an possibility.",
    ),
)

# GR201: the article and the next lower-case word (letters, apostrophes, inner hyphens).
_ARTICLE_RE = re.compile(r"(?<![\w'’.-])(a|an|A|An)\s+([a-z][a-z'’]*(?:-[a-z]+)*)(?![\w'’@/])(?!\.\w)")
# words after which a lower-case "a" is a label or a letter ("vitamin a", "part a")
_LABEL_WORDS = frozenset(
    "part type vitamin plan grade class section appendix exhibit schedule group item option point hepatitis "
    "size category model letter column row figure table note step phase level tier string variable".split()
)
# a word after which "a"/"an" is not an article but a letter or variable ("A is the set", "a and b")
_NOT_AFTER_ARTICLE = frozenset(
    "is or and of the in was are to on at as by for with if it be a an that this which where when has had were "
    "not nor but un une sich der die das dem den ein eine einer".split()
)
# consonant-letter words that begin with a vowel sound (silent h)
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")
# vowel-letter words that begin with a consonant sound ("yoo", "w")
_YOO_PREFIXES = ("uni", "use", "usa", "usi", "usu", "uti", "ura", "ure", "uri", "uro", "uku", "ufo", "uvu", "ubiq", "unani",
                 "eu", "ewe", "one", "once", "ouija")
# "u" words with a vowel sound: un- (not uni-), up-, ug-, ul-, um-, utt-, ud-
_U_VOWEL_RE = re.compile(r"u(?:n(?!i)|p|g|l|m|tt|d|s(?:her|urp))")

# LanguageTool category ids / issue types -> garble code. Categories come from
# LanguageTool's rule files (org/languagetool/rules/Categories.java); anything
# unknown counts as grammar.
_SPELLING_CATEGORIES = frozenset({"TYPOS"})
_SPELLING_ISSUES = frozenset({"misspelling"})
_TYPO_CATEGORIES = frozenset({"PUNCTUATION", "TYPOGRAPHY", "CASING"})
_TYPO_ISSUES = frozenset({"typographical", "whitespace"})
_STYLE_CATEGORIES = frozenset({"STYLE", "REDUNDANCY", "PLAIN_ENGLISH", "REPETITIONS_STYLE", "REPETITIONS"})
_STYLE_ISSUES = frozenset({"style", "register"})

# Confidence per code: LanguageTool's precision differs by kind of rule. These
# are starting values, not measured on garble's corpora yet: spelling is the
# noisiest (names, jargon), style is taste.
_CONFIDENCE = {"GR101": 0.6, "GR102": 0.7, "GR103": 0.6, "GR104": 0.5}


@dataclass(frozen=True)
class GrammarOptions:
    #: URL of a LanguageTool server (``http://localhost:8010``); None reads $GARBLE_LANGUAGETOOL_URL
    server: str | None = None
    #: LanguageTool language code
    language: str = "en-US"
    #: LanguageTool rule ids never to report (e.g. ["WHITESPACE_RULE"])
    disabled_rules: tuple[str, ...] = ()


def classify(category: str, issue_type: str) -> str:
    """garble code for a LanguageTool match.

    >>> classify("TYPOS", "misspelling"), classify("GRAMMAR", "grammar")
    ('GR101', 'GR102')
    >>> classify("PUNCTUATION", "typographical"), classify("STYLE", "style")
    ('GR103', 'GR104')
    """
    if category in _SPELLING_CATEGORIES or issue_type in _SPELLING_ISSUES:
        return "GR101"
    if category in _TYPO_CATEGORIES or issue_type in _TYPO_ISSUES:
        return "GR103"
    if category in _STYLE_CATEGORIES or issue_type in _STYLE_ISSUES:
        return "GR104"
    return "GR102"


class _Offsets:
    """Convert between code-point offsets (garble) and UTF-16 offsets (LanguageTool is Java)."""

    def __init__(self, text: str) -> None:
        self.identity = all(ord(c) < 0x10000 for c in text)
        if self.identity:
            return
        self.u16_of_cp = []  # u16_of_cp[i] = UTF-16 offset of code point i
        self.cp_of_u16 = []  # cp_of_u16[u] = code point holding UTF-16 unit u
        u = 0
        for i, c in enumerate(text):
            self.u16_of_cp.append(u)
            self.cp_of_u16.append(i)
            u += 1
            if ord(c) >= 0x10000:
                self.cp_of_u16.append(i)
                u += 1
        self.u16_of_cp.append(u)
        self.cp_of_u16.append(len(text))

    def to_u16(self, cp: int) -> int:
        return cp if self.identity else self.u16_of_cp[min(max(cp, 0), len(self.u16_of_cp) - 1)]

    def to_cp(self, u16: int) -> int:
        return u16 if self.identity else self.cp_of_u16[min(max(u16, 0), len(self.cp_of_u16) - 1)]


class Grammar(Detector):
    family = "grammar"
    prefix = "GR"
    rules = _RULES
    # language_tool_python is imported only when a server is configured; GR201 needs nothing
    requires = ()
    install_hint = 'pip install "garble[grammar]" and run a LanguageTool server (set GARBLE_LANGUAGETOOL_URL)'
    Options = GrammarOptions
    # 5 weighted findings per 1,000 characters halve the family score: clean
    # prose still gets the odd spelling/style match from LanguageTool.
    half_point = 5.0
    weight = 0.3
    # on by default: GR201 runs offline; GR101-GR104 send text only to a server you configured
    default_enabled = True

    def __init__(self, options: object | None = None) -> None:
        super().__init__(options)
        self._client: Any = None

    def __getstate__(self) -> dict[str, Any]:
        # the HTTP client is rebuilt on first use after unpickling (multiprocessing)
        state = self.__dict__.copy()
        state["_client"] = None
        return state

    @property
    def server_url(self) -> str | None:
        return self.options.server or os.environ.get(ENV_VAR) or None

    def unavailable(self, code: str) -> str | None:
        if code == "GR201" or self.server_url:
            return None
        return (f"{code} needs a LanguageTool server, and none is configured: set {ENV_VAR} "
                "(e.g. http://localhost:8010) or the server option of [detectors.grammar]")

    def _tool(self) -> Any:
        if self._client is None:
            try:
                import language_tool_python
            except ImportError:
                raise RuntimeError(f"a LanguageTool server is configured but language_tool_python is missing: {self.install_hint}") from None

            # remote_server= makes language_tool_python talk to that URL only:
            # it never downloads or starts a local LanguageTool in this mode.
            # (LanguageToolPublicAPI would send text to languagetool.org: not used.)
            tool = language_tool_python.LanguageTool(self.options.language, remote_server=self.server_url)
            if self.options.disabled_rules:
                tool.disabled_rules = set(self.options.disabled_rules)
            self._client = tool
        return self._client

    def assess(self, doc: Document, enabled: frozenset[str]) -> Assessment:
        offline = tuple(_articles(doc)) if "GR201" in enabled else ()
        lt_codes = enabled - {"GR201"}
        if not self.server_url or not lt_codes or not doc.text.strip():
            return Assessment(findings=offline)
        online = self._languagetool(doc, lt_codes)
        return Assessment(findings=offline + online.findings, metrics=online.metrics)

    def _languagetool(self, doc: Document, enabled: frozenset[str]) -> Assessment:
        text = doc.text
        matches = self._tool().check(text)
        offsets = _Offsets(text)
        findings: list[Finding] = []
        for m in matches:
            code = classify(str(getattr(m, "category", "") or ""), str(getattr(m, "rule_issue_type", "") or ""))
            if code not in enabled:
                continue
            # language_tool_python already converts the start offset to code
            # points; the length is still in UTF-16 units.
            start = min(max(int(m.offset), 0), len(text))
            end = min(max(offsets.to_cp(offsets.to_u16(start) + int(m.error_length)), start), len(text))
            if doc.in_fenced_block(start):
                continue
            replacements = list(m.replacements or [])[:5]
            fix = Fix(replacements[0], safe=False, title="LanguageTool suggestion") if replacements else None
            findings.append(
                Finding(
                    code,
                    f"{m.message} (LanguageTool {m.rule_id})",
                    start,
                    end,
                    confidence=_CONFIDENCE[code],
                    fix=fix,
                    data={
                        "rule_id": m.rule_id,
                        "category": getattr(m, "category", None),
                        "issue_type": getattr(m, "rule_issue_type", None),
                        "replacements": replacements,
                    },
                )
            )
        return Assessment(findings=tuple(findings), metrics={"languagetool_matches": len(matches)})


def _vowel_sound(word: str) -> bool | None:
    """Whether a lower-case word starts with a vowel sound; None when unsure.

    >>> _vowel_sound("apple"), _vowel_sound("university"), _vowel_sound("hour"), _vowel_sound("possibility")
    (True, False, True, False)
    >>> _vowel_sound("unimportant") is None, _vowel_sound("hotel") is None
    (True, True)
    """
    w = word.lower()
    if w.startswith(_SILENT_H):
        return True
    if w[0] in "hx":
        return None  # "an historic" is accepted usage; x is "ex" in acronyms (an xpi file)
    if w[0] not in "aeiou":
        return False
    if w.startswith(("unin", "unim", "unid")):
        return None  # un-informed vs uni-form: spelling cannot tell
    if w.startswith(_YOO_PREFIXES):
        return False
    if w[0] == "u":
        return True if _U_VOWEL_RE.match(w) else None
    return True


def _articles(doc: Document):
    """GR201 findings: 'a'/'an' that does not fit the sound of the next word."""
    text = doc.text
    for m in _ARTICLE_RE.finditer(text):
        art, word = m.group(1), m.group(2)
        if len(word) < 2 or word in _NOT_AFTER_ARTICLE or re.match(r"[a-z]-", word):
            continue  # a letter or variable ("A is", "an s-orbital"), not an article
        before = text[max(0, m.start() - 20) : m.start()].split()
        if art.lower() == "a" and before and before[-1].lower().strip(".,;:") in _LABEL_WORDS:
            continue
        vowel = _vowel_sound(word)
        if vowel is None:
            continue
        if art.lower() == "an" and word[0] == "h" and not word.startswith(_SILENT_H):
            continue
        wrong = (art.lower() == "an" and not vowel) or (art.lower() == "a" and vowel)
        if not wrong or doc.in_fenced_block(m.start()):
            continue
        right = ("an" if vowel else "a")
        right = right.capitalize() if art[0].isupper() else right
        yield Finding(
            "GR201",
            f"'{art} {word}': use '{right}' before '{word}', which starts with a {'vowel' if vowel else 'consonant'} sound",
            m.start(),
            m.end(),
            confidence=0.8,
            fix=Fix(f"{right} {word}", safe=False, title=f"use '{right}'"),
            data={"article": art, "word": word},
        )
