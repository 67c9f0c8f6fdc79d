"""The detector protocol.

A detector is one family of rules (``mojibake``, ``table`` ...). Rules are
data (:class:`garble.types.Rule`); the detector is the code that finds them.
Each detector declares its rules, its options dataclass and its optional
dependencies, and answers :meth:`Detector.assess` for one document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from garble.document import Document
from garble.types import Assessment, Rule


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
