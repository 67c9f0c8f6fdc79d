"""Placeholder: the table detector is being written."""

from __future__ import annotations

from garble.detectors.base import Detector
from garble.types import Assessment


class Tables(Detector):
    family = "table"
    prefix = "TB"
    rules = ()

    def assess(self, doc, enabled):
        return Assessment()
