from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "samples" / "seeds"


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(autouse=True, scope="session")
def _fake_languagetool():
    """Point the grammar detector at the fake LanguageTool of test_grammar.py for the whole run.

    The grammar case file and the GR rule examples then exercise garble's side of
    the LanguageTool protocol without Java or network.
    """
    from test_grammar import start_fake_languagetool

    url, stop = start_fake_languagetool()
    mp = pytest.MonkeyPatch()
    mp.setenv("GARBLE_LANGUAGETOOL_URL", url)
    yield url
    mp.undo()
    stop()


@pytest.fixture
def fake_registry(monkeypatch):
    """Run the engine with the fake detector of tests/fakes.py instead of the built-in ones.

    CLI, config, reporter and rule-doc tests then test their own logic, not heuristics.
    """
    from fakes import registry

    from garble.registry import default_registry

    default_registry.cache_clear()
    monkeypatch.setattr("garble.engine.default_registry", lambda: registry())
    yield
    default_registry.cache_clear()
