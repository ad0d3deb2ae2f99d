import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def course():
    from grader.course import load_course

    return load_course(ROOT)
