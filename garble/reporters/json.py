"""``json`` (one document for the run) and ``jsonl`` (one line per document)."""

from __future__ import annotations

import json

from garble.report import JSON_VERSION, Report
from garble.reporters.base import Reporter


class JsonReporter(Reporter):
    """Collects file entries and writes ``{"version": 1, "files": [...]}`` at the end."""

    name = "json"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._files: list[dict] = []

    def report(self, report: Report) -> None:
        self._files.append(report.to_dict())

    def finish(self, reports_seen: int, failed: int, errors: int) -> None:
        json.dump({"version": JSON_VERSION, "files": self._files}, self.out, ensure_ascii=False, indent=1)
        self.out.write("\n")


class JsonlReporter(Reporter):
    """Streams one JSON object per document, so memory stays bounded."""

    name = "jsonl"

    def report(self, report: Report) -> None:
        self.out.write(json.dumps(report.to_dict(), ensure_ascii=False))
        self.out.write("\n")
        self.out.flush()
