"""Placeholder: the grammar detector is being written."""

from __future__ import annotations

from garble.detectors.base import Detector
from garble.types import Assessment


class Grammar(Detector):
    family = "grammar"
    prefix = "GR"
    rules = ()

    def assess(self, doc, enabled):
        return Assessment()
