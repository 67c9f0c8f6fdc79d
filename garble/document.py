"""The document model: the text as read, with lazily computed shared views.

Views (lines, paragraphs, fenced code blocks) are computed once, on first use,
and only when a detector asks for them. Every view is expressed as
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

    def iter_lines(self) -> Iterator[tuple[int, int, int, str]]:
        """Yield ``(line_number, start, end, line_text)`` for every line."""
        for n, (s, e) in enumerate(self.lines, 1):
            yield n, s, e, self.text[s:e]
