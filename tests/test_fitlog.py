"""grader.checks.fitlog fingerprints: they tell the data a task names from a subset, a shifted slice or another
data set, whatever the container or memory layout, and read the data in place (Colab-sized arrays)."""

import tracemalloc

import keras
import numpy as np
import pytest

from grader.checks.fitlog import fingerprint, same_data


def multi_hot(rows, seed=0):
    """Sparse 0/1 rows like lessons 05-06's inputs (where sampled values are mostly zeros)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((rows, 1000), dtype="float32")
    for row in x:
        row[rng.integers(0, 1000, rng.integers(5, 60))] = 1.0
    return x


LABELS = np.random.default_rng(3).integers(0, 46, 400)


@pytest.mark.parametrize("data", [multi_hot(400), np.random.default_rng(1).normal(size=(404, 13)), LABELS,
                                  keras.utils.to_categorical(LABELS, 46)],
                         ids=["multi-hot", "normal", "labels", "one-hot"])
def test_subsets_shifted_slices_and_other_data_differ(data):
    named = fingerprint(data[100:300])
    assert same_data(fingerprint(data[100:300].copy()), named)
    for other in (data[100:200], data[101:301], data[99:299], data[::-1][100:300], data[100:300] * 1.001):
        assert not same_data(fingerprint(other), named)
    assert not same_data(fingerprint(multi_hot(200, seed=5)), fingerprint(multi_hot(200, seed=6)))


def test_the_same_values_give_the_same_fingerprint_in_any_container_or_layout():
    data = np.random.default_rng(2).normal(size=(64, 13)).astype("float32")
    named = fingerprint(data)
    for same in (np.asfortranarray(data), data.astype("float64"), keras.ops.convert_to_tensor(data),
                 np.ascontiguousarray(data.T).T):
        assert same_data(fingerprint(same), named)
    assert same_data(fingerprint({"a": data, "b": [data, None]}), {"a": named, "b": (named, None)})


def test_large_arrays_are_read_in_place():
    """No converted copy and no float64 temporary of the data's size (IMDB's training set is 1 GB in Colab)."""
    data = multi_hot(16_000)  # 64 MB
    tensor = keras.ops.convert_to_tensor(data)
    tracemalloc.start()
    try:
        fingerprint(data[::2])  # a strided view: a reshape would copy it
        fingerprint(tensor)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < data.nbytes / 20, f"{peak / 1e6:.1f} MB allocated for {data.nbytes / 1e6:.0f} MB of data"
