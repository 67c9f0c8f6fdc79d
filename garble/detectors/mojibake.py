"""Mojibake: text that was decoded with the wrong character encoding.

The classic case is UTF-8 read as Windows-1252 (``Chinaâ€™s`` for ``China’s``,
``cafÃ©`` for ``café``), sometimes twice (``Ã¢â‚¬â„¢``), and the same accident
with other single-byte code pages: Windows-1251 (``РґРѕСЂРѕРіРµ`` for
``дороге``), MacRoman (``√©`` for ``é``), DOS code page 437 (``┬┐`` for ``¿``).
Related damage: C1 control characters (Windows-1252 text read as Latin-1) and
U+FFFD replacement characters (bytes that were lost for good).

How it works, line by line (only ``\\n`` ends a line):

1. ASCII-only lines are skipped (most lines of English text).
2. ftfy decides whether a line contains mojibake and how to undo it
   (``ftfy.fix_encoding_and_explain`` with every cosmetic fix switched off: no
   quote uncurling, ligature or width folding, normalisation, HTML unescaping).
   The fixed line is aligned with the original, anchored on ASCII characters
   (which every supported code page keeps unchanged), so each finding covers
   exactly the damaged characters and its fix is ftfy's own repair.
3. Three cases ftfy leaves alone are added, each narrow:
   a word mixing Latin letters with Cyrillic, box-drawing or math characters
   that decode to a Latin letter (``mГ©dicament``, ``pi√π``, ``┬┐que``);
   mojibake with an HTML entity in it (``10Î&frac14;s``); and dense runs of
   mojibake character pairs that no consistent decoding repairs (MJ104).
4. C1 control characters and U+FFFD runs not already inside a finding.

Everything from ftfy goes through this module only (``BADNESS_RE`` is not
documented API; pyproject pins ``ftfy<7``).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Iterator

from garble.detectors.base import Detector
from garble.document import Document
from garble.types import Assessment, Finding, Fix, Rule, Severity

_RULES = (
    Rule(
        code="MJ101",
        name="c1-control-character",
        summary="C1 control character (U+0080-U+009F): Windows-1252 text decoded as Latin-1.",
        severity=Severity.ERROR,
        weight=1.0,
        fixable="safe",
        doc=(
            "Code points U+0080 to U+009F are control characters with no use in text. They appear when "
            "Windows-1252 text (curly quotes, dashes, the euro sign, ellipses) is decoded as Latin-1 "
            "(ISO-8859-1): the byte 0x93 that meant ‘“’ becomes the invisible control U+0093. They are "
            "invisible in most viewers and break terminals, XML and search indexes. The fix is the "
            "Windows-1252 character for the same byte. Not flagged: C1 characters inside a longer mojibake "
            "sequence (reported once, as MJ102), and a lone U+0081, U+008D, U+008F, U+0090 or U+009D, "
            "which Windows-1252 leaves undefined, so they are no evidence of a mis-decoding (ftfy keeps "
            "them too)."
        ),
        example="He said \x93hello\x94 and left.",
    ),
    Rule(
        code="MJ102",
        name="utf8-misdecoded-sequence",
        summary="UTF-8 bytes decoded with a single-byte code page (Windows-1252, Latin-1, MacRoman, ...).",
        severity=Severity.ERROR,
        weight=1.0,
        fixable="safe",
        doc=(
            "A character stored as UTF-8 takes two to four bytes; a program that reads those bytes as "
            "Windows-1252, Latin-1, Windows-1251, MacRoman or another single-byte code page shows one "
            "wrong character per byte: ‘é’ becomes ‘Ã©’, ‘’’ becomes ‘â€™’, ‘д’ becomes ‘Рґ’ or "
            "‘Ð´’. Done twice it snowballs (‘Ã¢â‚¬â„¢’). The text is unreadable for people and "
            "poisons search, deduplication and language models. Detection and the repair come from ftfy's "
            "encoding fixes (never its cosmetic ones); the span covers only the damaged characters. "
            "Not flagged: real accented text (‘SÃO PAULO’, ‘pâté’, ‘Zoë’, ‘Ça’), currency and "
            "math symbols, Greek, Cyrillic, Vietnamese and other scripts written correctly."
        ),
        example="The cafÃ© opens at nine.",
    ),
    Rule(
        code="MJ103",
        name="replacement-character",
        summary="U+FFFD replacement characters: bytes that could not be decoded were lost.",
        severity=Severity.WARNING,
        weight=1.0,
        doc=(
            "A decoder that meets bytes that are invalid in the encoding it expects substitutes U+FFFD "
            "(‘�’) for them. The original characters are gone and cannot be recovered from the text; "
            "the source has to be decoded again with the right encoding. One finding per run of "
            "consecutive replacement characters. Not flagged: ‘ï¿½’ (a replacement character that was "
            "itself mis-decoded), which is reported as MJ102."
        ),
        example="The caf\ufffd opens at nine.",
    ),
    Rule(
        code="MJ104",
        name="unrecoverable-mojibake",
        summary="Dense run of mojibake characters that no consistent decoding repairs.",
        severity=Severity.WARNING,
        weight=1.0,
        doc=(
            "Text that went through several wrong decodings, or was truncated or mixed between code pages, "
            "can be beyond repair: it still shows the tell-tale pairs of mojibake (‘Ã¢’, ‘â€’, ‘ãƒ’) "
            "packed together, but no sequence of re-encodings turns it back into sensible text. Flagged "
            "when at least three of ftfy's mojibake patterns sit next to each other and ftfy finds no fix. "
            "Not flagged: a single ambiguous pair in otherwise clean text (real names, leetspeak)."
        ),
        example="ã†â€™ãƒâ€ ã¢â‚¬â„¢ãƒæ’ã‚â¢ãƒâ¢ã¢â‚¬å¡ã‚â¬ãƒâ€šã‚â",
    ),
)


@dataclass(frozen=True)
class MojibakeOptions:
    #: attach ftfy's repair as a safe fix to MJ101/MJ102 findings
    suggest_fixes: bool = True


# Readable names of ftfy's single-byte codecs (ftfy.chardata.CHARMAP_ENCODINGS).
_CODEC_NAMES = {
    "latin-1": "Latin-1 (ISO-8859-1)",
    "sloppy-windows-1252": "Windows-1252",
    "windows-1252": "Windows-1252",
    "sloppy-windows-1251": "Windows-1251 (Cyrillic)",
    "sloppy-windows-1250": "Windows-1250 (Central European)",
    "sloppy-windows-1253": "Windows-1253 (Greek)",
    "sloppy-windows-1254": "Windows-1254 (Turkish)",
    "sloppy-windows-1257": "Windows-1257 (Baltic)",
    "iso-8859-2": "ISO-8859-2 (Latin-2)",
    "macroman": "MacRoman",
    "cp437": "DOS code page 437",
}

_C1_RE = re.compile("[\x80-\x9f]")
# The five C1 code points Windows-1252 leaves undefined: on their own they are
# no evidence of a Windows-1252/Latin-1 mix-up (ftfy's negative test
# "synthetic:11" keeps a lone U+0081 as intentional), so MJ101 skips them.
_C1_UNDEFINED_IN_1252 = frozenset("\x81\x8d\x8f\x90\x9d")
# Windows-1252 punctuation that C1 controls almost always stand for (quotes,
# dashes, ellipsis, bullet, euro, trade mark): a safe fix. The other C1
# mappings (``ƒ``, ``Š``, ``‰`` ...) turned up as stray bytes in Romanian text
# of the MLQE-PE corpus, so their fix is offered as unsafe.
_C1_SAFE_1252 = frozenset("‚„…‘’“”•–—€™")
_FFFD_RE = re.compile("\ufffd+")
# A run of non-ASCII, non-space characters touching an ASCII letter: where a
# mis-decoded letter sits inside an otherwise ASCII word (``mГ©dicament``).
_IN_WORD_RUN_RE = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f\s]+|[^\x00-\x7f\s]+(?=[A-Za-z])")
# How many ASCII characters after a region must agree to end it.
_SYNC_CHARS = 16
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Longest in-word run tried (four mis-decoded 3-byte characters would be 12)
# and how far either side the word around it is looked for.
_IN_WORD_MAX_RUN = 12
_TOKEN_WINDOW = 40
# A run mixing non-ASCII characters and HTML entities, e.g. ``Î&frac14;``
# (UTF-8 ``μ`` read as Latin-1, then the second byte HTML-escaped).
_ENTITY_RUN_RE = re.compile(r"(?:[^\x00-\x7f\s]|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});){2,}")
# ``â€`` (UTF-8 E2 80 read as Windows-1252) not followed by a character that
# Windows-1252 gives to a byte 0x80-0xBF, so the sequence lost its last byte.
_CONT_1252 = bytes(range(0x80, 0xC0)).decode("windows-1252", errors="ignore") + "\x81\x8d\x8f\x90\x9d"
_TRUNCATED_RE = re.compile("â€(?![" + re.escape(_CONT_1252) + "])")
# MJ104: ftfy BADNESS_RE matches closer than this many characters form one
# cluster; a cluster of at least _GARBLE_MIN_MATCHES matches is a garble. On
# ftfy's cases, the hopeless garble "in-the-wild:38" has 19 adjacent matches,
# while every negative has at most one match per word (Indonesian leetspeak
# "negative:28" has 3, far apart); clean Wikipedia has at most 1 per paragraph.
_GARBLE_GAP = 2
_GARBLE_MIN_MATCHES = 3
# Debris of repeated encoding whose continuation bytes were lost: "ÃÂÃÂÃÂ"
# (ftfy's notes/mysteries.txt, "TadeÃÂÃÂ...¡"). No language writes Ã then Â
# or ƒ, and ftfy's badness patterns do not cover the pair, so three in a row
# count as one more MJ104 cluster.
_DEBRIS_RE = re.compile("(?:Ã[Âƒ\x82\x83]){3,}")


@cache
def _ftfy() -> Any:
    """Import ftfy on first use (keeps garble's start-up fast) and build the config."""
    import ftfy
    import ftfy.badness
    import ftfy.chardata
    import ftfy.fixes

    # Only the encoding fixes: decoding with the right codec, restoring a lost
    # 0xA0 byte, marking lost bytes, fixing embedded UTF-8 and C1 controls.
    # Everything cosmetic (quote uncurling, ligatures, full-width characters,
    # Unicode normalisation, HTML unescaping, line breaks, controls) stays off.
    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=True,
    )
    return ftfy, config


