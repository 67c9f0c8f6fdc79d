"""``path:line:col: CODE message``, one finding a line (editor problem matchers)."""

from __future__ import annotations

from garble.report import Report
from garble.reporters.base import Reporter, escape_controls


class ConciseReporter(Reporter):
    name = "concise"

    def report(self, report: Report) -> None:
        path = escape_controls(report.path)
        if report.error is not None:
            return  # errors go to stderr, one line each, from the CLI
        for d in report.diagnostics:
            self.out.write(f"{path}:{d.start.line}:{d.start.column}: {d.code} {escape_controls(d.message)}\n")
