import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Kernels started by nbval and by the grader read keras.datasets from local files (offline CI).
os.environ.setdefault("IPYTHONDIR", str(ROOT / "tests" / "ipython"))


@pytest.fixture(scope="session")
def course():
    from grader.course import load_course

    return load_course(ROOT)