@cache
def _single_byte_chars() -> frozenset[str]:
    """Every character ftfy's single-byte codecs give to a byte 0x80-0xFF (a run of
    anything else, e.g. CJK, cannot be re-encoded to UTF-8 bytes)."""
    ftfy, _config = _ftfy()
    chars: set[str] = set()
    for codec in ftfy.chardata.CHARMAP_ENCODINGS:
        chars.update(bytes(range(0x80, 0x100)).decode(codec, errors="ignore"))
    return frozenset(chars)


def _show(s: str) -> str:
    """Quote a span for a message, with invisible characters written as escapes."""
    out = []
    for c in s:
        cat = unicodedata.category(c)
        if c == " " or not (cat[0] in "CZ"):
            out.append(c)
        elif ord(c) <= 0xFF:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(f"\\u{ord(c):04x}")
    return "‘" + "".join(out) + "’"


def _char_name(c: str) -> str:
    return unicodedata.name(c, f"U+{ord(c):04X}").lower()


def _align(orig: str, fixed: str, verify: Callable[[str], str] | None = None) -> list[tuple[int, int, str]]:
    """Changed regions ``(start, end, replacement)`` between a line and its repair.

    ASCII characters survive every supported re-decoding unchanged, so they
    anchor the alignment, in one linear pass: a region is a run of non-ASCII
    characters on both sides, plus the few ASCII characters a repair can
    consume (a space that was a no-break space byte, a ``?`` or U+001A that
    stood for a lost byte). A region ends where the ASCII text that follows
    is the same on both sides. So a curly quote inside ``Ã¢â‚¬Å“`` never
    matches the ``“`` of the repair.

    Common prefixes and suffixes (a correct ``–`` next to a repaired ``Ã©``)
    are trimmed off each region when ``verify`` (a repair function) confirms
    that the trimmed region alone repairs to the trimmed replacement.
    """
    n, m = len(orig), len(fixed)

    def ascii_ahead(s: str, k: int) -> str:
        end = k
        while end < len(s) and end - k < _SYNC_CHARS and s[end] < "\x80":
            end += 1
        return s[k:end]

    regions: list[tuple[int, int, int, int]] = []
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and orig[i] == fixed[j] and orig[i] < "\x80":
            i, j = i + 1, j + 1
            continue
        i0, j0 = i, j
        while True:
            while i < n and orig[i] >= "\x80":
                i += 1
            while j < m and fixed[j] >= "\x80":
                j += 1
            if ascii_ahead(orig, i) == ascii_ahead(fixed, j):
                break
            if i < n and orig[i] in " ?\x1a":
                i += 1  # consumed by the repair
            elif j < m and fixed[j] < "\x80" and (i >= n or fixed[j] != orig[i]):
                j += 1  # produced by the repair (U+0000 from C0 80)
            elif i < n and j < m:
                i, j = i + 1, j + 1  # cannot happen with ftfy's repairs; keep going
            else:
                i, j = n, m
                break
        if (i, j) == (i0, j0):  # no progress is impossible here, but never loop forever
            i, j = i + 1, j + 1
        regions.append((i0, min(i, n), j0, min(j, m)))
    out = []
    for i1, i2, j1, j2 in regions:
        t1, t2, u1, u2 = i1, i2, j1, j2
        while t1 < t2 and u1 < u2 and orig[t1] == fixed[u1]:
            t1, u1 = t1 + 1, u1 + 1
        while t1 < t2 and u1 < u2 and orig[t2 - 1] == fixed[u2 - 1]:
            t2, u2 = t2 - 1, u2 - 1
        if t1 == t2:
            continue  # only correct characters in this region
        if (t1, t2) != (i1, i2) and verify is not None and verify(orig[t1:t2]) != fixed[u1:u2]:
            # The trimmed character was part of the mojibake (the ``“`` that
            # ends ``Ã¢â‚¬Å“``, the no-break space after ``Â``): keep it.
            t1, t2, u1, u2 = i1, i2, j1, j2
        out.append((t1, t2, fixed[u1:u2]))
    return out


