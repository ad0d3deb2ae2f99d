"""Time each solution notebook's execution (nbval's view of the course) and print a table.

Usage: .venv/bin/python benchmarks/notebooks.py [LESSON ...]
Datasets come through the offline switch (tests/ipython), so this runs without internet.
"""

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("IPYTHONDIR", str(ROOT / "tests" / "ipython"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(ROOT))

from grader.host.course import load_course  # noqa: E402


def time_notebook(path):
    """(seconds in total, seconds of the slowest cell, its first line, number of code cells)."""
    nb = nbformat.read(path, as_version=4)
    timings = []

    def record(cell, **_):
        start, end = cell.metadata["execution"]["iopub.execute_input"], cell.metadata[
            "execution"]["shell.execute_reply"]
        timings.append((_seconds(end) - _seconds(start), cell.source.splitlines()[0][:50]))

    started = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True,
                   resources={"metadata": {"path": str(path.parent)}},
                   on_cell_executed=record).execute()
    slowest = max(timings) if timings else (0.0, "")
    return time.perf_counter() - started, slowest[0], slowest[1], len(timings)


def _seconds(stamp):
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def main(names):
    course = load_course(ROOT)
    lessons = [course.lesson(name) for name in names] if names else course.lessons
    print(f"{'lesson':<24}{'total s':>9}{'cells':>7}{'slowest s':>11}  slowest cell")
    total = 0.0
    for lesson in lessons:
        seconds, slow, first_line, cells = time_notebook(course.solution_path(lesson))
        total += seconds
        print(f"{lesson.name:<24}{seconds:>9.1f}{cells:>7}{slow:>11.1f}  {first_line}")
    print(f"{'all':<24}{total:>9.1f}   (kernel start + imports included in each total)")


if __name__ == "__main__":
    main(sys.argv[1:])
