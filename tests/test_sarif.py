"""SARIF 2.1.0 output, validated against the OASIS schema (tests/data, offline)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from clihelp import run

from garble.registry import default_registry

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def validate(doc):
    jsonschema.Draft4Validator(SCHEMA).validate(doc)




def test_sarif_regions_rules_levels_and_scores(tmp_path, fake_registry, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("docs").mkdir()
    Path("docs/a b.md").write_text("ok\r\nthé BAD WORSE <!-- garble: ignore[FK102] -->\r\n<!-- garble: ignore[FK101] -->\n", encoding="utf-8")
    Path("bin.txt").write_bytes(b"\xff")
    code, out, _ = run(["check", "docs/a b.md", "bin.txt", "--format", "sarif"])
    assert code == 2
    doc = json.loads(out)
    validate(doc)
    run_ = doc["runs"][0]
    assert doc["version"] == "2.1.0" and run_["columnKind"] == "unicodeCodePoints"
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["FK101", "FK102", "GB003"]
    assert rules[1] == {"id": "FK102", "name": "worse-word", "shortDescription": {"text": "the word WORSE"},
                        "fullDescription": {"text": "the word WORSE"}, "defaultConfiguration": {"level": "error"},
                        "properties": {"category": "padding", "fixable": None}}
    res = run_["results"]
    assert [(r["ruleId"], r["level"]) for r in res] == [("FK101", "warning"), ("GB003", "note")]
    r0 = res[0]
    loc = r0["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "docs/a%20b.md", "uriBaseId": "%SRCROOT%", "index": 0}
    # "ok\r\n" is 4 code points; "thé " is 4 more: BAD starts at offset 8, line 2, column 5
    assert loc["region"] == {"startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 8,
                             "charOffset": 8, "charLength": 3, "snippet": {"text": "BAD"}}
    assert rules[r0["ruleIndex"]]["id"] == "FK101"
    assert r0["fixes"][0]["artifactChanges"][0]["replacements"][0] == {
        "deletedRegion": {"charOffset": 8, "charLength": 3}, "insertedContent": {"text": "good"}}
    art = run_["artifacts"][0]
    assert 0 < art["properties"]["score"] < 100 and art["properties"]["suppressed"] == 1
    inv = run_["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert inv["toolExecutionNotifications"][0]["message"]["text"].startswith("not UTF-8 text")
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_clean_run_is_valid_sarif(tmp_path, fake_registry):
    p = tmp_path / "clean.txt"
    p.write_text("nothing here", encoding="utf-8")
    code, out, _ = run(["check", str(p), "--format", "sarif"])
    doc = json.loads(out)
    validate(doc)
    assert code == 0 and doc["runs"][0]["results"] == []
    assert doc["runs"][0]["artifacts"][0]["location"]["uri"] == p.as_uri()  # absolute paths become file URIs
    assert doc["runs"][0]["artifacts"][0]["properties"]["score"] == 100.0


def test_real_registry_sarif_is_valid(tmp_path):
    """All real rules in tool.driver.rules, and real findings, still satisfy the schema."""
    p = tmp_path / "a.md"
    p.write_text("The cafÃ© in Chinaâ€™s capital.\n\n\n\n\n\nEnd.  \n", encoding="utf-8")
    code, out, _ = run(["check", str(p), "--format", "sarif", "--exit-zero"])
    doc = json.loads(out)
    validate(doc)
    ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert ids == [r.code for r in default_registry().rules]
    for r in doc["runs"][0]["results"]:
        region = r["locations"][0]["physicalLocation"]["region"]
        text = p.read_text(encoding="utf-8")
        assert text[region["charOffset"]:region["charOffset"] + region["charLength"]] == region["snippet"]["text"]


def test_empty_file_is_a_note_notification_not_an_error(tmp_path, fake_registry, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("empty.txt").write_bytes(b"")
    Path("blank.txt").write_bytes(b" \n\n")
    code, out, _ = run(["check", "empty.txt", "blank.txt", "--format", "sarif"])
    doc = json.loads(out)
    validate(doc)
    inv = doc["runs"][0]["invocations"][0]
    assert code == 0 and inv["executionSuccessful"] is True
    assert [(n["level"], n["message"]["text"]) for n in inv["toolExecutionNotifications"]] == [
        ("note", "empty file, nothing to check"), ("note", "blank file (only whitespace), nothing to check")]
    assert doc["runs"][0]["artifacts"] == [] and doc["runs"][0]["results"] == []


def test_fix_that_empties_a_line_deletes_the_line_in_sarif(tmp_path):
    p = tmp_path / "a.txt"
    text = "Story text goes here.\nAdvertisement\nMore story text."
    p.write_text(text, encoding="utf-8")
    code, out, _ = run(["check", str(p), "--format", "sarif", "--select", "PD102", "--exit-zero"])
    doc = json.loads(out)
    validate(doc)
    (res,) = doc["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == "Advertisement"
    rep = res["fixes"][0]["artifactChanges"][0]["replacements"][0]
    start, length = rep["deletedRegion"]["charOffset"], rep["deletedRegion"]["charLength"]
    assert text[start:start + length] == "Advertisement\n" and rep["insertedContent"]["text"] == ""


def test_jsonl_records_are_logical_locations_in_their_input_file(tmp_path, fake_registry, monkeypatch):
    """A record is not a file: results point at the record's line of the input file and name the
    record as a logical location; the position inside the record's text is a property."""
    monkeypatch.chdir(tmp_path)
    Path("docs.jsonl").write_text(
        '{"id": "doc-1", "text": "ok BAD"}\n{"id": 7, "text": "fine"}\nnot json\n{"text": "x\\nWORSE"}\n', encoding="utf-8")
    code, out, _ = run(["check", "--jsonl-input", "docs.jsonl", "--format", "sarif"])
    assert code == 2  # the line that is not JSON
    doc = json.loads(out)
    validate(doc)
    run_ = doc["runs"][0]
    assert run_["artifacts"] == [{"location": {"uri": "docs.jsonl", "uriBaseId": "%SRCROOT%"},
                                  "properties": {"records": 3}}]
    logical = run_["logicalLocations"]
    assert [(x["name"], x["fullyQualifiedName"], x["kind"], x["properties"]["line"]) for x in logical] == [
        ("doc-1", "docs.jsonl:1", "object", 1), ("7", "docs.jsonl:2", "object", 2), ("line 4", "docs.jsonl:4", "object", 4)]
    assert logical[0]["properties"]["id"] == "doc-1" and logical[1]["properties"]["score"] == 100.0
    res = run_["results"]
    assert [r["ruleId"] for r in res] == ["FK101", "FK102"]
    for r, line, index in zip(res, (1, 4), (0, 2)):
        (loc,) = r["locations"]
        assert loc["physicalLocation"] == {"artifactLocation": {"uri": "docs.jsonl", "uriBaseId": "%SRCROOT%", "index": 0},
                                           "region": {"startLine": line, "endLine": line}}
        assert loc["logicalLocations"][0]["index"] == index
        assert "fixes" not in r  # offsets into the record's text would edit the wrong bytes of the file
    assert res[0]["properties"]["textRegion"] == {"startLine": 1, "startColumn": 4, "endLine": 1, "endColumn": 7,
                                                  "charOffset": 3, "charLength": 3, "snippet": {"text": "BAD"}}
    assert res[1]["properties"]["textRegion"]["startLine"] == 2
    (note,) = run_["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "endLine": 3}
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "docs.jsonl"