class _Taken:
    """Spans already reported on a line (disjoint), with O(log n) overlap tests."""

    __slots__ = ("starts", "ends")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free(self, i: int, j: int) -> bool:
        k = bisect_right(self.starts, i)
        if k and self.ends[k - 1] > i:
            return False
        return k >= len(self.starts) or self.starts[k] >= j

    def add(self, i: int, j: int) -> None:
        k = bisect_right(self.starts, i)
        self.starts.insert(k, i)
        self.ends.insert(k, j)

    def pieces(self, i: int, j: int) -> list[tuple[int, int]]:
        """Parts of ``[i, j)`` not covered by any taken span."""
        out = []
        k = max(bisect_right(self.starts, i) - 1, 0)
        while i < j and k < len(self.starts) and self.starts[k] < j:
            s, e = self.starts[k], self.ends[k]
            if e > i:
                if s > i:
                    out.append((i, s))
                i = max(i, e)
            k += 1
        if i < j:
            out.append((i, j))
        return out


def _is_c1_repair(orig: str, repl: str) -> bool:
    """True when a region is only C1 controls re-read as Windows-1252."""
    if not all("\x80" <= c <= "\x9f" for c in orig):
        return False
    try:
        return orig.encode("latin-1").decode("windows-1252") == repl
    except UnicodeDecodeError:
        return False


