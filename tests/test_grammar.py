"""Grammar detector tests against a tiny fake LanguageTool server on 127.0.0.1 (no Java, no network).

``start_fake_languagetool()`` is also meant for conftest.py, so that the grammar
case file and the GR rule examples run against the same fake server.
"""

from __future__ import annotations

import json
import pickle
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import importlib.util

import pytest

import garble
from garble.detectors.grammar import ENV_VAR, Grammar, GrammarOptions, classify
from garble.document import Document

# The fake server below needs nothing but the standard library, so conftest.py
# may import start_fake_languagetool() even where language_tool_python is absent.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("language_tool_python") is None, reason="needs language_tool_python (garble[grammar])"
)

ALL = frozenset(r.code for r in Grammar.rules)

TEXT = "Their is a mistake here ,and teh emoji 😀 makes offsets shift: recieve it."


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


# (regex, rule id, category, issue type, message, replacements): a few
# LanguageTool-like rules, enough to fire every GR code on the rule examples
# and the test texts. Offsets are sent in UTF-16 units, as Java counts them.
FAKE_RULES = (
    (r"\b(?:teh|recieve|goverment|wuold)\b", "MORFOLOGIK_RULE_EN_US", "TYPOS", "misspelling",
     "Possible spelling mistake found.", {"teh": ["the", "ten"], "recieve": ["receive"]}),
    (r"\bTheir is\b|\bHe go\b", "AGREEMENT", "GRAMMAR", "grammar", "Check the agreement.", {"Their is": ["There is"]}),
    (r" ,", "COMMA_PARENTHESIS_WHITESPACE", "TYPOGRAPHY", "whitespace", "Put no space before the comma.", {" ,": [","]}),
    (r"makes offsets shift|In my opinion, I think", "WORDINESS", "STYLE", "style", "This phrase is wordy.", {}),
)


def fake_check(text: str) -> dict:
    """What the fake server answers to POST /v2/check."""
    matches = []
    for pattern, rule_id, category, issue, message, repl in FAKE_RULES:
        for m in re.finditer(pattern, text):
            off, length = _u16(text[: m.start()]), _u16(m.group())
            matches.append(
                {
                    "message": message,
                    "shortMessage": "",
                    "replacements": [{"value": r} for r in repl.get(m.group(), [])],
                    "offset": off,
                    "length": length,
                    "context": {"text": text, "offset": off, "length": length},
                    "sentence": text,
                    "type": {"typeName": "Other"},
                    "rule": {
                        "id": rule_id,
                        "description": message,
                        "issueType": issue,
                        "category": {"id": category, "name": category.title()},
                    },
                }
            )
    matches.sort(key=lambda x: x["offset"])
    return {"software": {"name": "LanguageTool", "version": "6.4"}, "language": {"code": "en-US"}, "matches": matches}


