"""Unit tests for the mojibake detector beyond the data-first cases in cases/mojibake.yaml."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata

import pytest

from garble import check
from garble.detectors.mojibake import Mojibake, MojibakeOptions
from garble.document import Document

ALL = frozenset(r.code for r in Mojibake.rules)


def assess(text: str, enabled=ALL, **options):
    det = Mojibake(MojibakeOptions(**options)) if options else Mojibake()
    return det.assess(Document(text), frozenset(enabled))


def apply_fixes(text: str, findings, safe_only: bool = True) -> str:
    out, last = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.fix is None or (safe_only and not f.fix.safe):
            continue
        out.append(text[last : f.start])
        out.append(f.fix.replacement)
        last = f.end
    out.append(text[last:])
    return "".join(out)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Chinaâ€™s exports rose.", "China’s exports rose."),
        # ftfy in-the-wild:3 and :17 (Apache-2.0, rspeer/python-ftfy)
        ("РґРѕСЂРѕРіРµ Р\x98Р·-РїРѕРґ #С„СѓС‚Р±РѕР»", "дороге Из-под #футбол"),
        ("The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows.", "The Mona Lisa doesn’t have eyebrows."),
        ("Le caf\u00c3\u00a9 d\u2019en face", "Le café d’en face"),
        ("\x84Handwerk\x93", "„Handwerk“"),
        ("Sarai ricontattato al pi√π presto.", "Sarai ricontattato al più presto."),
    ],
)
def test_safe_fixes_repair_the_text(text, expected):
    assert apply_fixes(text, assess(text).findings) == expected


def test_fixes_are_encoding_only_never_cosmetic():
    # curly quotes, ligatures, full-width letters and decomposed accents next
    # to the damage must come back unchanged (ftfy's fix_text would change them)
    text = "“Quoted” ﬁne ＡＢＣ cafe\u0301 and cafÃ©"
    result = apply_fixes(text, assess(text).findings)
    assert result == "“Quoted” ﬁne ＡＢＣ cafe\u0301 and café"


def test_span_is_exactly_the_damage_and_offsets_are_document_wide():
    text = "Clean first line.\r\nSecond: Chinaâ€™s\nThird ok"
    (f,) = assess(text).findings
    assert text[f.start : f.end] == "â€™"
    assert f.start == text.index("â€™")
    assert f.code == "MJ102"
    assert f.data["encoding"] == "sloppy-windows-1252"


def test_only_enabled_rules_are_reported():
    text = "cafÃ© \x93q\x94 bad\ufffd"
    codes = {f.code for f in assess(text).findings}
    assert codes == {"MJ101", "MJ102", "MJ103"}
    assert {f.code for f in assess(text, enabled={"MJ103"}).findings} == {"MJ103"}
    assert assess(text, enabled=set()).findings == ()


def test_suggest_fixes_option():
    findings = assess("cafÃ©", suggest_fixes=False).findings
    assert findings and all(f.fix is None for f in findings)


def test_double_encoding_is_described():
    (f,) = assess("He didnÃ¢â‚¬â„¢t call.").findings
    assert f.data["rounds"] == 2
    assert "twice" in f.message
    assert "’" in f.message


def test_messages_show_control_characters_as_escapes():
    for f in assess("x\x93q\x94 and Â\xa0 and â\x80\x9c").findings:
        assert not any(unicodedata.category(c) == "Cc" for c in f.message), f.message
        assert "\\x" in f.message


def test_c1_letter_fix_is_not_safe():
    # U+0083 is 'ƒ' in Windows-1252, but in Romanian text it was a stray byte
    (f,) = assess("Călă\x83toriile").findings
    assert f.code == "MJ101" and f.fix.replacement == "ƒ" and not f.fix.safe
    (g,) = assess("parlé\x85 Tu").findings
    assert g.fix.replacement == "…" and g.fix.safe


def test_truncated_quote_fix_is_a_guess():
    text = "He said â€œhelloâ€ and left."
    findings = assess(text).findings
    last = findings[-1]
    assert text[last.start : last.end] == "â€"
    assert last.fix.replacement == "”" and not last.fix.safe
    inword = assess("itâ€s").findings[0]
    assert inword.fix.replacement == "’"


def test_hopeless_garble_has_no_fix():
    # ftfy in-the-wild:38 (Apache-2.0, rspeer/python-ftfy)
    text = "ã†â€™ãƒâ€ ã¢â‚¬â„¢ãƒæ’ã‚â¢ãƒâ¢ã¢â‚¬å¡ã‚â¬ãƒâ€šã‚â"
    (f,) = assess(text).findings
    assert f.code == "MJ104" and f.fix is None
    assert (f.start, f.end) == (0, len(text))


def test_ascii_text_is_clean_and_metrics_count_damaged_chars():
    a = assess("Plain ASCII text, nothing to see.\n" * 50)
    assert a.findings == () and a.metrics["mojibake_chars"] == 0
    b = assess("cafÃ© and Ã¼ber")
    assert b.metrics["mojibake_chars"] == 4


def test_mojibake_chars_counts_only_findings_outside_code():
    """Findings inside code are dropped by the engine; the metric must not count them either."""
    text = "The café serves `cafÃ©` in code, but cafÃ© here is prose.\n\n```\nÃ¼ber\n```\n"
    report = check(text, select="MJ", path="notes.md")
    spans = [(d.finding.start, d.finding.end) for d in report.findings]
    assert [text[s:e] for s, e in spans] == ["Ã©"]  # the one in prose
    assert report.metrics["mojibake_chars"] == sum(e - s for s, e in spans) == 2
    # read as plain text, inline backticks are prose (only the fenced block is code)
    plain = check(text, select="MJ", path="notes.txt")
    assert len(plain.findings) == 2 and plain.metrics["mojibake_chars"] == 4


@pytest.mark.parametrize("rule", Mojibake.rules, ids=lambda r: r.code)
def test_each_rule_flags_its_own_example(rule):
    assert rule.doc and rule.summary and rule.example
    codes = {f.code for f in assess(rule.example).findings}
    assert rule.code in codes


def test_importing_the_detector_does_not_import_ftfy():
    code = "import sys, garble.detectors.mojibake; print('ftfy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plain_typography_does_not_import_ftfy():
    """Curly quotes, dashes and the like cannot start a mis-decoding: no ftfy import for them."""
    import subprocess
    import sys

    code = (
        "import sys, garble\n"
        "r = garble.check('It\\u2019s \\u201cfine\\u201d \\u2014 really\\u2026 \\u00a9 2024', select=['MJ'])\n"
        "print(r.findings == [], 'ftfy' in sys.modules)\n"
        "r = garble.check('It\\u00e2\\u20ac\\u2122s broken', select=['MJ'])\n"
        "print(len(r.findings), 'ftfy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "1", "True"]


def test_json_output_carries_the_codec_chain_of_each_finding():
    report = check("José met JosÃ© in SÃ£o Paulo.", select="MJ")
    found = json.loads(json.dumps(report.to_dict()))["findings"]
    assert [f["code"] for f in found] == ["MJ102", "MJ102"]
    for f in found:
        assert f["data"]["plan"] == [["encode", "latin-1"], ["decode", "utf-8"]]
        assert f["data"]["rounds"] == 1