def _plan_of(region: str, repl: str, line_plan: list) -> list[tuple[str, str]]:
    """ftfy's plan for one region on its own, or the line's plan when context mattered."""
    ftfy, config = _ftfy()
    fixed, plan = ftfy.fix_encoding_and_explain(region, config)
    if fixed == repl and plan:
        return [tuple(step) for step in plan]
    return [tuple(step) for step in line_plan]


def _describe_plan(plan: list[tuple[str, str]]) -> tuple[str | None, int]:
    """(first wrong codec, number of UTF-8 decodings) of an ftfy plan."""
    codecs = [p for a, p in plan if a == "encode"]
    rounds = sum(1 for a, p in plan if a == "decode" and p.startswith("utf-8"))
    return (codecs[0] if codecs else None), rounds


def _mj102_message(orig: str, repl: str, codec: str | None, rounds: int) -> str:
    name = _CODEC_NAMES.get(codec or "", codec)
    if codec == "latin-1" and not _C1_RE.search(orig):
        name = "Windows-1252 or Latin-1"  # the two agree on every character shown
    how = f"decoded as {name}" if codec else "decoded with the wrong code page"
    if rounds >= 2:
        how += " " + ("twice" if rounds == 2 else f"{rounds} times")
    if len(repl) == 1 and repl != "\ufffd":
        what = f"the UTF-8 encoding of {_show(repl)} ({_char_name(repl)}) {how}"
    elif not repl:
        what = f"UTF-8 bytes {how} around a character that survived"
    else:
        what = f"UTF-8 text {how}"
    if "\ufffd" in repl:
        return f"{_show(orig)} is {what}, with some bytes lost; it should read {_show(repl)} at best"
    if not repl:
        return f"{_show(orig)} is debris of {what}; it should be removed"
    return f"{_show(orig)} is {what}; it should read {_show(repl)}"


