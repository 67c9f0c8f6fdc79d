"""Output formats. Each reporter renders the same :class:`~garble.report.Report` data."""

from __future__ import annotations

from typing import Callable

from garble.reporters.base import Reporter


def _full() -> type[Reporter]:
    from garble.reporters.full import FullReporter

    return FullReporter


def _concise() -> type[Reporter]:
    from garble.reporters.concise import ConciseReporter

    return ConciseReporter


def _json() -> type[Reporter]:
    from garble.reporters.json import JsonReporter

    return JsonReporter


def _jsonl() -> type[Reporter]:
    from garble.reporters.json import JsonlReporter

    return JsonlReporter


def _sarif() -> type[Reporter]:
    from garble.reporters.sarif import SarifReporter

    return SarifReporter


def _github() -> type[Reporter]:
    from garble.reporters.github import GithubReporter

    return GithubReporter


#: format name -> loader (imports stay lazy: the full reporter pulls in rich)
BUILTIN: dict[str, Callable[[], type[Reporter]]] = {
    "full": _full,
    "concise": _concise,
    "json": _json,
    "jsonl": _jsonl,
    "sarif": _sarif,
    "github": _github,
}


def reporter_class(name: str) -> type[Reporter]:
    return BUILTIN[name]()
