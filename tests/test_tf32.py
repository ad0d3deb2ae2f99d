"""Every solution passes its own checks (public and hidden) when matrix products run in TF32.

Colab's A100/L4 runtimes compute float32 matmuls in TF32 (10-bit mantissa) by default. The
kernels here start from tests/ipython_tf32, whose startup files turn on the offline datasets and
round both operands of every Keras matmul to TF32. `../shared/gpu-check/` confirms on a real GPU.
"""

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT, lesson_names

EMULATION_IS_ON = """
import numpy as np, keras
x = np.random.default_rng(0).normal(size=(4, 300)).astype("float32")
layer = keras.layers.Dense(50, use_bias=False)
tf32 = keras.ops.convert_to_numpy(layer(x)).astype("float64")
exact = x.astype("float64") @ keras.ops.convert_to_numpy(layer.kernel).astype("float64")
error = np.max(np.abs(tf32 - exact)) / np.max(np.abs(exact))
assert 1e-5 < error < 1e-2, f"TF32 emulation is not active: relative error {error:.2e}"
"""


@pytest.mark.parametrize("lesson", lesson_names())
def test_solution_passes_its_checks_under_tf32(course, lesson, monkeypatch):
    monkeypatch.setenv("IPYTHONDIR", str(ROOT / "tests" / "ipython_tf32"))
    path = course.solution_path(course.lesson(lesson))
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(EMULATION_IS_ON))
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
