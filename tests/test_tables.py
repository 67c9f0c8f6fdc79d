"""Unit tests for the table detector beyond the data-first cases in cases/table.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import garble
from garble.detectors.tables import Tables, _split_cells
from garble.document import Document

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ALL = frozenset(r.code for r in Tables.rules)


def findings(text: str, enabled: frozenset[str] = ALL):
    return Tables().assess(Document(text), enabled).findings


def test_rule_metadata():
    codes = [r.code for r in Tables.rules]
    assert len(codes) == len(set(codes))
    for rule in Tables.rules:
        assert rule.code.startswith("TB") and len(rule.code) == 5
        assert rule.doc and rule.summary and rule.example
        # every rule's documented example is flagged by that rule
        assert rule.code in {f.code for f in findings(rule.example)}, rule.code


def test_seed_001_separator_annotation_is_found_exactly(seeds_dir):
    text = (seeds_dir / "001_e367b89ec7c8f8b5.txt").read_text(encoding="utf-8")
    anns = [json.loads(line) for line in (seeds_dir / "annotations.jsonl").read_text(encoding="utf-8").splitlines()]
    (ann,) = [a for a in anns if a["category"] == "table"]
    fs = findings(text)
    assert [(f.code, f.start, f.end) for f in fs] == [("TB101", ann["start"], ann["end"])]
    assert text[fs[0].start : fs[0].end] == ann["text"]
    assert "em dashes" in fs[0].message


@pytest.mark.parametrize("name", ["000_78f15ad0406ded43.txt", "002_be07d1e7b3099ef1.txt",
                                  "003_0f7453ac641e1bcb.txt", "004_9838608b756bcc9b.txt"])
def test_seeds_without_table_damage_have_no_findings(seeds_dir, name):
    assert findings((seeds_dir / name).read_text(encoding="utf-8")) == ()


def test_lookalike_fix_makes_a_rendering_table():
    text = "| Aspect | details |\n|————|–––––|\n| Company | DeepSeek |\n| Cost | $5.6 million |\n"
    (f,) = findings(text)
    assert f.code == "TB101" and f.fix is not None and f.fix.safe
    fixed = text[: f.start] + f.fix.replacement + text[f.end :]
    assert fixed.splitlines()[1] == "|----|-----|"
    after = Tables().assess(Document(fixed), ALL)
    assert after.findings == () and after.metrics["tables"] == 1


@pytest.mark.parametrize("row, fixed", [
    ("— | —", "--- | ---"),
    (":— | —:", ":--- | ---:"),
    ("|:–:|————|", "|:---:|----|"),
])
def test_lookalike_fix_draws_at_least_three_hyphens_a_cell(row, fixed):
    text = f"Name | Age\n{row}\nAlan | 41\n"
    (f,) = findings(text)
    assert f.code == "TB101" and f.fix.safe and f.fix.replacement == fixed
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text[: f.start] + f.fix.replacement + text[f.end :])
    assert "<table>" in html and "<li>" not in html


def test_no_safe_fix_when_the_fixed_separator_would_not_match_the_header():
    (f,) = findings("| a | b | c |\n|——|——|\n| 1 | 2 | 3 |\n")
    assert f.code == "TB101" and f.confidence < 1.0
    assert f.fix is not None and not f.fix.safe and f.fix.replacement == "|---|---|"
    assert "with 3 cells like the header" in f.message


def test_lookalike_separator_without_header_line():
    text = "Results\n\n|———|———|\n| Ada | 1815 |\n| Alan | 1912 | London |\n"
    fs = findings(text)
    assert [(f.code, text[f.start : f.end]) for f in fs] == [
        ("TB101", "|———|———|"), ("TB102", "| Alan | 1912 | London |")]
    assert "header row above it" in fs[0].message and not fs[0].fix.safe


def test_spans_are_the_row_text_without_indent_quote_marker_or_cr():
    text = "> | a | b |\r\n> |---|---|\r\n>   | 1 | 2 | 3 |  \r\n"
    (f,) = findings(text)
    assert f.code == "TB102" and text[f.start : f.end] == "| 1 | 2 | 3 |"


def test_only_enabled_rules_are_computed():
    text = (SAMPLES / "table-damaged.md").read_text(encoding="utf-8")
    assert {f.code for f in findings(text, frozenset({"TB102"}))} == {"TB102"}
    assert findings(text, frozenset({"MJ101"})) == ()


def test_wrapped_row_is_one_finding_not_two_ragged_rows():
    text = "| Name | Note |\n|---|---|\n| Ada | wrote the first\nprogram |\n"
    (f,) = findings(text)
    assert f.code == "TB103"
    assert f.fix is not None and not f.fix.safe
    assert f.fix.replacement == "| Ada | wrote the first program |"


def test_missing_separator_fix_inserts_a_delimiter_row():
    text = "| Rank | Team |\n| 1 | Falcons |\n| 2 | Herons |\n"
    (f,) = findings(text)
    assert f.code == "TB104"
    fixed = text[: f.start] + f.fix.replacement + text[f.end :]
    assert findings(fixed) == ()
    assert Tables().assess(Document(fixed), ALL).metrics["tables"] == 1


def test_flattened_table_fix_restores_the_rows():
    text = "Key figures: | Item | Value | |---|---| | Revenue | 4.1 bn | | Staff | 1,200 |\n"
    (f,) = findings(text)
    assert f.code == "TB107" and not f.fix.safe
    fixed = text[: f.start] + f.fix.replacement + text[f.end :]
    assert fixed == "Key figures:\n\n| Item | Value |\n|---|---|\n| Revenue | 4.1 bn |\n| Staff | 1,200 |\n"
    assert findings(fixed) == ()


def test_flattened_table_with_uneven_cells_gets_no_fix():
    (f,) = findings("| a | b | |---|---| | 1 | 2 | 3 |\n")
    assert f.code == "TB107" and f.fix is None


@pytest.mark.parametrize(
    "row,cells",
    [
        ("| a | b |", ["a", "b"]),
        ("a | b", ["a", "b"]),
        ("| a \\| b |", ["a \\| b"]),
        ("| `x|y` | z |", ["`x", "y`", "z"]),  # GFM: an unescaped pipe splits even inside code
        ("| a || c |", ["a", "", "c"]),
        ("|x|", ["x"]),
    ],
)
def test_cells_split_like_gfm(row, cells):
    assert _split_cells(row)[0] == cells


def test_samples_clean_and_damaged():
    for name in ("table-clean.md", "table-clean-tsv.txt"):
        assert findings((SAMPLES / name).read_text(encoding="utf-8")) == (), name
    damaged = findings((SAMPLES / "table-damaged.md").read_text(encoding="utf-8"))
    assert {f.code for f in damaged} == {"TB101", "TB102", "TB103", "TB104", "TB106", "TB107", "TB108"}
    tsv = findings((SAMPLES / "table-damaged-tsv.txt").read_text(encoding="utf-8"))
    assert [f.code for f in tsv] == ["TB105", "TB105"]


def test_engine_reports_table_category_and_lower_score():
    text = (SAMPLES / "table-damaged.md").read_text(encoding="utf-8")
    report = garble.check(text, select=["TB"])
    assert report.findings and all(d.category == "table" for d in report.findings)
    assert report.score < garble.check((SAMPLES / "table-clean.md").read_text(encoding="utf-8"), select=["TB"]).score


CORPORA = ROOT.parent / "shared" / "corpora"


@pytest.mark.skipif(not (CORPORA / "gfm-table-spec").is_dir(), reason="shared corpora not available")
def test_gfm_examples_with_consistent_rows_have_no_findings():
    # Rendered examples whose body rows GFM pads or truncates (checked by hand
    # against the reference HTML): spec 202 ("bar" glued under the table),
    # 204, extensions 8, 9 (escaped pipes leave one cell) and 15.
    ragged = {("test/spec.txt", 202), ("test/spec.txt", 204), ("test/extensions.txt", 8),
              ("test/extensions.txt", 9), ("test/extensions.txt", 15)}
    flagged = set()
    for line in (CORPORA / "gfm-table-spec" / "gfm_table_examples.jsonl").read_text(encoding="utf-8").splitlines():
        ex = json.loads(line)
        key = (ex["source_file"], ex["example_index_in_file"])
        fs = findings(ex["markdown"])
        if not ex["renders_table"]:
            assert [f.code for f in fs] == ["TB106"], key  # header/delimiter count mismatch
            continue
        if fs:
            assert {f.code for f in fs} == {"TB102"}, (key, fs)
            flagged.add(key)
    assert flagged == ragged


@pytest.mark.skipif(not (CORPORA / "markdownlint-tables").is_dir(), reason="shared corpora not available")
def test_markdownlint_md056_errors_are_found_and_nothing_else():
    base = CORPORA / "markdownlint-tables"
    for line in (base / "expected_errors.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        text = (base / rec["file"]).read_text(encoding="utf-8")
        doc = Document(text)
        expected = {e["line"] for e in rec["table_rule_errors"] if e["rule"] == "MD056"}
        fs = findings(text)
        assert {f.code for f in fs} <= {"TB102"}, rec["file"]
        assert {doc.line_index.position(f.start).line for f in fs} == expected, rec["file"]