def _is_foreign(c: str) -> bool:
    """A character that does not belong inside a Latin-script word.

    Letters of other scripts (Cyrillic ``Г``, Greek ``π``), box drawing
    (``┬┐``) and math symbols (``√``): what Windows-1251, code page 437 and
    MacRoman turn UTF-8 lead bytes into. Latin letters, punctuation and
    currency are left to ftfy's tuned heuristics.
    """
    cat = unicodedata.category(c)
    if cat.startswith("L"):
        return not unicodedata.name(c, "").startswith("LATIN")
    return cat in ("Sm", "So") and c not in "©®°™"


def _is_common_latin(c: str) -> bool:
    """A letter of a living Latin-script language (À-ž without × ÷ ĸ ŉ ſ) or ``¿``/``¡``."""
    return c in "¿¡" or ("\u00c0" <= c <= "\u017e" and c not in "×÷ĸŉ")


# Characters that can be part of mojibake. Plain typography (curly quotes, dashes, ellipsis,
# bullets, no-break space, degree, (c) (R) TM, guillemets) never starts a mis-decoding on its
# own: every wrong decoding of UTF-8 also leaves a lead character such as Ã, â, Ð, Р, √ or Γ,
# a C1 control or U+FFFD, none of which is listed here. Lines with nothing else are skipped
# without importing ftfy (~0.1 s of a pre-commit hook's cold start on ordinary prose).
_SUSPECT_RE = re.compile(
    "[^\x00-\x7f\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u2022\u00a0\u00b7\u00b0\u00a9\u00ae\u2122\u00ab\u00bb]"
)


