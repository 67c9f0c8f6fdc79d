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
