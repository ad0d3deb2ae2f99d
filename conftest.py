"""Settings for every pytest run, including `pytest solutions/` alone (nbval)."""

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent / "tests"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Kernels started by nbval and by the grader read keras.datasets from local files (offline CI).
OFFLINE = os.environ.setdefault("IPYTHONDIR", str(TESTS / "ipython"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """nbval runs every solution notebook with TF32 matrix products, as Colab's A100/L4 GPUs compute them
    (tests/ipython_tf32: offline datasets + operands rounded to a 10-bit mantissa); other kernels run exact."""
    is_notebook_cell = type(item.parent).__name__ == "IPyNbFile"
    os.environ["IPYTHONDIR"] = str(TESTS / "ipython_tf32") if is_notebook_cell else OFFLINE
