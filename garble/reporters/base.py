"""Reporter protocol and the control-character escaping every reporter uses."""

from __future__ import annotations

import re
from typing import TextIO

from garble.report import Report

# C0 controls except tab, DEL, C1 controls, and characters that reorder or break
# lines on a terminal or in a CI log: line/paragraph separators, bidi controls
# (Trojan-source style reordering), zero-width and BOM characters.
_CONTROL_RE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _visible(ch: str) -> str:
    if ch == "\x1b":
        return "␛"
    o = ord(ch)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def escape_controls(text: str) -> str:
    """Make control and invisible characters visible; never send them raw.

    >>> escape_controls("a\\x1b[31mb\\x85c")
    'a␛[31mb\\\\x85c'
    """
    return _CONTROL_RE.sub(lambda m: _visible(m.group()), text)


def escape_lines(text: str) -> str:
    """:func:`escape_controls` for output of several lines (a diff): the line breaks, LF or
    CRLF, stay; a CR anywhere else, like every other control, is shown.

    >>> escape_lines("-a\\x1b]0;x\\x07\\r\\n+b\\rc\\n")
    '-a␛]0;x\\\\x07\\r\\n+b\\\\x0dc\\n'
    """
    parts = _LINE_END_RE.split(text)
    parts[::2] = map(escape_controls, parts[::2])
    return "".join(parts)


_LINE_END_RE = re.compile(r"(\r?\n)")


class Reporter:
    """Writes reports for one run. ``report`` is called once per document."""

    name = ""

    def __init__(self, out: TextIO, *, color: bool | None = None, quiet: bool = False) -> None:
        self.out = out
        self.color = color
        self.quiet = quiet

    def report(self, report: Report) -> None:
        raise NotImplementedError

    def finish(self, reports_seen: int, failed: int, errors: int) -> None:
        """Called once at the end of a run."""
