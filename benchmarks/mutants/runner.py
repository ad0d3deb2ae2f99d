"""Judging in a kernel: one kernel per lesson runs the solution; at each test cell every chosen mutant of that
exercise runs in place of the answer, then the test cell (an error there: `test`; in the mutant: `crash`; past the
time limit: `timeout`), then the solution's cells again. `confirm` grades a few through the real `grader grade`.
"""

import ast
import itertools
import json
import os
import random
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from benchmarks.mutants.mutant import KILLED, LessonResult, mutants_of
from benchmarks.mutants.operators import NEEDS_KERNEL, assignments
from grader.host.notebook import answer_of, is_exercise, is_test, marker, solution_region, statement_start


def with_answer(cell_source, answer):
    """The exercise cell's source with its answer (as `answer_of` gives it) replaced; marker, comments and
    trailing code kept. Markers inside a given `def`: the answer brings the def line, so it replaces it."""
    lines = cell_source.splitlines(keepends=True)
    begin, end = solution_region(lines)
    if lines[begin][0].isspace():
        return "".join(lines[:statement_start(lines, begin)]) + answer + "".join(lines[end + 1:])
    return "".join(lines[:begin + 1]) + answer + "".join(lines[end:])


def sample(mutants, n, seed, key):
    """At most n of the mutants, chosen at random (seeded by `seed` and `key`), in their order."""
    if n is None or len(mutants) <= n:
        return list(mutants)
    chosen = set(random.Random(f"{seed}:{key}").sample(range(len(mutants)), n))
    return [m for i, m in enumerate(mutants) if i in chosen]


PROBE = '''
def _mutants_probe(wanted):
    import json, keras, numpy
    def plain(v):
        if isinstance(v, (bool, numpy.bool_)):
            return None
        if isinstance(v, (int, float, numpy.integer, numpy.floating)):
            return v.item() if hasattr(v, "item") else v
        if isinstance(v, tuple) and 0 < len(v) <= 4 and all(
                x is None or (isinstance(x, (int, float)) and not isinstance(x, bool)) for x in v):
            return list(v)
        return None
    def trained(v):
        try:
            return isinstance(v, keras.Model) and v.optimizer is not None and int(v.optimizer.iterations) > 0
        except Exception:
            return False
    names = {n: v for n, v in globals().items() if not n.startswith("_")}
    print("MUTANTS-PROBE" + json.dumps({
        "names": sorted(names),
        "trained": sorted(n for n, v in names.items() if trained(v)),
        "dicts": sorted(n for n, v in names.items() if isinstance(v, dict)),
        "values": {n: plain(names[n]) for n in wanted if n in names}}))
_mutants_probe(%r)
del _mutants_probe
'''



class Kernel:
    """One kernel running a solution notebook, able to try code at a cell's place."""

    def __init__(self, client, timeout):
        self.client, self.timeout = client, timeout

    def run(self, source, index, timeout=None):
        """None when `source` ran without an error, 'timeout', or the error ('Name: message')."""
        from nbclient.exceptions import CellExecutionError

        self.client.timeout = timeout or self.timeout
        cell = nbformat.v4.new_code_cell(source)
        try:
            self.client.execute_cell(cell, index)
        except CellExecutionError as error:
            if error.ename == "MutantTimeout":
                return "timeout"
            return f"{error.ename}: {error.evalue}"[:500]
        self.outputs = cell.outputs
        return None

    def probe(self, answer, index):
        """What the kernel knows now: global names, trained models, dicts, values of the answer's names."""
        wanted = sorted({name for _, name in assignments(ast.parse(answer))})
        error = self.run(PROBE % (wanted,), index)
        if error is not None:
            print(f"  (kernel probe failed, no {', '.join(sorted(NEEDS_KERNEL))} mutants here: {error})")
            return None
        text = "".join(o.get("text", "") for o in self.outputs if o.get("name") == "stdout")
        return json.loads(text.split("MUTANTS-PROBE", 1)[1])


def try_mutant(kernel, mutant, exercise_cell, test_cell, index):
    """Run the mutant in place of the answer, then the test cell; sets the mutant's verdict."""
    started = time.perf_counter()
    error = kernel.run(with_answer(exercise_cell.source, mutant.source), index)
    if error is None:
        error = kernel.run(test_cell.source, index)
        mutant.verdict = "survived" if error is None else ("timeout" if error == "timeout" else "test")
    else:
        mutant.verdict = "timeout" if error == "timeout" else "crash"
    mutant.message = error or ""
    mutant.seconds = round(time.perf_counter() - started, 2)


def restore(kernel, exercise_cell, test_cell, index, slow_timeout):
    """Run the solution's exercise and test cells again; None when they pass (two tries), else the error."""
    for _ in range(2):
        error = kernel.run(exercise_cell.source, index, slow_timeout) or kernel.run(
            test_cell.source, index, slow_timeout)
        if error is None:
            return None
    return error


