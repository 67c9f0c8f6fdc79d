"""Placeholder: the typography detector is being written."""

from __future__ import annotations

from garble.detectors.base import Detector
from garble.types import Assessment


class Typography(Detector):
    family = "typography"
    prefix = "TY"
    rules = ()

    def assess(self, doc, enabled):
        return Assessment()
