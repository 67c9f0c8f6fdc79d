from __future__ import annotations

import numpy as np

from garble import modelio


def test_pack_and_load_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "keys": np.sort(rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32)),
        "q": rng.integers(0, 255, 200_000).astype(np.uint8),
        "emb": rng.normal(size=(50, 4)).astype(np.float16),
        "threshold": np.float64(0.7),
        "vocab": np.array("a\nb\nc"),
    }
    folder = modelio.pack(arrays, tmp_path / "m")
    back = modelio.load(folder)
    assert set(back) == set(arrays)
    for k, v in arrays.items():
        assert back[k].dtype == np.asarray(v).dtype
        assert np.array_equal(back[k], v)
    assert isinstance(back["keys"], np.memmap) and not isinstance(back["q"], np.memmap)
    assert not isinstance(back["emb"], np.memmap)
    assert np.searchsorted(back["keys"], arrays["keys"][1234]) <= 1234


def test_pack_from_npz_and_repack_replaces_old_arrays(tmp_path):
    np.savez_compressed(tmp_path / "m.npz", big=np.arange(150_000, dtype=np.int32), small=np.arange(3))
    folder = modelio.pack(tmp_path / "m.npz", tmp_path / "m")
    assert (folder / "big.npy").exists()
    modelio.pack({"other": np.arange(3)}, folder)
    assert not (folder / "big.npy").exists() and set(modelio.load(folder)) == {"other"}
    assert modelio.size_bytes(folder) > 0
