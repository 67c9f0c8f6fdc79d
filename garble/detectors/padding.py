"""Placeholder: the padding detector is being written."""

from __future__ import annotations

from garble.detectors.base import Detector
from garble.types import Assessment


class Padding(Detector):
    family = "padding"
    prefix = "PD"
    rules = ()

    def assess(self, doc, enabled):
        return Assessment()
