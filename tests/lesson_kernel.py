"""Run a solution notebook in one kernel and stop at each test cell, to try other answers there.

At each stop an answer can be tried against the full test cell (public checks + hidden tests, as
`grader grade` runs it) and against the public test cell alone (the released notebook's cell, hidden
region removed, as students run it in Colab).
"""

import functools
import json

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from grader.host.course import tomllib
from grader.hidden import NOTE
from grader.host.notebook import is_exercise, is_test, marker
from tests.conftest import ROOT


class Stop:
    """The kernel paused at one test cell: try an answer, then put the solution back."""

    def __init__(self, client, index, label, exercise, test, public):
        self.client, self.index, self.label, self.exercise, self.test = client, index, label, exercise, test
        self.public = public

    def run(self, source):
        self.client.execute_cell(nbformat.v4.new_code_cell(source), self.index)

    def attempt(self, code, public=None, then="restore"):
        """Run `code` as the exercise, then the test cell: None if it passed, else the error text.

        With a list `public`, the public test cell (as students run it) runs first, right after `code`,
        and its verdict (None or the error text; the exercise's own error when `code` fails, which students
        see as well) is appended to the list. `then` is the state the next attempt starts from:
        "restore": the solution's answer (a failing test cell's carry_forward has put the reference answer back,
        otherwise the solution's answer runs again); "keep": a passing answer's state stays (a correct answer's
        state is one the rest of the lesson must accept anyway), a failing one is restored; "leave": nothing is
        put back and the test cell runs without carry_forward, for an attempt that another attempt at the same
        stop follows (it replaces whatever this one left).
        """
        test = self.test if then != "leave" else LEAVE + self.test.replace("with carry_forward(", "with _judge_leave(")
        try:
            self.run(code)
            if public is not None:
                public.append(self._public_verdict())
            self.run(test)
        except CellExecutionError as error:
            if public is not None and not public:
                public.append(str(error))
            if then != "leave" and NOTE not in str(error):
                self.run(self.exercise)
            return str(error)
        if then == "restore":
            self.run(self.exercise)
        return None

    def _public_verdict(self):
        try:
            self.run(self.public)
        except CellExecutionError as error:
            return str(error)
        return None


LEAVE = """import contextlib as _judge_contextlib
_judge_leave = lambda exercise_id, namespace: _judge_contextlib.nullcontext()
"""

STATE = """import json as _json
print("KERNEL-STATE" + _json.dumps({_name: _value for _name, _value in dict(globals()).items()
                                   if isinstance(_value, (int, float)) and not isinstance(_value, bool)
                                   and not _name.startswith("_")}))
"""


def stops_at_tests(solution_path, state=None):
    """Yield a Stop at every test cell while the solution runs top to bottom in one kernel; at the end, put the
    kernel's global numbers (best_epoch, ...) in the dict `state`."""
    solution = nbformat.read(solution_path, as_version=4)
    released = nbformat.read(ROOT / "lessons" / solution_path.name, as_version=4)
    public = {marker(cell)[1]: cell.source for cell in released.cells if is_test(cell)}
    client = NotebookClient(solution, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(solution_path.parent)}})
    exercise = {}
    with client.setup_kernel():
        for index, cell in enumerate(solution.cells):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, index)
            if is_exercise(cell):
                exercise[marker(cell)[1]] = cell.source
            if is_test(cell):
                label = marker(cell)[1]
                yield Stop(client, index, label, exercise[label], cell.source, public[label])
        if state is not None:
            cell = client.execute_cell(nbformat.v4.new_code_cell(STATE), len(solution.cells) - 1)
            text = "".join(output.get("text", "") for output in cell.outputs)
            state.update(json.loads(text.split("KERNEL-STATE", 1)[1]))


def wrong_answers(lesson):
    from grader.host.samples import load_wrong_answers

    return load_wrong_answers(ROOT / "tests" / "corpus" / f"{lesson}.toml")


def alternatives(lesson):
    path = ROOT / "tests" / "alternatives" / f"{lesson}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))["alternative"] if path.exists() else []


def exercises_with_too_few(solution_path, cases, minimum):
    """Labels of the solution's exercises that have fewer than `minimum` of `cases`."""
    labels = {marker(cell)[1] for cell in nbformat.read(solution_path, as_version=4).cells if is_exercise(cell)}
    return [label for label in sorted(labels) if sum(case["exercise"] == label for case in cases) < minimum]


@functools.cache
def judge(solution_path, lesson):
    """Every wrong answer and every alternative of the lesson, tried in ONE run of the solution, at each test cell
    the wrong answers first (each but the last one at a stop without carry_forward's restore: the next attempt
    replaces its state), then the alternatives (a passing one's state stays for the next attempt and exercise):
    {"wrong": [(case, error or None)], "alternative": [(case, error or None)],
     "public": [(case, error or None)] for the wrong answers that break a requirement the task text states
     (`stated = true`: judged by the public test cell alone too), "state": {name: number}}."""
    cases = {"wrong": wrong_answers(lesson), "alternative": alternatives(lesson)}
    verdicts = {kind: [] for kind in cases}
    verdicts["public"], verdicts["state"] = [], {}
    for stop in stops_at_tests(solution_path, verdicts["state"]):
        here = [(kind, case) for kind, listed in cases.items() for case in listed if case["exercise"] == stop.label]
        for number, (kind, case) in enumerate(here, 1):
            public = [] if kind == "wrong" and case.get("stated") else None
            then = "keep" if kind == "alternative" else "restore" if number == len(here) else "leave"
            verdicts[kind].append((case, stop.attempt(case["code"], public, then)))
            if public:
                verdicts["public"].append((case, public[0]))
    return verdicts
