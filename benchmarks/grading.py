"""Grading throughput of `grader grade` vs plain `nbgrader autograde`, side by side in one run.

Usage: .venv/bin/python benchmarks/grading.py [--lesson 01_layers] [-n 24] [--jobs CORES]

Both graders get the same class of N submissions (correct, wrong and unanswered ones with intact
metadata, plus damaged ones: metadata stripped, cells reordered or duplicated, ...). Prints both
throughputs and their ratio, checks that the scores agree on the intact submissions, and splits a
serial per-submission time into the notebook's own code and the overhead around it (process and
kernel start, imports), next to the time of a bare `python -c "import tensorflow"`.
nbgrader's time includes the reruns it needs when it stops its batch on a damaged submission
(see `benchmarks.nbgrader_course.autograde`).

It also times one submission graded alone with and without the bubblewrap sandbox, alternating,
as the median of `--sandbox-pairs` paired runs (`--sandbox-only` skips everything else).

`--against REV` times `grader grade` of the same class with this checkout and with commit REV (a temporary git
worktree), alternating for `--rounds` rounds, and prints both medians and their ratio: whether a change kept the
throughput.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("IPYTHONDIR", str(ROOT / "tests" / "ipython"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(ROOT))

from grader.host.course import load_course  # noqa: E402
from grader.host.execute import Limits  # noqa: E402
from grader.host.grade import Assignment, grade_batch  # noqa: E402
from benchmarks.nbgrader_course import autograde, make_course, submit  # noqa: E402
from grader.host.samples import filled, load_wrong_answers, sample_class  # noqa: E402
from grader.host.sandbox import Bubblewrap, NoSandbox, probe  # noqa: E402

DAMAGED = ("stripped", "reordered", "extra", "markdown", "duplicated", "nbformat40")


def make_class(assignment, wrong, n):
    """{student: (notebook, intact)}: two intact submissions for every damaged one."""
    solution, released = assignment.solution, assignment.released
    intact = [filled(released, solution)] + [
        filled(released, solution, {case["exercise"]: case["code"]}) for case in wrong] + [released]
    samples = sample_class(solution, released, assignment.lesson, wrong)
    damaged = [nb for name, nb in samples.items() if name.split("_")[1] in DAMAGED]
    students = {}
    for i in range(n):
        if i % 3 == 2:
            students[f"{i + 1:04d}_damaged"] = (damaged[(i // 3) % len(damaged)], False)
        else:
            students[f"{i + 1:04d}_intact"] = (intact[(i - i // 3) % len(intact)], True)
    return students


def bare_import_seconds(runs=3):
    """Median wall time of `python -c "import tensorflow"`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import tensorflow"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _seconds(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def own_code_seconds(executed):
    """Time spent in the lesson's own code cells, leaving out the first (imports) and the grader's own cells."""
    lesson_cells = [c for c in executed.cells if c.cell_type == "code"
                    and c.metadata.get("grader", {}).get("role") != "install"]
    total = 0.0
    for cell in lesson_cells[1:]:
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            total += _seconds(timing["shell.execute_reply"]) - _seconds(timing["iopub.execute_input"])
    return total


def sandbox_overhead(assignment, path, work, pairs):
    """Seconds per submission {runner: [per pair]}: graded alone (jobs=1), the two runners alternating."""
    runners = [NoSandbox(), Bubblewrap()]
    for runner in runners:
        runner.prepare(assignment.solution)
    times = {runner.name: [] for runner in runners}
    for i in range(pairs):
        for runner in runners if i % 2 == 0 else runners[::-1]:  # alternate the order: no warm-cache bias
            started = time.perf_counter()
            results, _, _ = grade_batch([path], assignment, work / f"sandbox-{runner.name}", jobs=1, force=True,
                                     progress=False, sandbox=runner)
            times[runner.name].append(time.perf_counter() - started)
            assert results[0].status == "ok" and results[0].sandbox == runner.name, results[0]
    return times


def print_sandbox_overhead(times):
    none, bwrap = times["none"], times["bwrap"]
    print(f"sandbox overhead, one submission graded alone, median of {len(none)} paired runs:")
    print(f"  without sandbox (--sandbox none):   {statistics.median(none):6.2f} s   {[round(t, 2) for t in none]}")
    print(f"  with bubblewrap (--sandbox bwrap):  {statistics.median(bwrap):6.2f} s   {[round(t, 2) for t in bwrap]}")
    ratio = statistics.median(b / n for b, n in zip(bwrap, none))
    print(f"  overhead: median of paired ratios {100 * (ratio - 1):+.1f} %, ratio of medians "
          f"{100 * (statistics.median(bwrap) / statistics.median(none) - 1):+.1f} %  (target <= 5 %)")


def grade_seconds(tree, lesson, folder, out, jobs):
    """Wall time of `grader grade` (the CLI, in its own process) run from the checkout `tree`."""
    env = dict(os.environ, PYTHONPATH=str(tree), IPYTHONDIR=str(Path(tree) / "tests" / "ipython"))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.host.cli", "--course", str(tree), "grade", "--lesson", lesson,
                    "--out", str(out), "--force", "--jobs", str(jobs), str(folder)], cwd=tree, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def against(revision, lesson, folder, work, jobs, rounds):
    """Median seconds per batch {label: [...]} for this checkout and `revision`, alternating."""
    baseline = work / "baseline"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(baseline), revision], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trees = {"this checkout": ROOT, revision: baseline}
    times = {label: [] for label in trees}
    try:
        for i in range(rounds):
            for label, tree in (list(trees.items()) if i % 2 == 0 else list(trees.items())[::-1]):
                times[label].append(grade_seconds(tree, lesson, folder, work / f"against-{i}", jobs))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)], check=False)
    return times


