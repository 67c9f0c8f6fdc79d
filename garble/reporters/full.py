"""``full``: each finding with its source line, the span highlighted, then a score panel.

Document text is never written raw: control characters and terminal escapes are
made visible *per segment* (before / span / after), so the highlight stays on
the right characters even when escaping changes their width.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape as markup_escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from garble.report import Diagnostic, Report
from garble.reporters.base import Reporter, escape_controls

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
#: characters of context shown on each side of a span on long lines
CONTEXT = 60
#: longest span excerpt shown in full; longer spans are cut in the middle
MAX_SPAN = 160


def _cut_middle(s: str, limit: int) -> str:
    if len(s) <= limit:
        return s
    half = (limit - 1) // 2
    return s[:half] + "…" + s[-half:]


class FullReporter(Reporter):
    name = "full"

    def __init__(self, out, *, color=None, quiet=False) -> None:
        super().__init__(out, color=color, quiet=quiet)
        self.console = Console(
            file=out,
            force_terminal=color,
            # None: rich honours NO_COLOR itself; --color and --no-color override it
            no_color=None if color is None else not color,
            highlight=False,
            soft_wrap=False,
            emoji=False,
        )
        self.total_findings = 0
        self.scores: list[float] = []

    def report(self, report: Report) -> None:
        c = self.console
        path = escape_controls(report.path)
        if report.error is not None:
            return  # the CLI prints unreadable files on stderr, one line each
        self.total_findings += len(report.diagnostics)
        if report.score is not None:
            self.scores.append(report.score)
        if report.diagnostics:
            c.print(Text(path, style="bold underline"))
        for d in report.diagnostics:
            self._finding(report, d)
        self._panel(report, path)

    def _finding(self, report: Report, d: Diagnostic) -> None:
        c = self.console
        sev = str(d.severity)
        head = Text()
        head.append(f"  {d.start.line}:{d.start.column} ", style="dim")
        head.append(d.code, style="bold")
        head.append(f" {sev} ", style=SEVERITY_STYLE.get(sev, ""))
        head.append(escape_controls(d.message))
        head.append(f"  [{d.rule.name}, confidence {d.finding.confidence:.2f}]", style="dim")
        c.print(head)

        text = report.text or ""
        f = d.finding
        # the first line of the span, with context on both sides
        line_start = text.rfind("\n", 0, f.start) + 1
        line_end = text.find("\n", f.start)
        if line_end == -1:
            line_end = len(text)
        span_end = min(f.end, line_end)
        before = text[max(line_start, f.start - CONTEXT) : f.start]
        span = text[f.start : span_end]
        after = text[span_end : min(line_end, span_end + CONTEXT)]
        if f.start - CONTEXT > line_start:
            before = "…" + before
        if span_end + CONTEXT < line_end:
            after = after + "…"
        line = Text()
        line.append(f"  {d.start.line:>5} │ ", style="dim")
        line.append(escape_controls(before.rstrip("\r")))
        shown = escape_controls(_cut_middle(span, MAX_SPAN))
        if not shown and f.end > f.start:
            shown = "⏎"  # the span starts with a line break (blank-line runs)
        line.append(shown or "▏", style="reverse " + SEVERITY_STYLE.get(sev, ""))
        if f.end > span_end and span:
            line.append(" …(continues)", style="dim")
        else:
            line.append(escape_controls(after.rstrip("\r")))
        c.print(line)
        if f.fix is not None:
            rep = escape_controls(_cut_middle(f.fix.replacement, MAX_SPAN)) or "(delete)"
            kind = "safe fix" if f.fix.safe else "unsafe fix"
            c.print(Text(f"        {kind}: {rep}", style="green" if f.fix.safe else "dim green"))

    def _panel(self, report: Report, path: str) -> None:
        if self.quiet and not report.diagnostics:
            return
        c = self.console
        score = report.score if report.score is not None else 100.0
        style = "green" if score >= 90 else "yellow" if score >= 60 else "red"
        table = Table.grid(padding=(0, 1))
        table.add_column()
        table.add_column(justify="right")
        table.add_column()
        for cat, pts in report.breakdown.items():
            if pts <= 0:
                continue
            bar = "█" * max(1, round(pts / 4))
            table.add_row(cat, f"-{pts:.1f}", Text(bar, style="red"))
        if not any(p > 0 for p in report.breakdown.values()):
            table.add_row("nothing found", "", "")
        title = f"{markup_escape(path)}  score [{style}]{score:.1f}[/]/100"
        c.print(Panel(table, title=title, title_align="left", expand=False))
        for note in report.notes:
            c.print(Text(f"  note: {escape_controls(note)}", style="dim"))

    def finish(self, reports_seen: int, failed: int, errors: int) -> None:
        c = self.console
        parts = [f"{reports_seen} document{'s' * (reports_seen != 1)} checked", f"{self.total_findings} finding{'s' * (self.total_findings != 1)}"]
        if self.scores:
            parts.append(f"mean score {sum(self.scores) / len(self.scores):.1f}")
        if failed:
            parts.append(f"{failed} failed")
        if errors:
            parts.append(f"{errors} unreadable")
        c.print(Text("Summary: " + ", ".join(parts), style="bold"))
