"""Grading throughput of `grader grade` vs plain `nbgrader autograde`, side by side in one run.

Usage: .venv/bin/python benchmarks/grading.py [--lesson 01_layers] [-n 24] [--jobs CORES] [--no-record]

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

The figures replace this run's section of benchmarks/RESULTS.md (one per measurement and lesson) unless `--no-record`.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("IPYTHONDIR", str(ROOT / "tests" / "ipython"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(ROOT))

from benchmarks import results_file  # noqa: E402
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


def sandbox_text(times):
    """The sandbox overhead as a Markdown table and the ratios."""
    none, bwrap = times["none"], times["bwrap"]
    rows = [[f"`--sandbox {name}`", f"{statistics.median(values):.2f}", [round(v, 2) for v in values]]
            for name, values in (("none", none), ("bwrap", bwrap))]
    ratio = statistics.median(b / n for b, n in zip(bwrap, none))
    return (results_file.table(["제출물 하나를 혼자 채점", "중앙값 (초)", "각 실행 (초)"], rows)
            + f"\n\n샌드박스 부담 ({len(none)}쌍을 번갈아): 쌍별 비율의 중앙값 **{100 * (ratio - 1):+.1f} %**, "
            f"중앙값끼리의 비율 {100 * (statistics.median(bwrap) / statistics.median(none) - 1):+.1f} % "
            "(목표 5 % 이하)")


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


def against_text(times, n):
    """This checkout and the other revision, median seconds per batch, as a Markdown table and their ratio."""
    (_, mine_times), (other, other_times) = times.items()
    rows = [[f"`{label}`" if label == other else label, f"{statistics.median(values):.1f}",
             [round(v, 1) for v in values]] for label, values in times.items()]
    ratio = statistics.median(a / b for a, b in zip(mine_times, other_times))
    return (results_file.table([f"`grader grade`, 제출물 {n}개", "중앙값 (초)", "회차마다 (초)"], rows)
            + f"\n\n이 저장소 / `{other}`: 쌍별 비율의 중앙값 **{ratio:.3f}** "
            f"(한도 1.10; {len(mine_times)}회를 번갈아)")


@dataclass
class Measurement:
    """What a run measured: its section of RESULTS.md, the figures (Markdown) and the exit status."""
    title: str
    text: str
    status: int = 0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="01_layers")
    parser.add_argument("-n", type=int, default=24, help="number of submissions")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sandbox-pairs", type=int, default=5, help="paired runs with/without the sandbox")
    parser.add_argument("--sandbox-only", action="store_true", help="only the sandbox overhead")
    parser.add_argument("--against", metavar="REV", help="only: this checkout vs commit REV, alternating")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of --against")
    results_file.add_option(parser)
    return parser.parse_args()


def main():
    args = parse_args()
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
    measured = measure(args, course, assignment, students, paths, work)
    print(f"\n{measured.text}")
    if not args.no_record:
        results_file.record(measured.title, measured.text)
    return measured.status


def measure(args, course, assignment, students, paths, work):
    """The measurement the options ask for: --against, --sandbox-only, or the comparison with nbgrader."""
    if args.against:
        times = against(args.against, assignment.lesson, paths[0].parent, work, args.jobs, args.rounds)
        return Measurement(f"이전 커밋과 비교한 처리량 (grading.py --against, {assignment.lesson})",
                           against_text(times, args.n))
    sandbox_times = None
    if probe():
        print(f"bubblewrap unavailable ({probe()}): no sandbox overhead measured")
    elif args.sandbox_pairs:
        sandbox_times = sandbox_overhead(assignment, paths[0], work, args.sandbox_pairs)
        if args.sandbox_only:
            return Measurement(f"샌드박스 부담 (grading.py --sandbox-only, {assignment.lesson})",
                               sandbox_text(sandbox_times))
    measured = compare(args, course, assignment, students, paths, work)
    if sandbox_times:
        measured.text += f"\n\n{sandbox_text(sandbox_times)}"
    return measured


def compare(args, course, assignment, students, paths, work):
    """`grader grade` and `nbgrader autograde` on the same class: throughput, scores, per-submission time."""
    lesson = course.lesson(assignment.lesson)
    started = time.perf_counter()
    results, _, _ = grade_batch(paths, assignment, work / "ours", jobs=args.jobs, progress=False)
    ours_seconds = time.perf_counter() - started
    ours = {r.student: r.score for r in results}

    (work / "nbgrader").mkdir()
    nbgrader_folder = make_course(course, lesson, work / "nbgrader")
    submit(nbgrader_folder, lesson, {student: nb for student, (nb, _) in students.items()})
    started = time.perf_counter()
    theirs = autograde(nbgrader_folder, lesson)
    nbgrader_seconds = time.perf_counter() - started

    intact = [s for s, (_, ok) in students.items() if ok]
    disagree = [s for s in intact if theirs.get(s) != ours.get(s)]
    rescued = [s for s, (_, ok) in students.items() if not ok and ours[s] > theirs.get(s, 0)]
    throughput = results_file.table(["", "걸린 시간 (초)", "분당 처리량"], [
        [f"`grader grade --jobs {args.jobs} --sandbox {results[0].sandbox}`", f"{ours_seconds:.1f}",
         f"{60 * args.n / ours_seconds:.1f}"],
        ["`nbgrader autograde` (직렬, 재실행 포함)", f"{nbgrader_seconds:.1f}",
         f"{60 * args.n / nbgrader_seconds:.1f}"],
        ["**비율**", "", f"**{nbgrader_seconds / ours_seconds:.2f}배** (목표 2배 이상)"]])
    scores = results_file.table(["제출물", "수"], [
        ["손상되지 않은 제출물 중 점수가 같은 것", f"{len(intact) - len(disagree)}/{len(intact)}"
         + (f"; DISAGREE: {disagree}" if disagree else "")],
        ["grader가 nbgrader보다 높게 채점한 손상된 제출물", f"{len(rescued)}/{args.n - len(intact)}"],
        ["nbgrader가 채점하지 못한 제출물 (0점; 빼고 다시 실행)", args.n - len(theirs)]])
    text = f"{throughput}\n\n{scores}\n\n{serial_text(assignment, paths, work)}"
    return Measurement(f"채점 처리량 (grading.py, {lesson.name})", text, 1 if disagree else 0)


def serial_text(assignment, paths, work):
    """One submission graded alone (jobs=1): the notebook's own code and the overhead, beside a bare import."""
    serial = [p for p in paths if "intact" in p.name][:3]
    started = time.perf_counter()
    serial_results, _, _ = grade_batch(serial, assignment, work / "serial", jobs=1, progress=False)
    per_submission = (time.perf_counter() - started) / len(serial)
    own = statistics.mean(
        own_code_seconds(nbformat.read(work / "serial" / "notebooks" / f"{r.student}.ipynb", as_version=4))
        for r in serial_results)
    bare = bare_import_seconds()
    return results_file.table(["제출물 하나를 혼자 채점 (`--jobs 1`)", "초"], [
        ["전체", f"{per_submission:.2f}"],
        ["노트북 자체 코드 (import 뒤)", f"{own:.2f}"],
        ["부가 시간 (프로세스·커널 시작, import)", f"{per_submission - own:.2f}"],
        ['`python -c "import tensorflow"`', f"{bare:.2f} (부가 시간은 이것의 {(per_submission - own) / bare:.2f}배)"]])


if __name__ == "__main__":
    sys.exit(main())