class _Handler(BaseHTTPRequestHandler):
    requests: list = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, obj):
        body = json.dumps(obj).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        _Handler.requests.append(("GET", self.path, {}))
        if self.path.startswith("/v2/languages"):
            self._send([{"name": "English (US)", "code": "en", "longCode": "en-US"}])
        else:
            self.send_error(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
        _Handler.requests.append(("POST", self.path, form))
        if self.path.startswith("/v2/check"):
            self._send(fake_check(form["text"]))
        else:
            self.send_error(404)


def start_fake_languagetool():
    """Start the fake server on 127.0.0.1 (a free port); returns (url, stop)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}", stop


@pytest.fixture
def fake_lt():
    _Handler.requests = []
    url, stop = start_fake_languagetool()
    try:
        yield url
    finally:
        stop()


def test_maps_languagetool_matches_to_codes_and_code_point_spans(fake_lt):
    det = Grammar(GrammarOptions(server=fake_lt))
    a = det.assess(Document(TEXT), ALL)
    got = [(f.code, TEXT[f.start : f.end], f.data["rule_id"]) for f in a.findings]
    assert got == [
        ("GR102", "Their is", "AGREEMENT"),
        ("GR103", " ,", "COMMA_PARENTHESIS_WHITESPACE"),
        ("GR101", "teh", "MORFOLOGIK_RULE_EN_US"),
        # after the emoji (two UTF-16 units) the spans must still slice the text
        ("GR104", "makes offsets shift", "WORDINESS"),
        ("GR101", "recieve", "MORFOLOGIK_RULE_EN_US"),
    ]
    teh = a.findings[2]
    assert teh.fix.replacement == "the" and not teh.fix.safe
    assert teh.data["replacements"] == ["the", "ten"]
    assert "(LanguageTool MORFOLOGIK_RULE_EN_US)" in teh.message
    assert a.metrics["languagetool_matches"] == 5


def test_only_enabled_codes_and_options_reach_the_server(fake_lt):
    det = Grammar(GrammarOptions(server=fake_lt, language="en-US", disabled_rules=("WHITESPACE_RULE",)))
    a = det.assess(Document(TEXT), frozenset({"GR101"}))
    assert {f.code for f in a.findings} == {"GR101"}
    posts = [r for r in _Handler.requests if r[0] == "POST"]
    assert posts and posts[-1][2]["language"] == "en-US"
    assert posts[-1][2]["disabledRules"] == "WHITESPACE_RULE"
    assert posts[-1][2]["text"] == TEXT


def test_server_url_from_environment(fake_lt, monkeypatch):
    monkeypatch.setenv(ENV_VAR, fake_lt)
    report = garble.check(TEXT, select=["GR"])
    assert sorted(d.code for d in report.findings) == ["GR101", "GR101", "GR102", "GR103", "GR104"]


def test_no_server_configured_means_no_findings_and_no_request(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    det = Grammar()
    a = det.assess(Document(TEXT), ALL)
    assert a.findings == () and dict(a.metrics) == {}
    assert det._client is None  # no client was built, so nothing was contacted or downloaded


def test_languagetool_runs_by_default_only_when_a_server_is_configured(fake_lt, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    before = len(_Handler.requests)
    assert not any(d.category == "grammar" for d in garble.check(TEXT).findings)
    assert len(_Handler.requests) == before  # nothing configured: nothing sent
    monkeypatch.setenv(ENV_VAR, fake_lt)  # configuring a server is the opt-in
    assert sum(d.category == "grammar" for d in garble.check(TEXT).findings) == 5


def test_offline_article_rule_needs_no_server(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    r = garble.check("For the US, it is both a warning and an possibility.")
    assert [(d.code, d.category) for d in r.findings if d.code.startswith("GR")] == [("GR201", "grammar")]
    assert r.findings[-1].finding.fix.replacement == "a possibility" and not r.findings[-1].finding.fix.safe


def test_fenced_code_is_skipped(fake_lt):
    fence = "```\nteh code\n```\n"
    a = Grammar(GrammarOptions(server=fake_lt)).assess(Document(fence + TEXT), ALL)
    assert a.metrics["languagetool_matches"] == 6  # the server saw the fenced "teh" too
    assert len(a.findings) == 5 and all(f.start >= len(fence) for f in a.findings)


def test_pickles_without_its_client(fake_lt):
    det = Grammar(GrammarOptions(server=fake_lt))
    det.assess(Document(TEXT), ALL)
    clone = pickle.loads(pickle.dumps(det))
    assert clone._client is None
    assert len(clone.assess(Document(TEXT), ALL).findings) == 5


def test_classify_unknown_category_is_grammar():
    assert classify("CONFUSED_WORDS", "misspelling") == "GR101"
    assert classify("SOMETHING_NEW", "uncategorized") == "GR102"


@pytest.mark.parametrize("rule", Grammar.rules, ids=lambda r: r.code)
def test_each_rule_example_fires_through_a_server(fake_lt, rule):
    a = Grammar(GrammarOptions(server=fake_lt)).assess(Document(rule.example), ALL)
    assert rule.code in {f.code for f in a.findings}
