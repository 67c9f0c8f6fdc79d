"""Placeholder: the readability detector is being written."""

from __future__ import annotations

from garble.detectors.base import Detector
from garble.types import Assessment


class Readability(Detector):
    family = "readability"
    prefix = "RD"
    rules = ()

    def assess(self, doc, enabled):
        return Assessment()
