"""Settings for every pytest run, including `pytest solutions/` alone (nbval)."""

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Kernels started by nbval and by the grader read keras.datasets from local files (offline CI).
os.environ.setdefault("IPYTHONDIR", str(Path(__file__).resolve().parent / "tests" / "ipython"))
