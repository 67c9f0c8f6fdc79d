"""Placeholder: the incoherent detector is being written."""

from __future__ import annotations

from garble.detectors.base import Detector
from garble.types import Assessment


class Incoherent(Detector):
    family = "incoherent"
    prefix = "IC"
    rules = ()

    def assess(self, doc, enabled):
        return Assessment()
