"""``garble fix``: apply the fixes detectors offer, safely.

* Only fixes marked safe are applied, unless ``unsafe=True``.
* Edits are applied in offset order; an edit that overlaps one already taken
  is skipped (deterministic: earlier start, then shorter span, then code wins).
  The text is checked again and fixed again until nothing applicable is left
  (at most ``MAX_PASSES`` times), so the result is a fixed point: running fix on
  its own output changes nothing.
* Suppressed findings are never fixed.
* Line endings are kept: offsets count ``\\r`` like any character, and in a
  file whose lines all end in CRLF a ``\\n`` inside a replacement becomes CRLF.
* Files are written atomically (a temporary file in the same folder, then
  ``os.replace``) with the original mode, only when the text changed, and only
  if the file on disk is still byte-for-byte what was read.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from typing import Iterable

from garble.report import Diagnostic, Report

#: re-check-and-fix rounds before giving up on reaching a fixed point
MAX_PASSES = 10


class FileChangedError(Exception):
    """The file changed on disk between reading and writing it."""


@dataclass
class FixResult:
    text: str  # the fixed text
    applied: int = 0  # edits applied over all passes
    passes: int = 0
    report: Report | None = None  # the check of the fixed text (what remains)
    titles: list[str] = field(default_factory=list)


def uses_crlf(text: str) -> bool:
    """True when the text has line breaks and every one is CRLF."""
    n = text.count("\n")
    return n > 0 and text.count("\r\n") == n


def fixable(report: Report, unsafe: bool = False) -> list[Diagnostic]:
    return [d for d in report.diagnostics if d.finding.fix is not None and (d.finding.fix.safe or unsafe)]


def _to_crlf(rep: str, before: str) -> str:
    """Each ``\n`` of a replacement becomes CRLF, unless a ``\r`` already precedes it (in the text, too)."""
    out = []
    for ch in rep:
        out.append("\r\n" if ch == "\n" and before != "\r" else ch)
        before = ch
    return "".join(out)


def apply_edits(text: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """Apply the fixes of ``diagnostics`` to ``text``, skipping overlaps; return (text, applied)."""
    crlf = uses_crlf(text)
    chosen: list[Diagnostic] = []
    last_end = -1
    last_insert_at = -1
    for d in sorted(diagnostics, key=lambda d: (d.finding.start, d.finding.end, d.code, d.finding.fix.replacement)):
        f = d.finding
        if f.start < last_end:
            continue  # overlaps an edit already taken
        if f.start == f.end == last_insert_at:
            continue  # two insertions at one point: keep the first
        if text[f.start:f.end] == f.fix.replacement:
            continue  # nothing to change
        chosen.append(d)
        last_end = max(last_end, f.end)
        if f.start == f.end:
            last_insert_at = f.start
    parts: list[str] = []
    pos = 0
    for d in chosen:
        f = d.finding
        rep = f.fix.replacement
        if crlf:
            rep = _to_crlf(rep, text[f.start - 1] if f.start else "")
        parts += [text[pos:f.start], rep]
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts), chosen


def fix_text(text: str, check, unsafe: bool = False) -> FixResult:
    """Fix ``text`` until no applicable fix remains; ``check(text) -> Report``."""
    result = FixResult(text)
    seen = {text}
    for _ in range(MAX_PASSES):
        report = check(result.text)
        result.report = report
        todo = fixable(report, unsafe)
        if not todo:
            break
        new, applied = apply_edits(result.text, todo)
        if not applied or new in seen:  # nothing changes, or the fixes cycle
            break
        seen.add(new)
        result.text = new
        result.applied += len(applied)
        result.passes += 1
        result.titles += [d.finding.fix.title or d.rule.name for d in applied]
    else:
        result.report = check(result.text)
    return result


def _split_lines(text: str) -> list[str]:
    """Lines with their ``\\n`` kept (never str.splitlines: it splits on U+0085 and friends)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def unified_diff(old: str, new: str, path: str) -> str:
    import difflib

    a, b = _split_lines(old), _split_lines(new)
    out = []
    for line in difflib.unified_diff(a, b, f"a/{path}", f"b/{path}"):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


@dataclass(frozen=True)
class Snapshot:
    """What was read from disk, to verify before writing."""

    path: str
    data: bytes
    st: os.stat_result


def read_snapshot(path: str) -> Snapshot:
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        data = fh.read()
    return Snapshot(path, data, st)


def write_atomic(snap: Snapshot, text: str) -> None:
    """Replace the file with ``text`` (UTF-8) atomically, keeping its mode.

    Raises :class:`FileChangedError` if the file is no longer what was read.
    """
    real = os.path.realpath(snap.path)  # write through symlinks, keep the link
    now = os.stat(real)
    with open(real, "rb") as fh:
        current = fh.read()
    if (now.st_size, now.st_mtime_ns, now.st_ino) != (snap.st.st_size, snap.st.st_mtime_ns, snap.st.st_ino) or current != snap.data:
        raise FileChangedError("file changed while garble was fixing it; not written (run fix again)")
    folder = os.path.dirname(real) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(real) + ".", suffix=".garble-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(snap.st.st_mode))
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
