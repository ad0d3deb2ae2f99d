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


CORPUS_TESTS = ("tests/test_wrong_answers.py::", "tests/test_alternatives.py::", "tests/test_real_data.py::")


def corpus_lesson(nodeid):
    """The lesson of a wrong-answer, alternatives or real-data test (one kernel run per lesson), else None."""
    return nodeid.rsplit("[", 1)[1].rstrip("]") if nodeid.startswith(CORPUS_TESTS) and "[" in nodeid else None


def pytest_configure(config):
    """Make the offline datasets once, before any kernel (or xdist worker) could race to write them."""
    if not hasattr(config, "workerinput"):
        from grader.datasets import default_folder

        default_folder()


def pytest_collection_modifyitems(items):
    """The longest runs first, so that on several workers they start early: the simulated Colab environment
    (it installs a fresh venv), then the corpus tests, the slowest (later) lessons first."""
    colab = [item for item in items if item.nodeid.startswith("tests/test_colab_env.py::")]
    corpus = sorted((item for item in items if corpus_lesson(item.nodeid)),
                    key=lambda item: corpus_lesson(item.nodeid), reverse=True)
    items[:] = colab + corpus + [item for item in items if item not in colab and not corpus_lesson(item.nodeid)]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` runs on 2 workers (pytest-xdist). A whole file (its module fixtures; a notebook's cells in
    one kernel) stays on one worker, so do both corpus tests of a lesson; a worker gets its next unit
    when it is down to its last test, in collection order."""
    from xdist.scheduler import LoadScopeScheduling

    class LessonScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return corpus_lesson(nodeid) or nodeid.split("::", 1)[0]

        def _reschedule(self, node):
            if not node.shutting_down and self.workqueue and self._pending_of(self.assigned_work[node]) > 1:
                return
            super()._reschedule(node)

    config.option.loadscopereorder = False
    return LessonScheduling(config, log)
