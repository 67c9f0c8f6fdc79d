"""Store NumPy model artefacts so that they load in milliseconds.

A compressed ``.npz`` must be inflated whole before the first lookup: for the
incoherence model that was ~0.2 s of every cold start, most of a pre-commit
hook's budget. A packed model is a folder instead:

- ``manifest.json`` lists the arrays;
- large 32/64-bit integer arrays (sorted n-gram key tables, which barely compress) are
  plain ``.npy`` files opened with ``mmap_mode="r"``: nothing is read until a
  lookup touches a page, so a small document reads a few pages;
- everything else goes into one compressed ``small.npz`` (a few MB), inflated
  on load.

``pack`` turns any dict of arrays (or an ``.npz``) into such a folder and
``load`` gives the dict back, so a model's code does not care which is used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import numpy as np

#: integer arrays of 32+ bits with at least this many elements are stored raw and
#: memory-mapped (hash keys barely compress); 8- and 16-bit arrays compress well
MMAP_MIN_ELEMENTS = 100_000
MMAP_MIN_ITEMSIZE = 4
MANIFEST = "manifest.json"


def pack(arrays: Mapping[str, np.ndarray] | str | Path, folder: str | Path) -> Path:
    """Write ``arrays`` (or the arrays of an ``.npz`` file) as a packed model folder."""
    if not isinstance(arrays, Mapping):
        with np.load(arrays, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.npy"):
        old.unlink()
    mapped, small = [], {}
    for name, arr in arrays.items():
        arr = np.asarray(arr)
        if arr.dtype.kind in "iu" and arr.itemsize >= MMAP_MIN_ITEMSIZE and arr.size >= MMAP_MIN_ELEMENTS:
            np.save(folder / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
            mapped.append(name)
        else:
            small[name] = arr
    np.savez_compressed(folder / "small.npz", **small)
    (folder / MANIFEST).write_text(
        json.dumps({"format": 1, "mapped": sorted(mapped), "small": sorted(small)}, indent=1) + "\n",
        encoding="utf-8",
    )
    return folder


def load(folder: str | Path) -> dict[str, np.ndarray]:
    """Load a packed model folder: memory-mapped large arrays plus the small ones."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != 1:
        raise ValueError(f"{folder}: unknown packed-model format {manifest.get('format')!r}")
    out: dict[str, np.ndarray] = {}
    for name in manifest["mapped"]:
        out[name] = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
    with np.load(folder / "small.npz", allow_pickle=False) as z:
        for name in manifest["small"]:
            out[name] = z[name]
    return out


def size_bytes(folder: str | Path) -> int:
    """Bytes on disk of a packed model folder."""
    return sum(p.stat().st_size for p in Path(folder).iterdir() if p.is_file())
