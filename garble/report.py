"""The result of checking one document, and its JSON wire form.

The JSON shape is a fixed contract (version 1): later changes may only add
fields. :meth:`Report.to_dict` is the single place that defines it; every
reporter (json, jsonl, sarif, ...) and the library API read the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from garble.types import Finding, Position, Rule, Severity

JSON_VERSION = 1


@dataclass(frozen=True)
class Diagnostic:
    """A finding placed in its document, with its rule and effective severity."""

    finding: Finding
    rule: Rule
    category: str
    severity: Severity
    start: Position
    end: Position

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def message(self) -> str:
        return self.finding.message

    def to_dict(self) -> dict[str, Any]:
        f = self.finding
        return {
            "code": f.code,
            "category": self.category,
            "message": f.message,
            "severity": str(self.severity),
            "confidence": round(float(f.confidence), 4),
            "start": f.start,
            "end": f.end,
            "line": self.start.line,
            "column": self.start.column,
            "end_line": self.end.line,
            "end_column": self.end.column,
            "fix": f.fix.to_dict() if f.fix else None,
            "name": self.rule.name,
            "data": dict(f.data),
        }


@dataclass
class Report:
    """Everything garble found in one document (or why it could not read it)."""

    path: str
    text: str | None = None
    score: float | None = None
    breakdown: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    #: ``error`` says the file has nothing to check (empty, or only whitespace) rather than that it
    #: could not be read: reporters show a note, not an error, and the run does not fail
    nothing_to_check: bool = False
    #: problems that are not findings (a detector that failed, a missing optional dependency)
    notes: list[str] = field(default_factory=list)
    #: identifier carried through from the input (JSON Lines mode)
    id: Any = None
    #: JSON Lines mode: the input file ("-" for stdin) and the line the record is on (``path`` is
    #: ``FILE:LINE``, a name for the record, not a file)
    input_file: str | None = None
    input_line: int | None = None
    #: whether this report fails the run (set by the engine from fail-on / fail-under)
    failed: bool = False
    #: inline suppressions that suppressed nothing (GB003; see garble.suppress)
    unused_suppressions: list[Any] = field(default_factory=list)

    @property
    def findings(self) -> list[Diagnostic]:
        return self.diagnostics

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.id is not None:
            out["id"] = self.id
        if self.error is not None:
            out["error"] = self.error
            if self.nothing_to_check:
                out["nothing_to_check"] = True
            return out
        out["score"] = self.score
        out["breakdown"] = dict(self.breakdown)
        out["metrics"] = dict(self.metrics)
        out["findings"] = [d.to_dict() for d in self.diagnostics]
        if self.suppressed:
            out["suppressed"] = len(self.suppressed)
        if self.unused_suppressions:
            # each: code (GB003), name, message, selector, start/end offsets, line/column of the marker
            out["unused_suppressions"] = [u.to_dict() for u in self.unused_suppressions]
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def document_json(reports: list[Report]) -> dict[str, Any]:
    """The whole ``--format json`` document."""
    return {"version": JSON_VERSION, "files": [r.to_dict() for r in reports]}
