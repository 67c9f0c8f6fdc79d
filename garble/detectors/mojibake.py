"""Placeholder: the mojibake detector is being written."""

from __future__ import annotations

from garble.detectors.base import Detector
from garble.types import Assessment


class Mojibake(Detector):
    family = "mojibake"
    prefix = "MJ"
    rules = ()

    def assess(self, doc, enabled):
        return Assessment()
