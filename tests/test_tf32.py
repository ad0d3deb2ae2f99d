"""The TF32 emulation that nbval runs every solution under (see the root conftest) is really on.

Colab's A100/L4 runtimes compute float32 matmuls in TF32 (10-bit mantissa) by default. Kernels
started from tests/ipython_tf32 round both operands of every Keras matmul to TF32; if the startup
file stopped working, nbval would silently test exact arithmetic only. `../shared/gpu-check/`
confirms the same on a real GPU.
"""

import nbformat
from nbclient import NotebookClient

from tests.conftest import ROOT

EMULATION_IS_ON = """
import numpy as np, keras
x = np.random.default_rng(0).normal(size=(4, 300)).astype("float32")
layer = keras.layers.Dense(50, use_bias=False)
tf32 = keras.ops.convert_to_numpy(layer(x)).astype("float64")
exact = x.astype("float64") @ keras.ops.convert_to_numpy(layer.kernel).astype("float64")
error = np.max(np.abs(tf32 - exact)) / np.max(np.abs(exact))
assert 1e-5 < error < 1e-2, f"TF32 emulation is not active: relative error {error:.2e}"
import tensorflow as tf
with tf.GradientTape() as tape:
    total = keras.ops.sum(layer(x))
assert tape.gradient(total, layer.kernel) is not None, "TF32 emulation blocks gradients: models cannot train"
"""


def test_tf32_kernels_round_matmul_operands(monkeypatch):
    monkeypatch.setenv("IPYTHONDIR", str(ROOT / "tests" / "ipython_tf32"))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(EMULATION_IS_ON)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
