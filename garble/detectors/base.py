"""The detector protocol.

A detector is one family of rules (``mojibake``, ``table`` ...). Rules are
data (:class:`garble.types.Rule`); the detector is the code that finds them.
Each detector declares its rules, its options dataclass and its optional
dependencies, and answers :meth:`Detector.assess` for one document (and
:meth:`Detector.assess_many` for several).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Sequence

from garble.document import Document
from garble.types import Assessment, Rule


class LazyRe:
    """A regular expression compiled on first use.

    The big verbose patterns of the padding and typography detectors cost
    ~20 ms each module to compile; runs that never reach them (garble is a
    pre-commit hook, start-up time matters) never pay for them.

    >>> rx = LazyRe(r"b+")
    >>> rx.search("abbc").group()
    'bb'
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        # called only for attributes not set yet: compile, then keep the bound
        # method on the instance so later calls cost a plain attribute lookup
        value = getattr(re.compile(*self._args), name)
        setattr(self, name, value)
        return value


@dataclass(frozen=True)
class NoOptions:
    """For detectors without settings."""


class Detector:
    #: the JSON ``category`` of every finding this detector makes
    family: ClassVar[str] = ""
    #: two upper-case letters every rule code starts with
    prefix: ClassVar[str] = ""
    rules: ClassVar[tuple[Rule, ...]] = ()
    #: importable module names this detector needs beyond garble's core
    requires: ClassVar[tuple[str, ...]] = ()
    #: install hint shown when ``requires`` is missing
    install_hint: ClassVar[str] = ""
    #: frozen dataclass of this detector's settings (config: [detectors.<family>])
    Options: ClassVar[type] = NoOptions
    #: finding density (sum of confidence x rule weight per 1,000 characters)
    #: at which this family's damage score reaches 0.5
    half_point: ClassVar[float] = 1.0
    #: weight of this family in the combined score (noisy-OR)
    weight: ClassVar[float] = 1.0
    #: off unless selected explicitly (slow or needs a server)
    default_enabled: ClassVar[bool] = True

    def __init__(self, options: object | None = None) -> None:
        self.options = options if options is not None else self.Options()

    def assess(self, doc: Document, enabled: frozenset[str]) -> Assessment:
        """Return the findings of the rules in ``enabled`` and any metrics."""
        raise NotImplementedError

    def unavailable(self, code: str) -> str | None:
        """Why rule ``code`` cannot fire as configured (a server not set up), or None;
        ``garble rule`` gives it instead of saying the example does not trigger the rule."""
        return None

    def assess_many(self, docs: Sequence[Document], enabled: frozenset[str]) -> list[Assessment]:
        """:meth:`assess` for several documents; a detector with a per-call cost (a model run)
        overrides this to do the work for all of them at once. Same results as one by one."""
        return [self.assess(doc, enabled) for doc in docs]
