"""Time each solution notebook's execution (nbval's view of the course) and print a table.

Usage: .venv/bin/python benchmarks/notebooks.py [LESSON ...] [--no-record]
Datasets come through the offline switch (tests/ipython), so this runs without internet.
The table replaces this run's section of benchmarks/RESULTS.md unless `--no-record`.
"""

import argparse
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

from benchmarks import results_file  # noqa: E402
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lessons to run (default: all)")
    results_file.add_option(parser)
    args = parser.parse_args(argv)
    course = load_course(ROOT)
    lessons = [course.lesson(name) for name in args.lessons] if args.lessons else course.lessons
    rows, total = [], 0.0
    for lesson in lessons:
        seconds, slow, first_line, cells = time_notebook(course.solution_path(lesson))
        total += seconds
        rows.append([f"`{lesson.name}`", f"{seconds:.1f}", cells, f"{slow:.1f}", first_line])
        print(f"{lesson.name}: {seconds:.1f} s", flush=True)
    rows.append(["전체", f"{total:.1f}", "", "", ""])
    text = (results_file.table(["레슨", "전체 (초)", "셀", "가장 느린 셀 (초)", "가장 느린 셀"], rows)
            + "\n\n커널 시작과 import는 레슨마다의 전체 시간에 들어 있습니다.")
    print(f"\n{text}")
    if not args.no_record:
        chosen = results_file.lesson_set([lesson.name for lesson in lessons], course)
        results_file.record(f"노트북 실행 시간 (notebooks.py, {chosen})", text)


if __name__ == "__main__":
    main()
