"""The document model: the text as read, with lazily computed shared views.

Views (lines, paragraphs, fenced code blocks, code spans) are computed once, on
first use, and only when a detector asks for them. Every view is expressed as
``(start, end)`` code-point spans into ``text``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator, Mapping

from garble.types import LineIndex

# A fenced code block opens with ``` or ~~~ (3+), optionally indented up to 3
# spaces, and closes with the same character repeated at least as often.
_FENCE_OPEN_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

#: file suffixes read as Markdown / reStructuredText (anything else is plain text)
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdx"})
RST_SUFFIXES = frozenset({".rst", ".rest"})
MARKUPS = ("text", "markdown", "rst")

# Markdown: a list item marker; inline code (a backtick run closed by a run of the same length),
# HTML tags and comments, link targets "](url)", autolinks "<https://...>" and link reference
# definitions "[label]: url".
_MD_LIST_RE = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_BACKTICKS_RE = re.compile(r"`+")
_MD_MARKUP_RE = re.compile(
    r"<!--.*?-->"  # comments (may span lines)
    r"|</?[A-Za-z][\w-]*(?:\s[^<>\n]*)?/?>"  # tags
    r"|<(?:https?|ftp|mailto):[^\s<>]*>"  # autolinks
    r"|\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"\n]*\")?\)"  # link targets ](url "title")
    r"|^ {0,3}\[[^\]\n]+\]:[ \t]+\S[^\n]*$",  # link reference definitions
    re.S | re.M,
)
# reStructuredText: inline literals ``x``, roles :func:`x` and interpreted text `x`, hyperlink targets
# `text <url>`_; a directive whose indented content is code; comments.
_RST_INLINE_RE = re.compile(r"``[^`\n]+``|(?::[\w.+-]+:)?`[^`\n]+`_{0,2}")
_RST_CODE_DIRECTIVE_RE = re.compile(
    r"^(\s*)\.\. +(?:code-block|code|sourcecode|literalinclude|doctest|testcode|testoutput|testsetup|"
    r"ipython|jupyter-execute|highlight|parsed-literal|math|csv-table|list-table|raw|include|image|figure|"
    r"\|[^|]+\| +\w+)::"
)
_RST_COMMENT_RE = re.compile(r"^(\s*)\.\.(?: |$)(?![^:]*::)")


@dataclass(frozen=True)
class Document:
    text: str
    path: str = "<string>"
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def line_index(self) -> LineIndex:
        return LineIndex(self.text)

    @cached_property
    def lines(self) -> tuple[tuple[int, int], ...]:
        """Spans of the lines, ``\\n`` excluded; only ``\\n`` ends a line.

        A trailing ``\\r`` (CRLF files) stays inside the line span.
        """
        spans = []
        start = 0
        text = self.text
        while True:
            i = text.find("\n", start)
            if i == -1:
                spans.append((start, len(text)))
                break
            spans.append((start, i))
            start = i + 1
        return tuple(spans)

    def line_text(self, number: int) -> str:
        """Text of 1-based line ``number`` without its line ending."""
        s, e = self.lines[number - 1]
        return self.text[s:e].rstrip("\r")

    @cached_property
    def paragraphs(self) -> tuple[tuple[int, int], ...]:
        """Spans of blocks of non-blank lines separated by blank lines."""
        out = []
        cur_start = cur_end = None
        for s, e in self.lines:
            if self.text[s:e].strip():
                if cur_start is None:
                    cur_start = s
                cur_end = e
            elif cur_start is not None:
                out.append((cur_start, cur_end))
                cur_start = None
        if cur_start is not None:
            out.append((cur_start, cur_end))
        return tuple(out)

    @cached_property
    def fenced_blocks(self) -> tuple[tuple[int, int], ...]:
        """Spans of Markdown fenced code blocks, fences included.

        An unclosed fence runs to the end of the document, as in CommonMark.
        """
        out = []
        open_at = None
        fence = ""
        for s, e in self.lines:
            line = self.text[s:e]
            m = _FENCE_OPEN_RE.match(line)
            if open_at is None:
                if m and not (m.group(1)[0] == "`" and "`" in line[m.end():]):
                    open_at, fence = s, m.group(1)
            elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line[m.end():].strip():
                out.append((open_at, e))
                open_at = None
        if open_at is not None:
            out.append((open_at, len(self.text)))
        return tuple(out)

    @cached_property
    def _fence_starts(self) -> list[int]:
        return [s for s, _ in self.fenced_blocks]

    def in_fenced_block(self, offset: int) -> bool:
        """Whether ``offset`` lies in a fenced code block (binary search: detectors ask per line)."""
        blocks = self.fenced_blocks
        if not blocks:
            return False
        i = bisect_right(self._fence_starts, offset) - 1
        return i >= 0 and offset < blocks[i][1]

    @cached_property
    def markup(self) -> str:
        """``"markdown"``, ``"rst"`` or ``"text"``: from ``metadata["markup"]`` if given, else from the
        path's suffix (``.md``, ``.rst``, ...). Text from stdin, strings and JSON Lines records is
        plain text unless told otherwise."""
        given = self.metadata.get("markup") if self.metadata else None
        if given:
            if given not in MARKUPS:
                raise ValueError(f"unknown markup {given!r}: use one of {', '.join(MARKUPS)}")
            return str(given)
        dot = self.path.rfind(".")
        suffix = self.path[dot:].lower() if dot > max(self.path.rfind("/"), self.path.rfind("\\")) else ""
        if suffix in MARKDOWN_SUFFIXES:
            return "markdown"
        if suffix in RST_SUFFIXES:
            return "rst"
        return "text"

    @cached_property
    def code_spans(self) -> tuple[tuple[int, int], ...]:
        """Sorted, disjoint spans of text that is code or markup rather than prose: fenced code
        blocks in every document; in Markdown also indented code blocks, inline code, HTML tags and
        comments, link targets and link reference definitions; in reStructuredText literal blocks
        (after ``::``), code directives, comments and inline literals. No rule reports a finding
        that lies inside one (see :meth:`code_span_at`)."""
        spans = list(self.fenced_blocks)
        if self.markup == "markdown":
            spans += self._md_code_blocks()
            spans += self._md_inline(spans)
        elif self.markup == "rst":
            spans += self._rst_blocks()
            spans += [(m.start(), m.end()) for m in _RST_INLINE_RE.finditer(self.text)]
        spans.sort()
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return tuple((s, e) for s, e in merged)

    @cached_property
    def _code_starts(self) -> list[int]:
        return [s for s, _ in self.code_spans]

    def in_code(self, offset: int) -> bool:
        """Whether ``offset`` lies in a code span (see :attr:`code_spans`)."""
        return self.code_span_at(offset) is not None

    def in_code_span(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside one code span: a finding there is not reported
        (the engine drops it; detectors whose metrics count findings use this to agree)."""
        span = self.code_span_at(start)
        return span is not None and end <= span[1]

    def code_span_at(self, offset: int) -> tuple[int, int] | None:
        """The code span that ``offset`` lies in, if any."""
        spans = self.code_spans
        if not spans:
            return None
        i = bisect_right(self._code_starts, offset) - 1
        return spans[i] if i >= 0 and offset < spans[i][1] else None

    def _md_code_blocks(self) -> list[tuple[int, int]]:
        """Indented code blocks: lines indented by 4+ spaces (or a tab) after a blank line, outside
        list items (whose continuation lines are indented too) and fenced blocks."""
        text = self.text
        out = []
        prev_blank = True
        in_list = False
        cur: list[int] | None = None
        for s, e in self.lines:
            line = text[s:e].rstrip("\r")
            blank = not line.strip()
            indented = line.startswith(("    ", "\t"))
            if cur is not None:
                if blank or indented:
                    if not blank:
                        cur[1] = e
                    prev_blank = blank
                    continue
                out.append((cur[0], cur[1]))
                cur = None
            if blank:
                prev_blank = True
                continue
            if self.in_fenced_block(s):
                prev_blank = False
                continue
            if indented and prev_blank and not in_list:
                cur = [s, e]
            elif _MD_LIST_RE.match(line):
                in_list = True
            elif not line.startswith((" ", "\t")) and prev_blank:
                in_list = False  # a paragraph at the margin after a blank line ends the list
            prev_blank = False
        if cur is not None:
            out.append((cur[0], cur[1]))
        return out

    def _md_inline(self, blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Inline code, HTML and link targets outside the code blocks ``blocks``."""
        text = self.text
        starts = sorted(blocks)
        bs = [s for s, _ in starts]

        def in_block(i: int) -> bool:
            k = bisect_right(bs, i) - 1
            return k >= 0 and i < starts[k][1]

        out = []
        if "`" in text:
            # a backtick run opens a code span closed by the next run of the same length in the same
            # paragraph (a blank line ends it); an unclosed run is literal backticks
            runs = [(m.start(), m.end()) for m in _BACKTICKS_RE.finditer(text)]
            i = 0
            while i < len(runs):
                s, e = runs[i]
                if in_block(s):
                    i += 1
                    continue
                n = e - s
                j = i + 1
                while j < len(runs):
                    a, b = runs[j]
                    if text.find("\n\n", e, a) >= 0 or text.find("\n\r\n", e, a) >= 0:
                        j = len(runs)
                        break
                    if b - a == n:
                        break
                    j += 1
                if j < len(runs):
                    out.append((s, runs[j][1]))
                    i = j + 1
                else:
                    i += 1
        if "<" in text or "](" in text or "]:" in text:
            covered = sorted(out)
            cs = [s for s, _ in covered]
            for m in _MD_MARKUP_RE.finditer(text):
                a = m.start()
                k = bisect_right(cs, a) - 1
                if in_block(a) or (k >= 0 and a < covered[k][1]):
                    continue
                out.append((a, m.end()))
        return out

    def _rst_blocks(self) -> list[tuple[int, int]]:
        """Literal blocks (the indented block after a paragraph ending in ``::``), the content of
        code directives (``.. code-block::``) and comments."""
        text = self.text
        out = []
        lines = self.lines
        k = 0
        while k < len(lines):
            s, e = lines[k]
            line = text[s:e].rstrip("\r")
            m = _RST_CODE_DIRECTIVE_RE.match(line) or _RST_COMMENT_RE.match(line)
            literal = line.rstrip().endswith("::") and not m and not line.lstrip().startswith(".. ")
            if not (m or literal):
                k += 1
                continue
            base = len(line) - len(line.lstrip())
            start = s if m else None
            end = e
            j = k + 1
            while j < len(lines):
                a, b = lines[j]
                nxt = text[a:b].rstrip("\r")
                if nxt.strip():
                    if len(nxt) - len(nxt.lstrip()) <= base:
                        break
                    if start is None:
                        start = a
                    end = b
                j += 1
            if start is not None:
                out.append((start, end))
            k = max(j, k + 1)
        return out

    def iter_lines(self) -> Iterator[tuple[int, int, int, str]]:
        """Yield ``(line_number, start, end, line_text)`` for every line."""
        for n, (s, e) in enumerate(self.lines, 1):
            yield n, s, e, self.text[s:e]
