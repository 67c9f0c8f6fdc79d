"""A tiny fake detector family for engine, scoring and CLI tests.

It flags every occurrence of the word ``BAD`` (FK101) and ``WORSE`` (FK102), so
tests control exactly what is found without depending on real heuristics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from garble.detectors.base import Detector
from garble.registry import Registry
from garble.types import Assessment, Finding, Fix, Rule, Severity


@dataclass(frozen=True)
class FakeOptions:
    word: str = "BAD"


class Fake(Detector):
    family = "padding"  # must be one of the JSON categories
    prefix = "FK"
    Options = FakeOptions
    rules = (
        Rule("FK101", "bad-word", "the word BAD", Severity.WARNING, example="a BAD day"),
        Rule("FK102", "worse-word", "the word WORSE", Severity.ERROR, weight=2.0, example="WORSE"),
    )

    def assess(self, doc, enabled):
        out = []
        if "FK101" in enabled:
            for m in re.finditer(re.escape(self.options.word), doc.text):
                out.append(Finding("FK101", f"found {m.group()}", m.start(), m.end(), 0.5, Fix("good", safe=True)))
        if "FK102" in enabled:
            for m in re.finditer("WORSE", doc.text):
                out.append(Finding("FK102", "found WORSE", m.start(), m.end(), 1.0))
        return Assessment(tuple(out), {"fake_count": float(len(out))})


class Broken(Detector):
    family = "table"
    prefix = "BR"
    rules = (Rule("BR101", "always-broken", "raises", Severity.ERROR),)

    def assess(self, doc, enabled):
        raise RuntimeError("boom")


class OptIn(Detector):
    family = "readability"
    prefix = "OP"
    default_enabled = False
    requires = ("module_that_does_not_exist_xyz",)
    install_hint = 'pip install "garble[optin]"'
    rules = (Rule("OP101", "opt-in", "needs a missing module", Severity.INFO),)

    def assess(self, doc, enabled):
        return Assessment()


def registry(*extra) -> Registry:
    return Registry((Fake, *extra))