def judge_lesson(course, lesson, labels=None, n=None, seed=0, timeout=120, log=print):
    """Run one lesson's solution in a kernel and judge the mutants of its exercises (all or `labels`)."""
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    started = time.perf_counter()
    solution = nbformat.read(course.solution_path(lesson), as_version=4)
    result = LessonResult(lesson.name)
    slow = max(600, timeout)
    client = _client(solution, course.root / "solutions", slow)
    kernel, exercises = Kernel(client, timeout), {}
    with client.setup_kernel(stderr=subprocess.DEVNULL):  # TensorFlow's start-up noise
        for index, cell in enumerate(solution.cells):
            if cell.cell_type != "code":
                continue
            client.timeout = slow
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                result.errors.append(f"{' '.join(marker(cell) or [f'cell {index}'])}: the solution cell fails: "
                                     f"{error.ename}: {error.evalue}"[:300])
                continue
            except DeadKernelError:
                result.errors.append(f"cell {index}: the kernel died; the rest of the lesson is not judged")
                break
            if is_exercise(cell):
                exercises[marker(cell)[1]] = cell
            label = marker(cell)[1] if is_test(cell) and marker(cell) else None
            if label and label in exercises and (not labels or label in labels):
                judge_exercise(kernel, result, exercises[label], cell, index, n, seed, slow, log)
    result.seconds = round(time.perf_counter() - started, 1)
    return result


def _client(solution, folder, slow):
    """A notebook client for the solution; a mutant past its time limit raises MutantTimeout."""
    from nbclient import NotebookClient

    return NotebookClient(solution, timeout=slow, kernel_name="python3", interrupt_on_timeout=True,
                          error_on_timeout={"ename": "MutantTimeout", "evalue": "time limit", "traceback": []},
                          resources={"metadata": {"path": str(folder)}})


def judge_exercise(kernel, result, exercise_cell, test_cell, index, n, seed, slow, log):
    label = marker(test_cell)[1]
    answer = answer_of(exercise_cell)
    started = time.perf_counter()
    made = mutants_of(answer, kernel.probe(answer, index), result.lesson, label)
    result.mutants.extend(made)
    chosen = sample(made, n, seed, f"{result.lesson}:{label}")
    for mutant in chosen:
        try_mutant(kernel, mutant, exercise_cell, test_cell, index)
        error = restore(kernel, exercise_cell, test_cell, index, slow)
        if error:
            result.errors.append(f"연습 {label}: the solution fails its test after mutant {mutant.id}: {error}")
    counts = {v: sum(m.verdict == v for m in chosen) for v in ("test", "crash", "timeout", "survived")}
    log(f"  {result.lesson} {label}: {len(chosen)}/{len(made)} mutants, killed {counts['test']} by the test, "
        f"{counts['crash']} crash, {counts['timeout']} timeout, survived {counts['survived']} "
        f"({time.perf_counter() - started:.1f} s)")



@dataclass
class Confirmation:
    """Mutants graded through `grader grade`: how many, and where the grader and the harness disagree."""
    graded: int
    disagreements: list[str]


def confirm(course, results, n, seed, log=print):
    """Grade n judged mutants with the real pipeline and compare the verdicts."""
    judged = [m for r in results for m in r.mutants if m.verdict in ("test", "crash", "survived", "equivalent")]
    chosen = random.Random(seed).sample(judged, min(n, len(judged)))
    disagreements = []
    for lesson_name, group in itertools.groupby(sorted(chosen, key=lambda m: m.lesson), key=lambda m: m.lesson):
        group = list(group)
        graded = _graded(course, lesson_name, group)
        for mutant in group:
            tests = [t for t in graded[f"m{mutant.id}"].tests if t.label == mutant.exercise]
            lost = not tests or any(t.points < t.max_points for t in tests)
            if lost != (mutant.verdict in KILLED):
                disagreements.append(f"{lesson_name} {mutant.id} ({mutant.exercise}, {mutant.description}): "
                                     f"harness {mutant.verdict}, grader {'lost points' if lost else 'full points'}")
    log(f"\nconfirm: {len(chosen) - len(disagreements)}/{len(chosen)} mutants graded by `grader grade` agree")
    for line in disagreements:
        log(f"  DISAGREE {line}")
    return Confirmation(len(chosen), disagreements)


def _graded(course, lesson_name, mutants):
    """{student: result} of `grader grade` over one lesson's mutants, each a submission named m<id>."""
    from grader.host.execute import Limits
    from grader.host.grade import Assignment, grade_batch
    from grader.host.samples import filled

    assignment = Assignment.load(course, course.lesson(lesson_name), Limits())
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "in").mkdir()
        files = []
        for mutant in mutants:
            files.append(folder / "in" / f"m{mutant.id}_{lesson_name}.ipynb")
            nbformat.write(filled(assignment.released, assignment.solution, {mutant.exercise: mutant.source}),
                           files[-1])
        graded, _, _ = grade_batch(files, assignment, folder / "out", jobs=os.cpu_count() or 1, force=True,
                                   progress=False)
    return {r.student: r for r in graded}
