"""The pre-commit hooks, for real: install them in a throw-away repository and commit.

A snapshot of this checkout (the files pip needs to build garble, as they are in the
working tree) becomes a one-commit git repository that the temporary project's
``.pre-commit-config.yaml`` points at. pre-commit builds its own virtualenv from it
(``pip install .`` — this needs PyPI for garble's dependencies, as any pre-commit
user does), then ``git commit`` runs the hooks. Takes about a minute, mostly pip.
Skipped only when git or pre-commit is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None,
                       reason="pre-commit is not installed (pip install -e '.[test]')"),
]

MOJIBAKE = "The cafÃ© reopened in Chinaâ€™s capital on Monday.\n"
CLEAN = "The café reopened in China’s capital on Monday.\n"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update({
        "PRE_COMMIT_HOME": str(tmp_path / "pc-home"),  # hermetic: the hook env is built from the snapshot
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never",
    })
    (tmp_path / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    return env


def _git(cwd: Path, env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)


def _snapshot(dest: Path, env) -> str:
    """Copy what `pip install .` needs from the working tree into a fresh one-commit repository."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "garble", dest / "garble", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _git(dest, env, "init", "-q")
    _git(dest, env, "add", "-A")
    assert _git(dest, env, "commit", "-q", "-m", "snapshot").returncode == 0
    return _git(dest, env, "rev-parse", "HEAD").stdout.strip()


def test_hooks_stop_a_mojibake_commit_and_pass_a_clean_one(tmp_path):
    env = _env(tmp_path)
    rev = _snapshot(tmp_path / "garble-src", env)
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, env, "init", "-q")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {tmp_path / 'garble-src'}\n    rev: {rev}\n    hooks:\n"
        "      - id: garble\n      - id: garble-fix\n", encoding="utf-8")
    (repo / "script.py").write_text("x = 'cafÃ©'\n", encoding="utf-8")  # not a text file type: never checked
    _git(repo, env, "add", "-A")
    r = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

    # 1. the check hook stops a commit that adds mojibake, saying where and what
    (repo / "notes.md").write_text("# Notes\n\n" + MOJIBAKE, encoding="utf-8")
    _git(repo, env, "add", "notes.md")
    r = _git(repo, {**env, "SKIP": "garble-fix"}, "commit", "-m", "add notes")
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "garble (damaged text)" in out and "Failed" in out
    assert "notes.md:3:8: MJ102 " in out and "‘Ã©’" in out
    assert "script.py" not in out
    assert _git(repo, env, "rev-parse", "--verify", "-q", "HEAD").returncode != 0  # nothing was committed

    # 2. a clean commit passes
    (repo / "notes.md").write_text("# Notes\n\n" + CLEAN, encoding="utf-8")
    _git(repo, env, "add", "notes.md")
    r = _git(repo, {**env, "SKIP": "garble-fix"}, "commit", "-m", "add notes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "garble (damaged text)" in r.stdout + r.stderr and "Passed" in r.stdout + r.stderr

    # 3. the fix hook repairs the file and stops the commit so the repair can be reviewed
    (repo / "more.txt").write_text(MOJIBAKE, encoding="utf-8")
    _git(repo, env, "add", "more.txt")
    r = _git(repo, {**env, "SKIP": "garble"}, "commit", "-m", "more")
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "files were modified by this hook" in out, out
    assert (repo / "more.txt").read_text(encoding="utf-8") == CLEAN
    _git(repo, env, "add", "more.txt")
    r = _git(repo, env, "commit", "-m", "more")
    assert r.returncode == 0, r.stdout + r.stderr
