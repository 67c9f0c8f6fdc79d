"""Inline suppressions, tested with the fake detector (FK101 = "BAD", FK102 = "WORSE")."""

from __future__ import annotations

import json

from fakes import registry

from garble.engine import Checker, Settings
from garble.suppress import parse


def check(text, **settings):
    return Checker(Settings(**settings), registry=registry()).check(text, "t.md")


def codes(report):
    return [(d.code, d.start.line) for d in report.diagnostics]


def test_ignore_on_the_line_suppresses_only_that_line_and_code():
    r = check("BAD WORSE <!-- garble: ignore[FK101] -->\nBAD\n")
    assert codes(r) == [("FK102", 1), ("FK101", 2)]
    assert [d.code for d in r.suppressed] == ["FK101"]
    assert r.unused_suppressions == []
    assert r.to_dict()["suppressed"] == 1 and "unused_suppressions" not in r.to_dict()


def test_suppressed_findings_do_not_count_in_the_score():
    plain = check("fine text BAD")
    assert plain.score < 100
    r = check("fine text BAD <!-- garble: ignore[FK101] -->")
    assert r.score == 100.0 and r.breakdown.get("padding", 0) == 0 and not r.failed


def test_selectors_are_prefixes_families_names_and_bare_means_all():
    assert codes(check("BAD WORSE garble: ignore[FK]")) == []
    assert codes(check("BAD WORSE garble: ignore[padding]")) == []  # the fake's family
    assert codes(check("BAD WORSE garble: ignore[worse-word]")) == [("FK101", 1)]
    assert codes(check("BAD WORSE garble: ignore")) == []
    assert codes(check("BAD WORSE .. garble: ignore[ FK101 , FK102 ]")) == []


def test_disable_enable_region():
    text = "BAD\n<!-- garble: disable[FK101] -->\nBAD WORSE\nBAD\n<!-- garble: enable[FK101] -->\nBAD\n"
    r = check(text)
    assert codes(r) == [("FK101", 1), ("FK102", 3), ("FK101", 6)]
    assert len(r.suppressed) == 2 and r.unused_suppressions == []


def test_disable_without_enable_runs_to_end_and_bare_enable_closes_all():
    assert codes(check("garble: disable[FK1]\nBAD\n\nBAD")) == []
    r = check("garble: disable\nBAD WORSE\ngarble: enable\nWORSE")
    assert codes(r) == [("FK102", 4)]


def test_file_wide_forms():
    text = "BAD\nWORSE\nBAD\n<!-- garble: disable-file[FK101] -->\n"
    assert codes(check(text)) == [("FK102", 2)]
    assert codes(check(text.replace("disable-file", "noqa"))) == [("FK102", 2)]


def test_unused_suppressions_are_reported_not_failed():
    r = check("fine\nWORSE <!-- garble: ignore[FK101] -->\ngarble: disable-file[FK102]\n")
    assert codes(r) == []
    [u] = r.unused_suppressions
    assert (u.line, u.column, u.selector) == (2, 12, "FK101")
    assert u.message == "unused suppression 'garble: ignore[FK101]': no FK101 finding on this line"
    entry = r.to_dict()["unused_suppressions"][0]
    assert entry["code"] == "GB003" and entry["name"] == "unused-suppression" and entry["line"] == 2
    assert not r.failed and r.score == 100.0


def test_unknown_selector_and_stray_enable_are_reported():
    r = check("BAD garble: ignore[FK101, NOPE999]\ngarble: enable[FK102]\n")
    reasons = [u.reason for u in r.unused_suppressions]
    assert len(reasons) == 2
    assert reasons[0].startswith("unknown rule, family or code 'NOPE999'")
    assert reasons[1] == "no open 'garble: disable' region for FK102"


def test_markers_for_rules_that_did_not_run_are_not_called_unused():
    r = check("fine garble: ignore[FK102]", select=("FK101",))
    assert r.unused_suppressions == []


def test_markers_in_fenced_code_blocks_are_examples():
    text = "Use it like this:\n\n```\nBAD <!-- garble: disable-file[FK101] -->\n```\nBAD\n"
    r = check(text)
    # the marker in the block suppresses nothing (the finding inside the block is not reported:
    # code is not prose, see Document.code_spans)
    assert [d.start.line for d in r.diagnostics] == [6] and r.unused_suppressions == []
    assert parse(text) == []


def test_markers_in_inline_code_are_examples():
    r = check("Write `garble: ignore[FK101]` after BAD text.\nBAD garble: ignore[FK101]\n")
    assert codes(r) == [("FK101", 1)] and len(r.suppressed) == 1 and r.unused_suppressions == []


def test_no_marker_no_cost():
    r = check("BAD")
    assert r.suppressed == [] and r.unused_suppressions == []


def test_ignoring_gb003_turns_off_unused_reports():
    text = "fine garble: ignore[FK101]"
    assert len(check(text).unused_suppressions) == 1
    assert check(text, ignore=("GB003",)).unused_suppressions == []
    assert check(text, ignore=("gb",)).unused_suppressions == []


def test_cli_reports_unused_suppressions(tmp_path, monkeypatch):
    from clihelp import run

    from garble.registry import default_registry

    default_registry.cache_clear()
    monkeypatch.setattr("garble.engine.default_registry", lambda: registry())
    p = tmp_path / "a.md"
    p.write_text("BAD\nfine <!-- garble: ignore[FK101] -->\n", encoding="utf-8")
    code, out, err = run(["check", str(p), "--format", "concise", "--isolated"])
    assert code == 1 and out == f"{p}:1:1: FK101 found BAD\n"
    assert err == (f"garble: {p}:2:11: GB003 unused suppression 'garble: ignore[FK101]': "
                   "no FK101 finding on this line\n")
    code, out, err = run(["check", str(p), "--format", "json", "--isolated"])
    [entry] = json.loads(out)["files"][0]["unused_suppressions"]
    assert entry["line"] == 2 and entry["code"] == "GB003" and err == ""
    assert run(["check", str(p), "--format", "concise", "--isolated", "--ignore", "GB003"])[2] == ""
    default_registry.cache_clear()