class Mojibake(Detector):
    """Character-level signs that text was decoded with the wrong codec."""

    family = "mojibake"
    prefix = "MJ"
    rules = _RULES
    requires = ()  # ftfy is a core dependency
    Options = MojibakeOptions
    # 2 findings per 1,000 characters (one mis-decoded apostrophe in a short
    # news paragraph) already halves the family score: mojibake is rare in
    # clean text (0 of 18,148 Wikipedia paragraphs) and always real damage.
    half_point = 2.0
    weight = 1.0

    def assess(self, doc: Document, enabled: frozenset[str]) -> Assessment:
        text = doc.text
        if not enabled or not _SUSPECT_RE.search(text):
            return Assessment(metrics={"mojibake_chars": 0})
        findings: list[Finding] = []
        for start, end in doc.lines:
            line = text[start:end]
            if not _SUSPECT_RE.search(line):
                continue
            findings.extend(self._line(line, start, enabled))
        # the engine drops findings inside code (inline code, code blocks ...): leave them out
        # here too, so that mojibake_chars counts exactly the characters of the findings reported
        findings = [f for f in findings if not doc.in_code_span(f.start, f.end)]
        findings.sort(key=lambda f: (f.start, f.end, f.code))
        damaged = sum(f.end - f.start for f in findings)
        return Assessment(findings=tuple(findings), metrics={"mojibake_chars": damaged})

    # -- one line ---------------------------------------------------------

    def _fix(self, repl: str | None, title: str) -> Fix | None:
        if repl is None or not self.options.suggest_fixes:
            return None
        ftfy, _config = _ftfy()
        if ftfy.badness.is_bad(repl):
            # ftfy's repair still looks like mojibake (two layers mixed up,
            # ftfy's "known-failures:1"): offer it, but not as a safe fix
            return Fix(repl, safe=False, title="partial repair: " + title)
        return Fix(repl, safe=True, title=title)

    def _line(self, line: str, base: int, enabled: frozenset[str]) -> Iterator[Finding]:
        ftfy, config = _ftfy()
        taken = _Taken()  # spans already reported, line-relative
        free = taken.free

        bad = ftfy.badness.is_bad(line)
        fixed_line = line
        plan: list = []
        if bad or _C1_RE.search(line):
            fixed_line, plan = ftfy.fix_encoding_and_explain(line, config)
            plan = plan or []
        if fixed_line != line:
            for i, j, repl in _align(line, fixed_line, self._repair):
                orig = line[i:j]
                if _is_c1_repair(orig, repl):
                    if orig in _C1_UNDEFINED_IN_1252:
                        continue
                    taken.add(i, j)
                    if "MJ101" in enabled:
                        yield self._c1_finding(orig, base + i, base + j)
                    continue
                if self._ambiguous_capital_a(line, i, j, repl):
                    continue
                if orig.endswith("â€ ") and repl.endswith("†"):
                    # ftfy read the space as a lost no-break space (``†``);
                    # far likelier, Windows-1252 dropped the 0x9D of ``”``.
                    # Left to _truncated, which spans ``â€`` only.
                    continue
                taken.add(i, j)
                if "MJ102" not in enabled:
                    continue
                rplan = _plan_of(orig, repl, plan)
                codec, rounds = _describe_plan(rplan)
                # A repair of one or two characters (``Ã`` + a space that was
                # a no-break space) depends on context; longer ones are
                # unambiguous byte patterns.
                conf = 0.95 if j - i >= 2 and repl else 0.8
                yield Finding(
                    "MJ102",
                    _mj102_message(orig, repl, codec, rounds),
                    base + i,
                    base + j,
                    confidence=conf,
                    fix=self._fix(repl, "decode as UTF-8 (ftfy)"),
                    data={"encoding": codec, "rounds": rounds, "plan": [list(p) for p in rplan], "source": "ftfy"},
                )
        # The narrow extra patterns, where ftfy found nothing. A hopeless
        # garble goes first, so that it is reported whole.
        if bad or "Ã" in line:
            yield from self._garble(line, base, enabled, taken)
        yield from self._in_word(line, base, enabled, taken)
        if "&" in line:
            yield from self._entities(line, base, enabled, taken)
        if "â€" in line:
            yield from self._truncated(line, base, enabled, taken)

        if "MJ101" in enabled:
            for m in _C1_RE.finditer(line):
                i = m.start()
                if m.group() in _C1_UNDEFINED_IN_1252 or not free(i, i + 1):
                    continue
                taken.add(i, i + 1)
                yield self._c1_finding(m.group(), base + i, base + i + 1)
        if "MJ103" in enabled and "\ufffd" in line:
            for m in _FFFD_RE.finditer(line):
                if not free(m.start(), m.end()):
                    continue
                n = m.end() - m.start()
                yield Finding(
                    "MJ103",
                    (
                        f"{n} replacement character{'s' if n > 1 else ''} (U+FFFD): "
                        "the original characters were lost when invalid bytes were decoded; "
                        "decode the source again with the right encoding"
                    ),
                    base + m.start(),
                    base + m.end(),
                    confidence=0.9,
                    data={"count": n},
                )

    @staticmethod
    def _repair(s: str) -> str:
        ftfy, config = _ftfy()
        return ftfy.fix_encoding_and_explain(s, config)[0]

    def _c1_finding(self, orig: str, start: int, end: int) -> Finding:
        repl = orig.encode("latin-1").decode("windows-1252", errors="replace")
        bytes_ = " ".join(f"0x{ord(c):02X}" for c in orig)
        fix = self._fix(repl, "decode as Windows-1252")
        if fix is not None and not all(c in _C1_SAFE_1252 for c in repl):
            # a letter or rare sign (``ƒ``, ``Š``, ``‰``) may be a stray byte
            # rather than a Windows-1252 character: offer it, not as safe
            fix = Fix(repl, safe=False, title="decode as Windows-1252 (check the result)")
        return Finding(
            "MJ101",
            (
                f"{_show(orig)} is {'a C1 control character' if len(orig) == 1 else 'C1 control characters'}: "
                f"in Windows-1252 the byte{'s' if len(orig) > 1 else ''} {bytes_} "
                f"{'is' if len(orig) == 1 else 'are'} {_show(repl)}, so this text was decoded as Latin-1 "
                f"instead of Windows-1252; it should read {_show(repl)}"
            ),
            start,
            end,
            confidence=0.95,
            fix=fix,
            data={"encoding": "latin-1", "intended": "windows-1252"},
        )

    @staticmethod
    def _ambiguous_capital_a(line: str, i: int, j: int, repl: str) -> bool:
        """``Â`` before a no-break space at the end of an all-caps word.

        ``Â`` + U+00A0 is the UTF-8 no-break space read as Windows-1252, but
        after capitals it is just as likely a real ``Â`` (romanised Japanese
        ``MISUTÂ AJIKKO``, ftfy's known false positive "known-failures:9").
        Lower-case context (``wordÂ text``) stays flagged.
        """
        return line[i:j] == "Â\xa0" and repl == "\xa0" and i > 0 and line[i - 1].isupper()

    def _in_word(
        self, line: str, base: int, enabled: frozenset[str], taken: _Taken
    ) -> Iterator[Finding]:
        """Cyrillic, box-drawing or math characters inside a Latin word that decode to a Latin letter.

        ftfy leaves ``mГ©dicament`` (Windows-1251), ``pi√π`` (MacRoman) and
        ``┬┐que`` (code page 437) alone (its "known-failures" 4, 6 and 7): the
        characters are common in their own scripts. Inside an ASCII word,
        though, a run that re-encodes to valid UTF-8 for a Latin letter (or
        ``¿``/``¡`` before a word) has no other explanation. Once a codec is
        confirmed this way, the whole line is re-decoded with it (with ftfy's
        no-break-space repair) to find the other damaged characters.
        """
        ftfy, _config = _ftfy()
        for m in _IN_WORD_RUN_RE.finditer(line):
            run = m.group()
            # a mis-decoded letter is 2-4 characters; a few in a row at most
            if len(run) > _IN_WORD_MAX_RUN or not _single_byte_chars().issuperset(run):
                continue
            if not any(_is_foreign(c) for c in run):
                continue
            # The run must sit in a real word: two ASCII letters on one side,
            # and no more foreign characters than ASCII letters in the token.
            # This keeps line art (``├┤a┼┐a┼┐a``, ftfy's "negative:30") out.
            i, j = m.start(), m.end()
            if not (_ASCII_LETTERS.issuperset(line[max(0, i - 2) : i]) and i >= 2) and not (
                _ASCII_LETTERS.issuperset(line[j : j + 2]) and j + 2 <= len(line)
            ):
                continue
            left = line[max(0, i - _TOKEN_WINDOW) : i].split()
            right = line[j : j + _TOKEN_WINDOW].split()
            token = (left[-1] if left and not line[i - 1].isspace() else "") + run + (
                right[0] if right and not line[j].isspace() else ""
            )
            if sum(map(_is_foreign, token)) > sum(c in _ASCII_LETTERS for c in token):
                continue
            for codec in ftfy.chardata.CHARMAP_ENCODINGS:
                try:
                    decoded = run.encode(codec).decode("utf-8")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
                if len(decoded) >= len(run) or not all(_is_common_latin(c) for c in decoded):
                    continue
                regions = [(m.start(), m.end(), decoded)]
                try:
                    whole = ftfy.fixes.restore_byte_a0(line.encode(codec)).decode("utf-8")
                    regions = _align(line, whole) or regions
                except (UnicodeEncodeError, UnicodeDecodeError):
                    pass
                for i, j, repl in regions:
                    if not taken.free(i, j):
                        continue
                    taken.add(i, j)
                    if "MJ102" in enabled:
                        yield Finding(
                            "MJ102",
                            _mj102_message(line[i:j], repl, codec, 1),
                            base + i,
                            base + j,
                            confidence=0.75,
                            fix=self._fix(repl, f"decode as UTF-8 (was read as {_CODEC_NAMES[codec]})"),
                            data={"encoding": codec, "rounds": 1, "plan": [["encode", codec], ["decode", "utf-8"]],
                                  "source": "in-word"},
                        )
                break

    def _entities(
        self, line: str, base: int, enabled: frozenset[str], taken: _Taken
    ) -> Iterator[Finding]:
        """Mojibake whose bytes were partly HTML-escaped: ``10Î&frac14;s`` for ``10μs``."""
        ftfy, config = _ftfy()
        for m in _ENTITY_RUN_RE.finditer(line):
            run = m.group()
            if "&" not in run:
                continue
            unescaped = html.unescape(run)
            if unescaped == run or unescaped.isascii():
                continue
            fixed, plan = ftfy.fix_encoding_and_explain(unescaped, config)
            if fixed == unescaped or not plan or not any(a == "decode" and p.startswith("utf-8") for a, p in plan):
                continue
            i, j = m.start(), m.end()
            if not taken.free(i, j):
                continue
            taken.add(i, j)
            if "MJ102" in enabled:
                codec, rounds = _describe_plan([tuple(p) for p in plan])
                yield Finding(
                    "MJ102",
                    _mj102_message(run, fixed, codec, rounds) + " (part of it was HTML-escaped)",
                    base + i,
                    base + j,
                    confidence=0.85,
                    fix=self._fix(fixed, "unescape and decode as UTF-8"),
                    data={"encoding": codec, "rounds": rounds, "plan": [["unescape", "html"]] + [list(p) for p in plan],
                          "source": "html-entity"},
                )

    def _truncated(
        self, line: str, base: int, enabled: frozenset[str], taken: _Taken
    ) -> Iterator[Finding]:
        """``â€`` with its third byte lost: ``itâ€s``, ``â€œhelloâ€ said``.

        Every UTF-8 punctuation mark from U+2000 to U+203F starts with the
        bytes E2 80 (``â€`` in Windows-1252). The third byte of ``”`` is 0x9D,
        which Windows-1252 leaves undefined, so many converters drop it and
        ``â€`` is left before a space or a letter. ``â€`` followed by anything
        but a Windows-1252 continuation byte is no real word, so it is flagged;
        the fix ``”`` (the usual victim; ``’`` inside a word) is offered as unsafe.
        """
        for m in _TRUNCATED_RE.finditer(line):
            i, j = m.start(), m.end()
            if not taken.free(i, j):
                continue
            taken.add(i, j)
            if "MJ102" in enabled:
                # inside a word (``itâ€s``) the lost mark is usually an apostrophe
                guess = "’" if j < len(line) and line[j].isalpha() and i > 0 and line[i - 1].isalpha() else "”"
                fix = Fix(guess, safe=False, title=f"probably {_char_name(guess)}") if self.options.suggest_fixes else None
                yield Finding(
                    "MJ102",
                    (
                        f"{_show(m.group())} is the start of a UTF-8 punctuation mark decoded as Windows-1252, "
                        f"with its last byte lost; most likely it was {_show(guess)} ({_char_name(guess)})"
                    ),
                    base + i,
                    base + j,
                    confidence=0.85,
                    fix=fix,
                    data={"encoding": "sloppy-windows-1252", "rounds": 1, "plan": [], "source": "truncated"},
                )

    def _garble(
        self, line: str, base: int, enabled: frozenset[str], taken: _Taken
    ) -> Iterator[Finding]:
        """MJ104: clusters of ftfy badness matches that ftfy could not repair."""
        if "MJ104" not in enabled:
            return
        ftfy, _config = _ftfy()
        clusters: list[list[int]] = []  # [start, end, matches]
        for m in ftfy.badness.BADNESS_RE.finditer(line):
            if not taken.free(m.start(), m.end()):
                continue  # already reported (e.g. the part ftfy could repair)
            if clusters and m.start() - clusters[-1][1] <= _GARBLE_GAP:
                clusters[-1][1] = m.end()
                clusters[-1][2] += 1
            else:
                clusters.append([m.start(), m.end(), 1])
        for m in _DEBRIS_RE.finditer(line):
            for i, j in taken.pieces(m.start(), m.end()):
                if j - i >= 6:
                    clusters.append([i, j, (j - i) // 2])
        clusters.sort()
        merged: list[list[int]] = []
        for c in clusters:  # debris runs may touch badness clusters: merge them
            if merged and c[0] <= merged[-1][1] + _GARBLE_GAP:
                merged[-1][1] = max(merged[-1][1], c[1])
                merged[-1][2] += c[2]
            else:
                merged.append(list(c))
        for i, j, n in merged:
            if n < _GARBLE_MIN_MATCHES:
                continue
            # badness matches carry ASCII context characters: trim to the damage
            while i < j and line[i].isascii():
                i += 1
            while j > i and line[j - 1].isascii():
                j -= 1
            if i == j or not taken.free(i, j):
                continue
            taken.add(i, j)
            yield Finding(
                "MJ104",
                (
                    f"{_show(line[i:j]) if j - i <= 40 else _show(line[i:i + 37] + '...')} is mojibake "
                    f"({n} typical mis-decoded character pairs in a row) that no consistent decoding repairs; "
                    "recover the text from its source"
                ),
                base + i,
                base + j,
                confidence=0.7,
                data={"badness": n},
            )
