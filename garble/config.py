"""Configuration files: ``[tool.garble]`` in ``pyproject.toml``, or ``garble.toml`` / ``.garble.toml``.

Discovery (as ruff): for each checked file, garble looks in the file's folder,
then each parent folder, for ``.garble.toml``, ``garble.toml`` or a
``pyproject.toml`` that has a ``[tool.garble]`` table (in that order within a
folder). The closest one wins; there is no merging of several files. Globs in a
config file (``include``, ``exclude``, ``per-file-ignores``) are relative to
the folder it sits in. ``--config FILE`` uses one file for every path;
``--isolated`` uses none. Command-line flags win over the file: ``--select``
replaces ``select`` and ``extend-select``, ``--fail-on``/``--fail-under``/
``--include`` replace theirs, and ``--extend-select``/``--ignore``/``--exclude``
add to the file's lists.

Keys (in ``garble.toml`` at top level, in ``pyproject.toml`` under
``[tool.garble]``)::

    select = ["MJ", "TB"]          # rules to run (codes, prefixes, families, names, "ALL")
    extend-select = ["RD101"]      # add to the default (or selected) set
    ignore = ["PD103"]             # rules to skip
    fail-on = "warning"            # fail when a finding has at least this severity
    fail-under = 80                # fail when a document scores below this (0-100)
    include = ["*.md", "*.txt"]    # files picked up when walking folders
    exclude = ["vendor/**"]        # files and folders skipped (also when named explicitly)

    [per-file-ignores]             # glob -> selectors
    "samples/**" = ["ALL"]
    [severity]                     # code -> info | warning | error
    MJ103 = "error"
    [detectors.grammar]            # options of one detector family
    language = "en-GB"

An unknown key, a wrong type or an unknown rule is an error (exit 2) that names
the closest valid key.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from garble.engine import ConfigError, Settings
from garble.files import DEFAULT_INCLUDE, Selection

CONFIG_NAMES = (".garble.toml", "garble.toml", "pyproject.toml")
LEVELS = ("info", "warning", "error")
KEYS = (
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "severity",
    "fail-under",
    "fail-on",
    "include",
    "exclude",
    "detectors",
)


@dataclass(frozen=True)
class Config:
    """One resolved configuration (a file's content with the command line applied)."""

    settings: Settings = field(default_factory=Settings)
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    path: Path | None = None  # the config file, None when defaults are used
    root: Path = field(default_factory=Path.cwd)  # folder that globs are relative to

    @property
    def selection(self) -> Selection:
        return Selection(self.include, self.exclude, self.root)

    def ignores_for(self, path: str | os.PathLike[str]) -> tuple[str, ...]:
        """Selectors that ``per-file-ignores`` adds for ``path``."""
        if not self.per_file_ignores:
            return ()
        p = Path(os.path.abspath(path))
        rel = os.path.relpath(p, self.root).replace(os.sep, "/")
        out: list[str] = []
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(rel, pattern) or ("/" not in pattern and fnmatch.fnmatch(p.name, pattern)):
                out += [c for c in codes if c not in out]
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        s = self.settings
        return {
            "config-file": str(self.path) if self.path else None,
            "root": str(self.root),
            "select": list(s.select),
            "extend-select": list(s.extend_select),
            "ignore": list(s.ignore),
            "per-file-ignores": {g: list(c) for g, c in self.per_file_ignores},
            "severity": dict(s.severity),
            "fail-on": s.fail_on,
            "fail-under": s.fail_under,
            "include": list(self.include),
            "exclude": list(self.exclude),
            "detectors": {k: dict(v) for k, v in s.detectors.items()},
        }


def _hint(word: str, options) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key!r} must be a list of strings, not {value!r}")
    return tuple(value)


