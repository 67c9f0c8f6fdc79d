"""Broken tables: Markdown pipe tables that do not render, or render misaligned,
and tab-separated blocks with ragged rows.

The GitHub Flavored Markdown (GFM) table rules are followed closely because
they decide what a reader actually sees:

* a table is a header row, then a delimiter row (``|---|:--:|``) with the same
  number of cells, then body rows up to the first blank line or the start of
  another block (quote, heading, list, fence, HTML, thematic break);
* a body row with fewer cells is padded, one with more is truncated, so it
  still renders, but its data lands in the wrong column (markdownlint MD056);
* cells are split on every unescaped ``|``, including one inside a code span
  (write ``\\|`` there); a line without any pipe directly after a table is a
  one-cell row of that table.

Not flagged: valid tables (alignment colons, escaped pipes, no outer pipes),
anything inside fenced code blocks, indented code, ASCII-art and box-drawing
grids, and pipe/alignment style (markdownlint MD055/MD060 are style rules, not
damage).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from garble.detectors.base import Detector
from garble.document import Document
from garble.types import Assessment, Finding, Fix, Rule, Severity

# ---------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------

_RULES = (
    Rule(
        code="TB101",
        name="lookalike-separator-row",
        summary="Table separator row drawn with em/en dashes or other look-alikes instead of hyphens.",
        severity=Severity.ERROR,
        weight=2.0,
        fixable="safe",
        doc=(
            "A Markdown table needs a delimiter row made of ASCII hyphens (`|---|---|`). Word processors and "
            "content pipelines often turn `--`/`---` into en/em dashes (–, —), and copy-paste brings in minus "
            "signs (−), box-drawing lines (─) or full-width hyphens (－). No Markdown parser accepts those, so "
            "the whole table is shown as lines of text full of pipes. The fix replaces each look-alike with `-` "
            "(offered as safe only when the header and separator have the same number of cells). Not flagged: "
            "a valid `|:---|---:|` row, box-drawing grids (┌─┬─┐ … │), dashes in ordinary text."
        ),
        example="| Aspect | details |\n|——————|————————|\n| Company | DeepSeek |",
    ),
    Rule(
        code="TB102",
        name="ragged-table-row",
        summary="Table row has more or fewer cells than the header, so its data is misaligned.",
        severity=Severity.WARNING,
        weight=0.5,
        doc=(
            "GFM pads a row that has fewer cells than the header with empty cells and silently drops the extra "
            "cells of a longer row (markdownlint MD056 table-column-count). Either way the data lands in the "
            "wrong column or disappears. Common causes: a lost or extra `|`, an unescaped `|` inside a code "
            "span (write `\\|`), or a line of text written directly under a table without a blank line, which "
            "Markdown renders as a one-cell row. Not flagged: escaped pipes, empty cells (`| |`, `||`), "
            "tables without outer pipes, pipe alignment and spacing style."
        ),
        example="| a | b |\n|---|---|\n| 1 | 2 | 3 |",
    ),
    Rule(
        code="TB103",
        name="wrapped-table-row",
        summary="A table row is broken across two lines.",
        severity=Severity.WARNING,
        weight=0.75,
        fixable="unsafe",
        doc=(
            "A hard line break inside a cell (from text wrapping or copy-paste) splits one row into two short "
            "rows: the first line stops without the closing `|` and the next line carries the rest of the cell. "
            "Markdown renders two misaligned rows. Flagged when a short row without its closing pipe is followed "
            "by a line whose cells make up exactly the missing part. The suggested fix joins the two lines "
            "(unsafe: check the result). Not flagged: two independent short rows whose cells do not add up."
        ),
        example="| Name | Note |\n|---|---|\n| Ada | wrote the first\nprogram |",
    ),
    Rule(
        code="TB104",
        name="missing-separator-row",
        summary="Lines that form a pipe table have no separator row, so no table is rendered.",
        severity=Severity.WARNING,
        weight=1.5,
        fixable="unsafe",
        doc=(
            "Three or more consecutive lines framed by pipes with the same number of cells are clearly meant as "
            "a table, but without a delimiter row (`|---|---|`) under the header Markdown shows them as plain "
            "text. The suggested fix inserts a delimiter row after the first line (unsafe: the first line may not "
            "be a header). Not flagged: one or two such lines (GFM's own 'not enough table' example), Pandoc "
            "line blocks (`| text`), ASCII-art with `+---+` borders or mostly empty cells, box-drawing grids."
        ),
        example="| Name | Year |\n| Ada | 1843 |\n| Alan | 1936 |",
    ),
    Rule(
        code="TB105",
        name="ragged-tsv-row",
        summary="Line in a block of tab-separated rows has a different number of fields.",
        severity=Severity.WARNING,
        weight=0.5,
        doc=(
            "In a block of three or more lines that each contain tabs between fields, a line whose tab count "
            "differs from the block's usual count has lost or gained a field (a wrapped row, a missing value, "
            "a tab turned into spaces). Not flagged: tabs used only for indentation, text aligned with a "
            "varying number of tabs (the same number of tab runs on every line), blocks with no majority "
            "count, fenced code."
        ),
        example="name\tyear\tcity\nAda\t1815\tLondon\nAlan\t1912\nGrace\t1906\tNew York",
    ),
    Rule(
        code="TB106",
        name="separator-column-mismatch",
        summary="Header and separator rows have different numbers of cells, so no table is rendered.",
        severity=Severity.ERROR,
        weight=1.5,
        doc=(
            "GFM only starts a table when the delimiter row has exactly as many cells as the header row "
            "(spec example 203); otherwise both lines and all rows below stay plain paragraph text full of "
            "pipes. Not flagged: a lone `| --- |` line with no header above it."
        ),
        example="| a | b | c |\n| --- | --- |\n| x | y | z |",
    ),
    Rule(
        code="TB107",
        name="flattened-table",
        summary="A whole pipe table is run together on one line.",
        severity=Severity.WARNING,
        weight=1.5,
        fixable="unsafe",
        doc=(
            "When a scraper or editor collapses line breaks, a table's header, separator and rows end up on a "
            "single line (`| a | b | |---|---| | 1 | 2 |`), which Markdown shows as one paragraph of pipes and "
            "dashes. Flagged when a line that is not itself a separator row contains a run of two or more "
            "separator cells after a header cell. The suggested fix puts each row back on its own line when the "
            "cells divide evenly into rows (unsafe: check the result). Not flagged: `|---|` inside code spans, "
            "fenced code."
        ),
        example="Key figures: | Item | Value | |---|---| | Revenue | 4.1 bn | | Staff | 1,200 |",
    ),
    Rule(
        code="TB108",
        name="separator-detached-from-header",
        summary="A blank line separates the table header from its separator row, so no table is rendered.",
        severity=Severity.WARNING,
        weight=1.5,
        doc=(
            "A pipe table must start with the header row directly followed by the delimiter row. Text extracted "
            "with blank lines between all lines (double-spaced scraping) or an edit that inserted a blank line "
            "leaves `| a | b |`, an empty line, then `|---|---|`: Markdown shows both as plain paragraphs. "
            "Flagged when a separator row (hyphens or look-alikes) has a blank line above it and the pipe row "
            "before that blank has the same number of cells. Not flagged: a lone `| --- |` line with no pipe "
            "row above it."
        ),
        example="| Name | Year |\n\n|------|------|\n\n| Ada | 1815 |",
    ),
)

# ---------------------------------------------------------------------------
# Character classes and line patterns
# ---------------------------------------------------------------------------

# Characters that look like a hyphen but are not one. Sources: Unicode
# category Pd (dash punctuation) minus U+002D, the minus sign and
# full-width/small forms; the en and em dash are what
# "smart punctuation" makes of -- and --- (seed 001's separator row).
_LOOKALIKE_DASHES = frozenset(
    "\u2010\u2011\u2012\u2013\u2014\u2015"  # hyphen, nb-hyphen, figure/en/em dash, horizontal bar
    "\u2212\u02d7\u2043"  # minus sign, modifier minus, hyphen bullet
    "\u2e3a\u2e3b\ufe58\ufe63\uff0d"  # two/three-em dash, small em dash, small/full-width hyphen-minus
)
# Box-drawing horizontals (─ ━) are deliberately typed grid art, not a
# damaged "---": they are not treated as look-alikes (the issue asks that
# box-drawing tables stay unflagged).
_DASH_NAMES = {
    "\u2013": "en dashes (–)",
    "\u2014": "em dashes (—)",
    "\u2212": "minus signs (−)",
    "\u2015": "horizontal bars (―)",
    "\uff0d": "full-width hyphens (－)",
}
# Any box-drawing character (U+2500-U+257F) means a drawn grid (┌─┬─┐ │ ├─┼─┤
# or |───|), which is art, not a broken Markdown table.
_BOX_ART_RE = re.compile(r"[\u2500-\u257f]")
# reStructuredText grid tables / ASCII-art boxes: +----+----+ or +====+
_ASCII_BORDER_RE = re.compile(r"^\s*\+[-=+:]*[-=][-=+:]*\+\s*$")
# A rule line of another table format drawn with ASCII only: org-mode
# "|---+---|", grid "+---+", "|===|===|". Its presence marks the block as a
# deliberately drawn text table, not a Markdown table that lost its delimiter.
_DRAWN_RULE_RE = re.compile(r"^[-=+:|_ ]*[-=_]{2}[-=+:|_ ]*$")
# HTML blocks whose content Markdown leaves alone (CommonMark block types 1-2):
# pipes inside <pre>, <script>, <style>, <textarea> or an HTML comment that
# starts a line are not table rows.
_HTML_OPEN_RE = re.compile(r"^ {0,3}(?:<(pre|script|style|textarea)(?:[\s>]|$)|<!--)", re.I)
_HTML_CLOSE = {"pre": "</pre>", "script": "</script>", "style": "</style>", "textarea": "</textarea>"}

# GFM delimiter cell: optional colons around one or more hyphens.
_DELIM_CELL_RE = re.compile(r"^:?-+:?$")
# A cell of a look-alike separator: hyphens/look-alikes with optional colons.
_LOOKALIKE_CELL_RE = re.compile(r"^:?[-" + "".join(sorted(_LOOKALIKE_DASHES)) + r"]+:?$")
# A run of hyphens and look-alikes (the dashes of one separator cell).
_DASH_RUN_RE = re.compile(r"[-" + "".join(sorted(_LOOKALIKE_DASHES)) + r"]+")

# Two or more separator cells in a row inside a line: "|---|:--:|" (ASCII or
# look-alike dashes, 3+ so that "a | -- | b" prose is not taken for one).
_DASHES_CLASS = "-" + "".join(sorted(_LOOKALIKE_DASHES))
_INLINE_DELIM_RE = re.compile(r"\|(?:[ \t]*:?[" + _DASHES_CLASS + r"]{3,}:?[ \t]*\|){2,}")
_CODE_SPAN_RE = re.compile(r"(`+).+?(?<!`)\1(?!`)")

# A kramdown attribute list under a table ("{: .table-striped}"): Jekyll
# sites attach it to the table; it is not a stray row.
_KRAMDOWN_IAL_RE = re.compile(r"^\{:[^}]*\}$")

# A list item marker and the spaces after it (the item's content follows).
_LIST_ITEM_RE = re.compile(r"^(?:[-+*]|\d{1,9}[.)])[ \t]{1,4}(?=\S)")

# CommonMark HTML block type 6 tag names: a line opening with one of these
# starts an HTML block (and so ends a table); other inline tags do not.
_HTML_BLOCK_TAGS = (
    "address article aside base basefont blockquote body caption center col colgroup dd details dialog dir "
    "div dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html "
    "iframe legend li link main menu menuitem nav noframes ol optgroup option p param search section summary "
    "table tbody td tfoot th thead title tr track ul"
).split()

# Blockquote markers at the start of a line ("> ", ">>", "> > ").
_QUOTE_RE = re.compile(r"^(?: {0,3}> ?)+")
# Block starts that end a GFM table (cmark-gfm closes the table when a new
# block opens): ATX heading, fence, thematic break, list item, HTML block.
_BLOCK_START_RE = re.compile(
    r"^ {0,3}(?:"
    r"#{1,6}(?:[ \t]|$)"
    r"|`{3,}|~{3,}"
    r"|(?:[-*_][ \t]*){3,}$"
    r"|[-+*][ \t]"
    r"|\d{1,9}[.)][ \t]"
    r"|<(?:script|pre|style|textarea|!--|\?|![A-Za-z]|!\[CDATA\[)"
    r"|</?(?:" + "|".join(_HTML_BLOCK_TAGS) + r")(?:[ \t>]|/>|$)"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:[ \t][^<>]*)?/?>[ \t]*$"  # type 7: a lone complete tag
    r"|:{3,}"  # container directive fence (markdownlint's micromark directive extension)
    r")",
    re.I,
)


@dataclass(frozen=True)
class _Line:
    """One line with its blockquote prefix removed."""

    number: int  # 0-based index into doc.lines
    start: int  # offset of the line start
    content_start: int  # offset of the first non-blank character after the quote prefix
    content_end: int  # offset after the last non-blank character
    depth: int  # blockquote depth
    indent: int  # columns of indentation after the quote prefix
    text: str  # stripped content (no quote prefix, no outer whitespace)
    fenced: bool

    @property
    def blank(self) -> bool:
        return not self.text


def _split_cells(text: str) -> tuple[list[str], list[tuple[int, int]], bool, bool]:
    """Split a row into cells the way GFM does.

    Returns (cells, cell spans relative to ``text``, had leading pipe, had
    trailing pipe). Every unescaped ``|`` splits, also inside code spans.
    """
    seps = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "|":
            seps.append(i)
        i += 1
    lead = bool(seps) and seps[0] == 0
    trail = bool(seps) and seps[-1] == n - 1 and not (lead and len(seps) == 1 and n == 1)
    bounds = [-1] + seps + [n]
    spans = []
    for a, b in zip(bounds, bounds[1:]):
        spans.append((a + 1, b))
    if lead:
        spans = spans[1:]
    if trail and spans:
        spans = spans[:-1]
    cells = [text[a:b].strip() for a, b in spans]
    return cells, spans, lead, trail


def _has_pipe(text: str) -> bool:
    i = text.find("|")
    while i != -1:
        # count preceding backslashes: an odd number escapes the pipe
        k = i
        while k > 0 and text[k - 1] == "\\":
            k -= 1
        if (i - k) % 2 == 0:
            return True
        i = text.find("|", i + 1)
    return False


def _code_span_pipes(text: str) -> list[str]:
    """Code spans of ``text`` that contain an unescaped pipe (they split cells in GFM)."""
    out = []
    for m in re.finditer(r"(`+)(.+?)(?<!`)\1(?!`)", text):
        body = m.group(2)
        if _has_pipe(body):
            out.append(m.group(0))
    return out


def _is_delimiter(text: str) -> bool:
    if "|" not in text:
        return False
    cells, _, _, _ = _split_cells(text)
    return bool(cells) and all(_DELIM_CELL_RE.match(c) for c in cells)


def _lookalike_kind(text: str) -> str | None:
    """If ``text`` is a separator row drawn with look-alike dashes, name them."""
    if "|" not in text or _BOX_ART_RE.search(text):
        return None
    found = [c for c in text if c in _LOOKALIKE_DASHES]
    if not found:
        return None
    cells, _, _, _ = _split_cells(text)
    if not cells or not all(_LOOKALIKE_CELL_RE.match(c) for c in cells):
        return None
    # name the most frequent look-alike(s)
    counts: dict[str, int] = {}
    for c in found:
        counts[c] = counts.get(c, 0) + 1
    names = []
    for c, _ in sorted(counts.items(), key=lambda kv: -kv[1]):
        name = _DASH_NAMES.get(c, f"U+{ord(c):04X} look-alike dashes ({c})")
        if name not in names:
            names.append(name)
    return " and ".join(names[:2])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Tables(Detector):
    """Pipe-table and TSV structure checks (see the module docstring).

    Confidence values are judgement, not fitted (the labelled data is 27 GFM
    examples and 23 markdownlint MD056 errors, too few to calibrate):
    1.0 for a look-alike separator under a header of the same width (nothing
    else produces that line); 0.85-0.9 for structures GFM certainly rejects
    but whose intent is inferred (TB106 count mismatch, TB107, TB108); 0.8
    for inferred repairs (TB103 wrap, TB104 missing separator, a look-alike
    separator with no header); 0.9 for a ragged row of a rendered table,
    0.7 for a paragraph glued under it (renders as a row, but the author
    likely just forgot the blank line); 0.6-0.75 for ragged rows of tables
    that do not render anyway, and 0.7/0.6 for ragged TSV lines.
    """

    family = "table"
    prefix = "TB"
    rules = _RULES
    # Weights: a table that does not render at all (TB101, TB104, TB106)
    # counts 1.5-2; a misaligned row 0.5, so a table with a few ragged rows
    # costs less than one that is lost. One look-alike separator (weight 2) in
    # a 4,000-character article gives a density of 0.5 per 1,000 characters;
    # with half point 1.0 that is a table damage of 0.33 (seed 001: the
    # category takes ~33 points off).
    half_point = 1.0

    # ------------------------------------------------------------------
    def assess(self, doc: Document, enabled: frozenset[str]) -> Assessment:
        codes = {r.code for r in self.rules} & set(enabled)
        if not codes:
            return Assessment()
        text = doc.text
        if "|" not in text and "\t" not in text:
            return Assessment(metrics={"tables": 0})
        lines = self._lines(doc)
        findings: list[Finding] = []
        used: set[int] = set()  # line numbers that belong to an analysed table
        n_tables = 0

        # 1. GFM tables (header + valid delimiter), and header/delimiter mismatches.
        for i in range(1, len(lines)):
            ln, hd = lines[i], lines[i - 1]
            if ln.fenced or hd.fenced or ln.blank or hd.blank or i in used or (i - 1) in used:
                continue
            if ln.depth != hd.depth or hd.indent >= 4 or not _is_delimiter(ln.text):
                continue
            # A table may open a list item ("- a | b" over "  --|--"): the
            # header is the text after the marker and the table's lines sit at
            # the item's content column.
            head_text, col = hd.text, hd.indent
            li = _LIST_ITEM_RE.match(hd.text)
            if li and not hd.text.startswith("|"):
                head_text, col = hd.text[li.end() :], hd.indent + li.end()
            elif _BLOCK_START_RE.match(hd.text) and not hd.text.startswith("|"):
                continue
            if not (col - 3 <= ln.indent < col + 4) or (li and ln.indent < col):
                continue
            if not _has_pipe(head_text) or _is_delimiter(head_text):
                continue
            h_cells = _split_cells(head_text)[0]
            d_cells = _split_cells(ln.text)[0]
            if len(h_cells) != len(d_cells):
                used.update((i - 1, i))
                if ln.text == "|-":
                    continue  # a MediaWiki row marker from a wikitable snippet
                # html2text renders empty layout tables as "|  |" over
                # "---|---|---": no content, so no table is lost.
                if "TB106" in codes and any(re.search(r"\w", c) for c in h_cells):
                    findings.append(
                        Finding(
                            "TB106",
                            f"separator row has {_plural(len(d_cells), 'cell')} but the header has "
                            f"{len(h_cells)}, so Markdown renders no table; give both the same number of columns",
                            ln.content_start,
                            ln.content_end,
                            confidence=0.9,
                            data={"header_cells": len(h_cells), "separator_cells": len(d_cells)},
                        )
                    )
                continue
            n_tables += 1
            rows = self._gfm_body(lines, i + 1, ln.depth, col, bool(li))
            used.update(range(i - 1, i + 1 + len(rows)))
            findings.extend(self._check_rows(text, head_text, rows, len(h_cells), codes, gfm=True))

        # 2. Look-alike separator rows (tables that never render).
        for i in range(1, len(lines)):
            ln, hd = lines[i], lines[i - 1]
            if i in used or ln.fenced or ln.blank or hd.blank or hd.fenced or ln.depth != hd.depth:
                continue
            kind = _lookalike_kind(ln.text)
            if kind is None or not _has_pipe(hd.text) or _lookalike_kind(hd.text) or _is_delimiter(hd.text):
                continue
            n_tables += 1
            h_cells = _split_cells(hd.text)[0]
            rows = self._pipe_body(lines, i + 1, ln.depth, used, _split_cells(hd.text)[3])
            used.update(range(i - 1, i + 1 + len(rows)))
            if "TB101" in codes:
                findings.append(self._lookalike_finding(text, ln, kind, len(h_cells)))
            findings.extend(self._check_rows(text, hd.text, rows, len(h_cells), codes, gfm=False))
        # ... and look-alike separators whose header line is gone (first line
        # of a block of pipe rows): still a broken table.
        for i in range(len(lines) - 1):
            ln, nx = lines[i], lines[i + 1]
            if i in used or ln.fenced or ln.blank or nx.blank or nx.fenced or ln.depth != nx.depth:
                continue
            kind = _lookalike_kind(ln.text)
            if kind is None or not _has_pipe(nx.text) or _lookalike_kind(nx.text) or _is_delimiter(nx.text):
                continue
            n_tables += 1
            n_sep = len(_split_cells(ln.text)[0])
            rows = self._pipe_body(lines, i + 1, ln.depth, used, _split_cells(ln.text)[3])
            used.update(range(i, i + 1 + len(rows)))
            if "TB101" in codes:
                findings.append(self._lookalike_finding(text, ln, kind, None))
            findings.extend(self._check_rows(text, ln.text, rows, n_sep, codes, gfm=False))

        # ... and separators cut off from their header by blank lines.
        for i in range(2, len(lines)):
            ln = lines[i]
            if i in used or ln.fenced or ln.blank or not lines[i - 1].blank:
                continue
            kind = _lookalike_kind(ln.text)
            if kind is None and not _is_delimiter(ln.text):
                continue
            # nearest non-blank line above, at most 2 blank lines up
            k = i - 1
            while k > 0 and lines[k].blank and i - k <= 2:
                k -= 1
            hd = lines[k]
            if hd.blank or hd.fenced or k in used or hd.depth != ln.depth or not _has_pipe(hd.text):
                continue
            if _is_delimiter(hd.text) or _lookalike_kind(hd.text):
                continue
            n_head, n_sep = len(_split_cells(hd.text)[0]), len(_split_cells(ln.text)[0])
            if n_head != n_sep or not any(re.search(r"\w", c) for c in _split_cells(hd.text)[0]):
                continue
            # and a body row of the same width below (again across <= 2 blank
            # lines): a lone "| --- |" under a pipe line is not enough.
            b = i + 1
            while b < len(lines) and lines[b].blank and b - i <= 3:
                b += 1
            if b >= len(lines) or lines[b].blank or lines[b].fenced or lines[b].depth != ln.depth:
                continue
            if len(_split_cells(lines[b].text)[0]) != n_head or not _has_pipe(lines[b].text):
                continue
            n_tables += 1
            used.update(range(k, i + 1))
            if "TB108" in codes:
                gap = i - k - 1
                findings.append(
                    Finding(
                        "TB108",
                        f"{'a blank line separates' if gap == 1 else f'{gap} blank lines separate'} this separator "
                        "row from the header row above it, so Markdown renders no table; remove the blank "
                        "lines between the table's rows",
                        ln.content_start,
                        ln.content_end,
                        confidence=0.85,
                        data={"blank_lines": gap, "header_cells": n_head},
                    )
                )
            if kind is not None and "TB101" in codes:
                findings.append(self._lookalike_finding(text, ln, kind, n_head))

        # 3. Pipe blocks without any separator row.
        if "TB104" in codes:
            findings.extend(self._missing_separator(text, lines, used))

        # 4. Tables flattened onto one line.
        if "TB107" in codes and ("---" in text or any(c in text for c in _LOOKALIKE_DASHES)):
            findings.extend(self._flattened(text, lines, used))

        # 5. Tab-separated blocks.
        if "TB105" in codes and "\t" in text:
            findings.extend(self._ragged_tsv(doc, lines, used))

        findings.sort(key=lambda f: (f.start, f.end, f.code))
        return Assessment(findings=tuple(findings), metrics={"tables": n_tables})

    # ------------------------------------------------------------------
    @staticmethod
    def _lines(doc: Document) -> list[_Line]:
        text = doc.text
        fenced = doc.fenced_blocks
        out = []
        fi = 0
        html_close = ""  # closing marker of the open raw HTML block / wikitable, if any
        for n, (s, e) in enumerate(doc.lines):
            raw = text[s:e]
            if raw.endswith("\r"):
                raw = raw[:-1]
            while fi < len(fenced) and fenced[fi][1] <= s:
                fi += 1
            in_fence = fi < len(fenced) and fenced[fi][0] <= s < fenced[fi][1]
            if not in_fence:
                if html_close:
                    in_fence = True
                    if html_close == "|}" and raw.lstrip().startswith("|}"):
                        html_close = ""
                    elif html_close != "|}" and html_close in raw.lower():
                        html_close = ""
                elif raw.lstrip().startswith("{|"):
                    # MediaWiki table markup ({| ... |- ... |}) uses pipes
                    # and "|-" rows of its own; it is not a Markdown table.
                    in_fence, html_close = True, "|}"
                else:
                    hm = _HTML_OPEN_RE.match(raw)
                    if hm:
                        close = _HTML_CLOSE[hm.group(1).lower()] if hm.group(1) else "-->"
                        in_fence = True
                        if close not in raw[hm.end():].lower():
                            html_close = close
            m = _QUOTE_RE.match(raw)
            depth = m.group(0).count(">") if m else 0
            off = m.end() if m else 0
            body = raw[off:]
            stripped = body.lstrip(" \t")
            lead = body[: len(body) - len(stripped)]
            indent = sum(4 if c == "\t" else 1 for c in lead)
            content = stripped.rstrip(" \t")
            cs = s + off + len(lead)
            out.append(_Line(n, s, cs, cs + len(content), depth, indent, content, in_fence))
        return out

    @staticmethod
    def _gfm_body(lines: list[_Line], j: int, depth: int, col: int, in_item: bool) -> list[_Line]:
        """Body rows of a GFM table: until a blank line or another block starts
        (an indented code line, or for a table in a list item a line left of
        the item's content column)."""
        rows = []
        while j < len(lines):
            ln = lines[j]
            if ln.blank or ln.fenced or ln.depth != depth or ln.indent >= col + 4 or (in_item and ln.indent < col):
                break
            if _BLOCK_START_RE.match(ln.text) or _KRAMDOWN_IAL_RE.match(ln.text):
                break
            rows.append(ln)
            j += 1
        return rows

    @staticmethod
    def _pipe_body(lines: list[_Line], j: int, depth: int, used: set[int], header_trail: bool) -> list[_Line]:
        """Rows of a table that does not render: consecutive lines with pipes,
        plus a pipe-less line right after a row that lost its closing pipe."""
        rows = []
        while j < len(lines):
            ln = lines[j]
            if ln.blank or ln.fenced or ln.depth != depth or j in used:
                break
            if not _has_pipe(ln.text):
                prev = rows[-1] if rows else None
                if not (header_trail and prev is not None and not _split_cells(prev.text)[3]):
                    break
            rows.append(ln)
            j += 1
        return rows

    # ------------------------------------------------------------------
    def _check_rows(
        self,
        text: str,
        header_text: str,
        rows: list[_Line],
        n_header: int,
        codes: set[str],
        gfm: bool,
    ) -> Iterable[Finding]:
        h_lead, h_trail = _split_cells(header_text)[2:]
        parsed = [_split_cells(r.text) for r in rows]
        counts = [len(p[0]) for p in parsed]
        skip: set[int] = set()
        out: list[Finding] = []
        # TB103: row k (short, or missing the closing pipe the header has)
        # followed by row k+1 whose cells complete it: c_k + c_{k+1} - 1 == H
        # (the cell broken by the newline is counted twice).
        # The table "closes its rows" when the header and at least two thirds
        # of the other piped rows end with a pipe; only then is a missing closing
        # pipe evidence of a break (a table written without closing pipes
        # followed by a glued text line is a TB102 case, not a wrap).
        piped = [k for k, r in enumerate(rows) if _has_pipe(r.text)]
        for k in range(len(rows) - 1):
            if k in skip:
                continue
            ck, cn = counts[k], counts[k + 1]
            if cn >= n_header or ck + cn - 1 != n_header:
                continue
            others = [parsed[j][3] for j in piped if j not in (k, k + 1)]
            closes_rows = h_trail and sum(others) * 3 >= len(others) * 2
            lost_trail = closes_rows and not parsed[k][3]
            both_short = ck < n_header
            if not (lost_trail or both_short):
                continue
            # the continuation must not open like a fresh row when the table's
            # rows open with a pipe
            if h_lead and parsed[k + 1][2]:
                continue
            skip.update((k, k + 1))
            if "TB103" in codes:
                a, b = rows[k], rows[k + 1]
                joined = text[a.content_start : a.content_end] + " " + text[b.content_start : b.content_end]
                out.append(
                    Finding(
                        "TB103",
                        "table row is broken across two lines"
                        + (": the first stops without its closing pipe" if lost_trail else "")
                        + f"; joined, they make one row of the header's {n_header} cells, "
                        f"apart they render as two misaligned rows",
                        a.content_start,
                        b.content_end,
                        confidence=0.8,
                        fix=Fix(joined, safe=False, title="join the broken row"),
                        data={"header_cells": n_header, "cells": [ck, cn]},
                    )
                )
        if "TB102" not in codes:
            return out
        # When most rows agree with each other but not with the header, the
        # header (and separator) is the likelier culprit: say so.
        piped = [counts[k] for k in range(len(rows)) if k not in skip and _has_pipe(rows[k].text)]
        common = max(set(piped), key=piped.count) if piped else n_header
        header_suspect = (
            common != n_header and piped.count(common) >= 2 and piped.count(common) * 3 >= len(piped) * 2
        )
        k = 0
        while k < len(rows):
            row, c = rows[k], counts[k]
            k += 1
            if k - 1 in skip or c == n_header:
                continue
            cells = parsed[k - 1][0]
            if not _has_pipe(row.text):
                if gfm:
                    # Consecutive pipe-less lines (a paragraph glued to the
                    # table) are reported once, at the line that needs the
                    # blank line before it.
                    more = 0
                    while k < len(rows) and k not in skip and not _has_pipe(rows[k].text):
                        more += 1
                        k += 1
                    also = f" (and the {_plural(more, 'line')} after it)" if more else ""
                    msg = (
                        f"this line{also} follows the table without a blank line, so Markdown renders it as "
                        f"1-cell rows of the {n_header}-column table; put a blank line before it"
                        if more
                        else f"this line follows the table without a blank line, so Markdown renders it as a "
                        f"1-cell row of the {n_header}-column table; put a blank line before it"
                    )
                    conf = 0.7
                else:
                    msg = f"row has 1 cell but the header has {n_header}"
                    conf = 0.6
            else:
                msg = f"row has {_plural(c, 'cell')} but the header has {n_header}"
                if c > n_header:
                    extra = [x if len(x) <= 30 else x[:27] + "..." for x in cells[n_header:] if x]
                    shown = ", ".join(f"‘{x}’" for x in extra[:2])
                    if gfm:
                        msg += "; Markdown drops the extra cells" + (f" ({shown})" if shown else "")
                    elif shown:
                        msg += f"; {shown} has no column"
                else:
                    miss = n_header - c
                    if gfm:
                        msg += "; the last cell renders empty" if miss == 1 else f"; the last {miss} cells render empty"
                    else:
                        msg += "; a cell is missing" if miss == 1 else f"; {miss} cells are missing"
                if header_suspect and c == common:
                    msg += (
                        f"; {piped.count(common)} of the {len(piped)} rows have {common}, so the header row "
                        f"probably {'lost a cell' if common > n_header else 'has a cell too many'}"
                    )
                code_pipes = _code_span_pipes(row.text)
                if c > n_header and code_pipes:
                    msg += "; the | inside a code span splits the cell, escape it as \\|"
                conf = 0.9 if gfm else 0.75
            out.append(
                Finding(
                    "TB102",
                    msg,
                    row.content_start,
                    row.content_end,
                    confidence=conf,
                    data={"header_cells": n_header, "cells": c},
                )
            )
        return out

    @staticmethod
    def _lookalike_finding(text: str, ln: _Line, kind: str, n_header: int | None) -> Finding:
        """TB101 for a look-alike separator; ``n_header`` is None when no header line is above it."""
        span = text[ln.content_start : ln.content_end]
        # at least three hyphens a cell: "- | -" would be a bullet list to CommonMark renderers
        fixed = _DASH_RUN_RE.sub(lambda m: "-" * max(3, len(m.group())), span)
        n_sep = len(_split_cells(fixed)[0])
        fix = None
        if _is_delimiter(fixed):
            # Safe only when the hyphenated row completes a real table; without
            # a matching header the repair is right but not sufficient.
            complete = n_sep == n_header
            fix = Fix(fixed, safe=complete, title="draw the separator with hyphens")
        example = "|" + "|".join("---" for _ in range(n_sep)) + "|"
        msg = f"separator row is drawn with {kind} instead of hyphens, so Markdown renders no table; use {example}"
        if n_header is None:
            msg += " and put the header row above it"
            conf = 0.8
        elif n_sep != n_header:
            msg += f" with {n_header} cells like the header"
            conf = 0.85
        else:
            conf = 1.0
        return Finding(
            "TB101",
            msg,
            ln.content_start,
            ln.content_end,
            confidence=conf,
            fix=fix,
            data={"header_cells": n_header, "separator_cells": n_sep},
        )

    # ------------------------------------------------------------------
    @staticmethod
    def _missing_separator(text: str, lines: list[_Line], used: set[int]) -> Iterable[Finding]:
        out = []
        i = 0
        n = len(lines)
        while i < n:
            ln = lines[i]
            if i in used or ln.fenced or ln.blank or not _has_pipe(ln.text):
                i += 1
                continue
            j = i
            while (
                j < n
                and j not in used
                and not lines[j].fenced
                and not lines[j].blank
                and lines[j].depth == ln.depth
                and _has_pipe(lines[j].text)
            ):
                j += 1
            block = lines[i:j]
            i = j
            # 3+ rows: GFM's own example of two pipe lines calls that "not
            # enough table", and two lines are common in prose-like text.
            if len(block) < 3:
                continue
            if any(b.indent >= 4 for b in block):
                continue  # indented code
            # ASCII art / grid tables: bordered by +---+ lines, or box drawing
            before = lines[block[0].number - 1].text if block[0].number > 0 else ""
            after = lines[j].text if j < n else ""
            if _ASCII_BORDER_RE.match(before) or _ASCII_BORDER_RE.match(after):
                continue
            if any(_ASCII_BORDER_RE.match(b.text) or _BOX_ART_RE.search(b.text) for b in block):
                continue
            if any(_lookalike_kind(b.text) or _is_delimiter(b.text) or _DRAWN_RULE_RE.match(b.text) for b in block):
                continue
            parsed = [_split_cells(b.text) for b in block]
            # every line framed by pipes on both sides: that is how pipe
            # tables are written; "a | b" prose lists and Pandoc line blocks
            # ("| text") are not.
            if not all(p[2] and p[3] for p in parsed):
                continue
            counts = [len(p[0]) for p in parsed]
            if min(counts) < 2 or len(set(counts)) != 1:
                continue
            cells = [c for p in parsed for c in p[0]]
            # ASCII art has mostly empty or symbol-only cells; tables have words
            wordy = sum(1 for c in cells if re.search(r"\w", c))
            if wordy < 0.5 * len(cells):
                continue
            head = block[0]
            sep = "|" + "|".join("---" for _ in range(counts[0])) + "|"
            header_text = text[head.content_start : head.content_end]
            out.append(
                Finding(
                    "TB104",
                    f"these {len(block)} lines look like a {counts[0]}-column pipe table but have no "
                    f"separator row under the header, so Markdown renders them as plain text; add {sep}",
                    head.content_start,
                    head.content_end,
                    confidence=0.8,
                    fix=Fix(header_text + "\n" + sep, safe=False, title="add a separator row"),
                    data={"rows": len(block), "cells": counts[0]},
                )
            )
        return out

    # ------------------------------------------------------------------
    @staticmethod
    def _flattened(text: str, lines: list[_Line], used: set[int]) -> Iterable[Finding]:
        out = []
        for k, ln in enumerate(lines):
            if k in used or ln.fenced or ln.blank or ln.text.count("|") < 5:
                continue
            if _is_delimiter(ln.text) or _lookalike_kind(ln.text):
                continue
            # hide code spans (their pipes and dashes are content)
            masked = _CODE_SPAN_RE.sub(lambda m: "x" * len(m.group(0)), ln.text)
            m = _INLINE_DELIM_RE.search(masked)
            if not m:
                continue
            head = masked[: m.start()]
            h_cells = _split_cells(head.rstrip())[0] if _has_pipe(head) else []
            if not any(re.search(r"\w", c) for c in h_cells):
                continue
            n_delim = m.group(0).count("|") - 1
            # The text before the header may be a lead-in ("Key figures: | Item |"):
            # take the last n_delim cells as the header when there are more.
            fix = None
            lead, header = "", h_cells
            if len(h_cells) > n_delim and not head.lstrip().startswith("|"):
                cut = [i for i, ch in enumerate(head) if ch == "|"][len(h_cells) - n_delim - 1]
                lead, header = head[:cut].rstrip(), _split_cells(head[cut:].rstrip())[0]
            rows = Tables._regroup(ln.text[m.end() :], n_delim)
            if len(header) == n_delim and rows is not None:
                sep = "|" + "|".join("---" for _ in range(n_delim)) + "|"
                table = [("| " + " | ".join(r) + " |") for r in [header]] + [sep]
                table += ["| " + " | ".join(r) + " |" for r in rows]
                fix = Fix((lead + "\n\n" if lead else "") + "\n".join(table), safe=False, title="one row per line")
            out.append(
                Finding(
                    "TB107",
                    f"a {n_delim}-column table is run together on one line (its line breaks were lost), so "
                    "Markdown shows it as a paragraph of pipes; put the header, the separator and each row on "
                    "a line of its own",
                    ln.content_start,
                    ln.content_end,
                    confidence=0.85,
                    fix=fix,
                    data={"columns": n_delim, "rows": len(rows) if rows is not None else None},
                )
            )
        return out

    @staticmethod
    def _regroup(rest: str, width: int) -> list[list[str]] | None:
        """Split the part after a flattened separator into rows of ``width`` cells.

        Rows run together as ``| 1 | 2 | | 3 | 4 |``: consecutive rows are
        separated by an empty pseudo-cell. None when the cells do not divide
        evenly (then no fix is offered).
        """
        rest = rest.strip()
        if not rest.startswith("|") or not rest.endswith("|"):
            return None
        parts = [p.strip() for p in re.split(r"(?<!\\)\|", rest)[1:-1]]
        rows = []
        i = 0
        while i < len(parts):
            row = parts[i : i + width]
            if len(row) < width:
                return None
            rows.append(row)
            i += width
            if i < len(parts):
                if parts[i]:
                    return None
                i += 1
        return rows or None

    # ------------------------------------------------------------------
    @staticmethod
    def _ragged_tsv(doc: Document, lines: list[_Line], used: set[int]) -> Iterable[Finding]:
        out = []
        n = len(lines)

        def inner_tabs(ln: _Line) -> tuple[int, int]:
            # tabs after the first non-blank character; trailing tabs count
            # (a trailing tab is an empty last field in TSV)
            s, e = doc.lines[ln.number]
            raw = doc.text[ln.content_start : e].rstrip("\r ")
            runs = len(re.findall(r"\t+", raw))
            return raw.count("\t"), runs

        tabs = [(0, 0) if (k in used or lines[k].fenced or lines[k].blank) else inner_tabs(lines[k]) for k in range(n)]

        def spaced_row(k: int, fields: int) -> bool:
            # A tab-less line between two rows of the same shape whose words or
            # double-space gaps match the field count: its tabs became spaces.
            t = lines[k].text
            return len(t.split()) == fields or len(re.findall(r" {2,}", t)) == fields - 1

        i = 0
        while i < n:
            if tabs[i][0] == 0:
                i += 1
                continue
            j = i
            while j < n:
                if tabs[j][0]:
                    j += 1
                elif (
                    j + 1 < n
                    and j > i
                    and not lines[j].blank
                    and not lines[j].fenced
                    and j not in used
                    and tabs[j + 1][0]
                    and tabs[j - 1][0] == tabs[j + 1][0]
                    and spaced_row(j, tabs[j - 1][0] + 1)
                ):
                    j += 1
                else:
                    break
            block = range(i, j)
            i = j
            raw = [tabs[k][0] for k in block]
            runs = [tabs[k][1] for k in block]
            if sum(1 for c in raw if c) < 3 or len(set(raw)) == 1:
                continue
            # Text aligned with tabs puts a varying number of tabs between the
            # same number of columns: same number of tab runs on each line.
            if len(set(runs)) == 1:
                continue
            mode = max(set(raw), key=raw.count)
            # a clear majority shape is needed to call a line ragged; 60% is
            # the smallest majority that still flags 2 of 5 lines.
            if raw.count(mode) < max(2, 0.6 * len(raw)):
                continue
            for k, c in zip(block, raw):
                if c == mode:
                    continue
                b = lines[k]
                if c == 0:
                    msg = (
                        f"line has no tabs but sits between rows of {mode + 1} tab-separated fields; "
                        "its tabs were probably turned into spaces"
                    )
                else:
                    msg = f"line has {_plural(c + 1, 'tab-separated field')} but the lines around it have {mode + 1}"
                out.append(
                    Finding(
                        "TB105",
                        msg,
                        b.content_start,
                        b.content_end,
                        confidence=0.7 if c else 0.6,
                        data={"fields": c + 1, "expected_fields": mode + 1},
                    )
                )
        return out
