"""grader.datasets: one folder holds every dataset, a copy of each real Keras file found beside the checkout
and synthetic files for the rest; it follows the real files as they come and go."""

import json
import shutil

import numpy as np

from grader.datasets import FILES, SOURCES, default_folder, prepare


def fake_real_folder(tmp_path):
    """A folder standing in for ../shared/datasets: IMDB and Reuters files, and a tiny Boston file."""
    real = tmp_path / "shared"
    real.mkdir()
    for name in ("imdb", "reuters"):
        for file in FILES[name]:
            shutil.copy2(default_folder() / file, real / file)
    np.savez(real / "boston_housing.npz", x=np.ones((8, 13)), y=np.arange(8.0))
    return real


def test_real_files_are_copied_beside_synthetic_ones(tmp_path):
    real, folder = fake_real_folder(tmp_path), tmp_path / "cache"
    (real / "imdb_word_index.json").unlink()  # an incomplete dataset stays synthetic
    prepare(folder, real)
    assert json.loads((folder / SOURCES).read_text()) == {
        "imdb": "synthetic small 2024", "reuters": "real", "boston_housing": "real"}
    for file in (*FILES["reuters"], *FILES["boston_housing"]):
        assert not (folder / file).is_symlink()  # the grading sandbox mounts only this folder
        assert (folder / file).read_bytes() == (real / file).read_bytes()
    assert np.load(folder / "imdb.npz", allow_pickle=True)["x_train"].shape == (5000,)


def test_the_folder_follows_the_real_files(tmp_path):
    real, folder = fake_real_folder(tmp_path), tmp_path / "cache"
    prepare(folder, real)
    written = (folder / "imdb.npz").stat().st_mtime_ns
    np.savez(real / "boston_housing.npz", x=np.zeros((8, 13)), y=np.arange(8.0))  # a new real file
    prepare(folder, real)
    assert np.load(folder / "boston_housing.npz")["x"].sum() == 0
    assert (folder / "imdb.npz").stat().st_mtime_ns == written  # unchanged sources are kept
    (real / "boston_housing.npz").unlink()  # gone: synthetic again
    prepare(folder, real)
    assert np.load(folder / "boston_housing.npz")["x"].shape == (506, 13)
    assert json.loads((folder / SOURCES).read_text())["boston_housing"] == "synthetic small 2024"
    assert sorted(path.name for path in folder.iterdir()) == sorted([SOURCES, *sum(FILES.values(), ())])
