"""Run every data-first case file in tests/cases/*.yaml through the public API.

Each case lists the findings it expects (code, optionally the exact text or
offsets); no other finding of that family may appear. ``known-failure`` marks a
case as a strict xfail, so a fixed known failure turns the suite red until the
case is promoted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import garble
from garble.registry import default_registry

CASES_DIR = Path(__file__).parent / "cases"
FAMILIES = {d.family: d for d in default_registry().detectors}


def _load():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        family = data["family"]
        for case in data["cases"]:
            yield family, case


def _params():
    for family, case in _load():
        marks = []
        if case.get("known-failure"):
            marks.append(pytest.mark.xfail(reason=case["known-failure"], strict=True))
        yield pytest.param(family, case, id=f"{family}:{case['id']}", marks=marks)


def _matches(expected: dict, d, text: str) -> bool:
    f = d.finding
    if expected.get("code") and expected["code"] != f.code:
        return False
    if "start" in expected and expected["start"] != f.start:
        return False
    if "end" in expected and expected["end"] != f.end:
        return False
    if "text" in expected and expected["text"] != text[f.start : f.end]:
        return False
    return True


@pytest.mark.parametrize("family,case", list(_params()))
def test_case(family, case):
    det = FAMILIES[family]
    text = case["text"]
    # "markup: markdown|rst" reads the text as that markup (default: plain text)
    settings = garble.Settings(detectors=case.get("options", {}), markup=case.get("markup"))
    report = garble.check(text, select=[det.prefix], settings=settings)
    diags = [d for d in report.findings if d.category == family]
    for d in diags:
        # the position invariant: offsets slice the original text
        assert 0 <= d.finding.start <= d.finding.end <= len(text)

    def show(ds):
        return [(d.code, text[d.finding.start : d.finding.end], d.message) for d in ds]

    remaining = list(diags)
    for exp in case.get("expect") or []:
        hit = next((d for d in remaining if _matches(exp, d, text)), None)
        assert hit is not None, f"expected {exp} not found; got {show(remaining)}"
        remaining.remove(hit)
    assert not remaining, f"unexpected findings: {show(remaining)}"


def test_every_family_has_cases():
    families = {family for family, _ in _load()}
    missing = {d.family for d in default_registry().detectors if d.rules} - families
    assert not missing, f"families without a case file: {missing}"


def test_every_rule_has_a_firing_case():
    fired = {e.get("code") for _, c in _load() if not c.get("known-failure") for e in c.get("expect") or []}
    missing = [r.code for r in default_registry().rules if r.code not in fired]
    assert not missing, f"rules with no positive case: {missing}"


def test_every_family_has_a_clean_case():
    clean = {family for family, c in _load() if not c.get("expect") and not c.get("known-failure")}
    missing = {d.family for d in default_registry().detectors if d.rules} - clean
    assert not missing, f"families without a negative case: {missing}"