def print_against(times, n):
    (mine, mine_times), (other, other_times) = times.items()
    print(f"grader grade, {n} submissions, alternating, median of {len(mine_times)} rounds:")
    for label, values in times.items():
        print(f"  {label:<22}{statistics.median(values):7.1f} s   {[round(t, 1) for t in values]}")
    ratio = statistics.median(a / b for a, b in zip(mine_times, other_times))
    print(f"  this checkout / {other}: median of paired ratios {ratio:.3f}  (target <= 1.10)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="01_layers")
    parser.add_argument("-n", type=int, default=24, help="number of submissions")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sandbox-pairs", type=int, default=5, help="paired runs with/without the sandbox")
    parser.add_argument("--sandbox-only", action="store_true", help="only the sandbox overhead")
    parser.add_argument("--against", metavar="REV", help="only: this checkout vs commit REV, alternating")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of --against")
    args = parser.parse_args()

    course = load_course(ROOT)
    lesson = course.lesson(args.lesson)
    assignment = Assignment.load(course, lesson, Limits())
    wrong = load_wrong_answers(ROOT / "tests" / "corpus" / f"{lesson.name}.toml")
    students = make_class(assignment, wrong, args.n)
    work = Path(tempfile.mkdtemp(prefix="grading-bench-"))
    print(f"{lesson.name}: {args.n} submissions ({sum(i for _, i in students.values())} intact), "
          f"{args.jobs} jobs, work folder {work}")

    folder = work / "class"
    folder.mkdir()
    paths = []
    for student, (nb, _) in students.items():
        paths.append(folder / f"{student}_{lesson.name}.ipynb")
        nbformat.write(nb, paths[-1])
    if args.against:
        print_against(against(args.against, lesson.name, folder, work, args.jobs, args.rounds), args.n)
        return 0
    sandbox_times = None
    if probe():
        print(f"bubblewrap unavailable ({probe()}): no sandbox overhead measured")
    elif args.sandbox_pairs:
        sandbox_times = sandbox_overhead(assignment, paths[0], work, args.sandbox_pairs)
        if args.sandbox_only:
            print_sandbox_overhead(sandbox_times)
            return 0
    started = time.perf_counter()
    results, _, _ = grade_batch(paths, assignment, work / "ours", jobs=args.jobs, progress=False)
    print(f"grader grade ran with --sandbox {results[0].sandbox}")
    ours_seconds = time.perf_counter() - started
    ours = {r.student: r.score for r in results}

    (work / "nbgrader").mkdir()
    nbgrader_folder = make_course(course, lesson, work / "nbgrader")
    submit(nbgrader_folder, lesson, {student: nb for student, (nb, _) in students.items()})
    started = time.perf_counter()
    theirs = autograde(nbgrader_folder, lesson)
    nbgrader_seconds = time.perf_counter() - started

    serial = [p for p in paths if "intact" in p.name][:3]
    started = time.perf_counter()
    serial_results, _, _ = grade_batch(serial, assignment, work / "serial", jobs=1, progress=False)
    per_submission = (time.perf_counter() - started) / len(serial)
    own = statistics.mean(
        own_code_seconds(nbformat.read(work / "serial" / "notebooks" / f"{r.student}.ipynb", as_version=4))
        for r in serial_results)
    bare = bare_import_seconds()

    intact = [s for s, (_, ok) in students.items() if ok]
    disagree = [s for s in intact if theirs.get(s) != ours.get(s)]
    rescued = [s for s, (_, ok) in students.items() if not ok and ours[s] > theirs.get(s, 0)]
    print()
    print(f"{'grader':<22}{'seconds':>9}{'submissions/min':>17}")
    print(f"{'grader grade':<22}{ours_seconds:>9.1f}{60 * args.n / ours_seconds:>17.1f}")
    print(f"{'nbgrader autograde':<22}{nbgrader_seconds:>9.1f}{60 * args.n / nbgrader_seconds:>17.1f}")
    print(f"throughput ratio (grader / nbgrader): {nbgrader_seconds / ours_seconds:.2f}x  (target >= 2x)")
    print()
    print(f"scores on intact submissions: {len(intact) - len(disagree)}/{len(intact)} agree"
          + (f"; DISAGREE: {disagree}" if disagree else ""))
    print(f"damaged submissions scored higher by grader than by nbgrader: {len(rescued)}/{args.n - len(intact)}")
    print(f"submissions nbgrader could not grade (counted as 0; nbgrader reran without them): "
          f"{args.n - len(theirs)}")
    print()
    print(f"serial per-submission time (jobs=1):     {per_submission:6.2f} s")
    print(f"  notebook's own code (after imports):    {own:6.2f} s")
    print(f"  overhead (process, kernel, imports):    {per_submission - own:6.2f} s")
    print(f"bare `python -c \"import tensorflow\"`:     {bare:6.2f} s  "
          f"(overhead = {(per_submission - own) / bare:.2f}x bare import)")
    if sandbox_times:
        print()
        print_sandbox_overhead(sandbox_times)
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