def _has_tool_garble(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if b"tool.garble" not in data:  # cheap test before parsing
        return False
    return "garble" in _parse(path).get("tool", {})


def _parse(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load(path: str | os.PathLike[str]) -> Config:
    """Read one config file (``pyproject.toml`` reads ``[tool.garble]``)."""
    p = Path(os.path.abspath(path))
    if not p.is_file():
        raise ConfigError(f"config file {path} not found")
    data = _parse(p)
    if p.name == "pyproject.toml":
        data = data.get("tool", {}).get("garble", {})
        where = f"{p} [tool.garble]"
    else:
        where = str(p)
    return from_mapping(data, where=where, path=p, root=p.parent)


def from_mapping(data: Mapping[str, Any], *, where: str = "config", path: Path | None = None,
                 root: Path | None = None) -> Config:
    """Validate a ``[tool.garble]`` table into a :class:`Config`."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: expected a table")
    for key in data:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{_hint(key, KEYS)}; valid keys: {', '.join(KEYS)}")
    changes: dict[str, Any] = {}
    for key, attr in (("select", "select"), ("extend-select", "extend_select"), ("ignore", "ignore")):
        if key in data:
            changes[attr] = _strings(where, key, data[key])
    if "fail-on" in data:
        v = data["fail-on"]
        if not isinstance(v, str) or v.lower() not in LEVELS:
            raise ConfigError(f"{where}: 'fail-on' must be one of {', '.join(LEVELS)}, not {v!r}{_hint(str(v), LEVELS)}")
        changes["fail_on"] = v.lower()
    if "fail-under" in data:
        v = data["fail-under"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 100:
            raise ConfigError(f"{where}: 'fail-under' must be a number from 0 to 100, not {v!r}")
        changes["fail_under"] = float(v)
    if "severity" in data:
        sev = data["severity"]
        if not isinstance(sev, Mapping):
            raise ConfigError(f"{where}: 'severity' must be a table of code = level")
        for code, level in sev.items():
            if not isinstance(level, str) or level.lower() not in LEVELS:
                raise ConfigError(f"{where}: severity of {code!r} must be one of {', '.join(LEVELS)}, not {level!r}")
        changes["severity"] = {str(c): str(v).lower() for c, v in sev.items()}
    if "detectors" in data:
        det = data["detectors"]
        if not isinstance(det, Mapping) or not all(isinstance(v, Mapping) for v in det.values()):
            raise ConfigError(f"{where}: 'detectors' must hold one table per family, e.g. [detectors.grammar]")
        changes["detectors"] = {str(k): dict(v) for k, v in det.items()}
    pfi: list[tuple[str, tuple[str, ...]]] = []
    if "per-file-ignores" in data:
        table = data["per-file-ignores"]
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: 'per-file-ignores' must be a table of glob = [selectors]")
        for glob, codes in table.items():
            pfi.append((str(glob), _strings(where, f"per-file-ignores.{glob}", codes)))
    include = _strings(where, "include", data["include"]) if "include" in data else DEFAULT_INCLUDE
    exclude = _strings(where, "exclude", data["exclude"]) if "exclude" in data else ()
    return Config(Settings().replace(**changes), include, exclude, tuple(pfi), path, root or Path.cwd())


def find(start: str | os.PathLike[str]) -> Path | None:
    """The closest config file at or above folder ``start``."""
    d = Path(os.path.abspath(start))
    for folder in (d, *d.parents):
        for name in CONFIG_NAMES:
            p = folder / name
            if p.is_file() and (name != "pyproject.toml" or _has_tool_garble(p)):
                return p
    return None


@dataclass(frozen=True)
class Overrides:
    """Command-line settings, applied on top of whatever a config file says."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    fail_under: float | None = None
    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    markup: str | None = None
    #: ``--lm``: turn on the incoherence detector's language-model stage
    lm: bool = False

    def apply(self, cfg: Config) -> Config:
        s = cfg.settings
        changes: dict[str, Any] = {}
        if self.select is not None:
            changes["select"] = self.select
            changes["extend_select"] = self.extend_select
        elif self.extend_select:
            changes["extend_select"] = s.extend_select + self.extend_select
        if self.ignore:
            changes["ignore"] = s.ignore + self.ignore
        if self.select is not None or self.extend_select:
            # a rule named on the command line beats the file's ignore of the same selector
            named = {x.upper() for x in (*(self.select or ()), *self.extend_select)}
            changes["ignore"] = tuple(x for x in changes.get("ignore", s.ignore) if x.upper() not in named)
        if self.fail_on is not None:
            changes["fail_on"] = self.fail_on
        if self.fail_under is not None:
            changes["fail_under"] = self.fail_under
        if self.markup is not None:
            changes["markup"] = self.markup
        if self.lm:
            dets = {k: dict(v) for k, v in s.detectors.items()}
            inc = dets.setdefault("incoherent", {})
            for k in [k for k in inc if k.replace("_", "-") == "lm"]:
                del inc[k]
            inc["lm"] = True
            changes["detectors"] = dets
        return Config(
            s.replace(**changes),
            self.include if self.include is not None else cfg.include,
            cfg.exclude + self.exclude,
            cfg.per_file_ignores,
            cfg.path,
            cfg.root,
        )


class Resolver:
    """Find and cache the configuration for each folder of a run."""

    def __init__(self, overrides: Overrides | None = None, config_file: str | None = None,
                 isolated: bool = False) -> None:
        self.overrides = overrides or Overrides()
        self.isolated = isolated
        self._fixed: Config | None = None
        if config_file is not None:
            self._fixed = self.overrides.apply(load(config_file))
        elif isolated:
            self._fixed = self.overrides.apply(Config())
        self._by_file: dict[Path, Config] = {}
        self._by_dir: dict[Path, Path | None] = {}

    def _find(self, folder: Path) -> Path | None:
        if folder not in self._by_dir:
            found = None
            for name in CONFIG_NAMES:
                p = folder / name
                if p.is_file() and (name != "pyproject.toml" or _has_tool_garble(p)):
                    found = p
                    break
            if found is None and folder.parent != folder:
                found = self._find(folder.parent)
            self._by_dir[folder] = found
        return self._by_dir[folder]

    def for_dir(self, folder: str | os.PathLike[str]) -> Config:
        if self._fixed is not None:
            return self._fixed
        p = self._find(Path(os.path.abspath(folder)))
        key = p or Path()
        if key not in self._by_file:
            self._by_file[key] = self.overrides.apply(load(p) if p else Config())
        return self._by_file[key]

    def for_path(self, path: str | os.PathLike[str]) -> Config:
        """The configuration of a file (or of a folder, given itself)."""
        p = Path(os.path.abspath(path))
        return self.for_dir(p if p.is_dir() else p.parent)

    def selection_for(self, folder: Path) -> Selection:
        return self.for_dir(folder).selection
