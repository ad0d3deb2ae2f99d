"""The one tolerance rule for comparing numbers computed by Keras, numpy or a GPU.

A student's result and the reference may differ by float32 vs float64 arithmetic and, on Colab's
A100/L4 GPUs, by TF32 matrix products (10-bit mantissa, about 1e-3 relative error of each product
term). So values are close when |found - expected| <= RTOL * (|expected| + scale), where `scale`
is the size of the whole expected array: a small entry that came out of a sum of large terms may
carry the error of those terms. Wrong answers the lessons care about (a missing bias, the wrong
activation, another data set) differ by far more.
"""

from __future__ import annotations

import numpy as np

from .plain import plain

RTOL = 3e-3


def close(found: object, expected: object, rtol: float = RTOL) -> bool:
    """Whether two arrays (or numbers) agree under the course's tolerance rule."""
    found = np.asarray(plain(found), dtype="float64")
    expected = np.asarray(plain(expected), dtype="float64")
    if found.shape != expected.shape:
        return False
    if not np.all(np.isfinite(found) == np.isfinite(expected)):
        return False
    finite = np.isfinite(expected)
    scale = float(np.max(np.abs(expected[finite]), initial=0.0))
    tolerance = rtol * (np.abs(expected[finite]) + scale) + 1e-12
    return bool(np.all(np.abs(found[finite] - expected[finite]) <= tolerance)
                and np.array_equal(found[~finite], expected[~finite]))
