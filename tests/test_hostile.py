"""Hostile submissions are neutralized or reported, and never harm the batch or other students.

Each hostile submission answers every exercise correctly except one (the first, unless the trick
needs another), where it gives a typical wrong answer from tests/corpus/ and then tries to make that
wrong answer pass (or to do harm). That exercise must still fail; everything else must grade normally.
"""

import contextlib
import csv
import hashlib
import os
import shutil
import signal
import socket
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from grader.host import grade, report
from grader.host.codes import ReviewCode, Status
from grader.host.execute import Limits
from grader.host.grade import Assignment, grade_batch
from grader.host.results import Result
from grader.host.sandbox import resolve
from grader.host.notebook import is_exercise, is_test, marker, points
from grader.host.samples import filled, load_wrong_answers
from tests.conftest import ROOT

LIMITS = Limits(cell_timeout=20, notebook_timeout=90, memory_mb=4096)

PATCH_GRADER = """
import sys
import grader.checks
for module in [m for name, m in list(sys.modules.items()) if name.startswith("grader")]:
    for name in dir(module):
        if not name.startswith("__") and callable(getattr(module, name)):
            setattr(module, name, lambda *args, **kwargs: None)
"""

FAKE_PASS = 'print("✅ [연습 {label}] 공개 검사를 모두 통과했습니다.")\n'

SWALLOW_ERRORS = """
get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)
"""

REWRITE_PRIVATE_COPY = """
import pathlib
import grader.checks
for path in pathlib.Path(grader.checks.__file__).parent.parent.rglob("*.py"):
    path.write_text("def __getattr__(name):\\n    return lambda *a, **k: None\\n")
"""

REWRITE_CHECKOUT = """
import pathlib
(pathlib.Path(r"{checkout}") / "hidden" / "__init__.py").write_text("# 학생이 바꿈\\n")
"""

OVERWRITE_RESULTS = """
import pathlib
out = pathlib.Path(r"{out}")
for path in out.glob("*.json"):
    path.write_text('{{"student": "x", "score": 999}}')
(out / "grades.csv").write_text("student,score\\nme,999\\n")
"""

# fork, leave the session and become a long sleeper (MARKER in its command line): killed with the run
FORK_AND_HIDE = """
import os, sys
if os.fork() == 0:
    os.setsid()
    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{marker}"])
"""

# Unless the run puts Keras back before the test, this makes the wrong model of exercise 1-4 (relu output layer)
# pass: the output layer looks like softmax and every model call returns rows summing to 1.
PATCH_KERAS = """
import keras
keras.layers.Dense.activation = property(
    lambda self: keras.activations.softmax if self.units == 10 else keras.activations.relu,
    lambda self, value: None)
keras.Model.__call__ = lambda self, x, *args, **kwargs: keras.ops.softmax(keras.ops.ones((len(x), 10)))
"""
KERAS_TARGET = "1-4"

HUGE_MEMORY = "hog = bytearray(8 * 1024 ** 3)\n"

HUGE_OUTPUT = "print('가' * 50_000_000)\n"

# The attacks below need the sandbox: without it they would really do harm (delete the class,
# kill the user's processes). Each catches its own errors, as a real attacker would.
DELETE_OTHERS = """
import glob, os
for path in glob.glob(r"{folder}/*"):
    if "delete_others" not in path:
        try:
            os.remove(path)
        except OSError:
            pass
"""

OVERWRITE_OTHERS = """
import glob
for path in glob.glob(r"{folder}/*"):
    if "overwrite_others" not in path:
        try:
            with open(path, "w") as handle:
                handle.write("{{}}")
        except OSError:
            pass
"""

OVERWRITE_EARLIER = """
import glob
targets = glob.glob(r"{out}/*") + glob.glob(r"{out}/notebooks/*") + [r"{out}/evil.json", r"{out}/notebooks/evil.ipynb"]
for path in targets:
    try:
        with open(path, "w") as handle:
            handle.write('{{"student": "evil", "score": 999}}')
    except OSError:
        pass
"""

READ_OTHERS = """
import glob
for path in glob.glob(r"{folder}/*"):
    try:
        print(open(path, encoding="utf-8", errors="replace").read())
    except OSError as error:
        print(error)
"""

NETWORK = """
import socket
for host in ("127.0.0.1", "localhost"):
    try:
        connection = socket.create_connection((host, {port}), timeout=3)
        connection.sendall(b"answers please")
        connection.close()
    except OSError as error:
        print(error)
"""

SETSID_CLEAN_ENV = """
import subprocess, sys
subprocess.Popen(["setsid", sys.executable, "-c", "import time; time.sleep(600)", "{marker}"], env={{}},
                 start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
"""

FORK_BOMB = """
import os, time
try:
    while True:
        if os.fork() == 0:
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(1)
except OSError as error:
    print("fork:", error)
"""

FILL_DISK = """
import os
for path in ("/tmp/fill", "fill", os.path.expanduser("~/fill")):
    try:
        with open(path, "wb") as handle:
            while True:
                handle.write(bytes(1 << 20))
    except OSError as error:
        print(path, error)
"""

READ_ENVIRONMENT = """
import glob, os
print(dict(os.environ))
for path in glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline"):
    try:
        print(path, open(path, "rb").read())
    except OSError as error:
        print(path, error)
"""

# Safety belt: only inside a PID namespace other than the test's own (never kill -1 outside a sandbox).
KILL_PARENT = """
import os, signal
if os.readlink("/proc/self/ns/pid") != "{pid_namespace}":
    for target in (os.getppid(), 1, -1):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError as error:
            print(target, error)
"""

SANDBOX_ONLY = ("delete_others", "overwrite_others", "overwrite_earlier", "read_others", "network",
                "setsid_clean_env", "fork_bomb", "fill_disk", "read_environment", "kill_parent")
# These may end their own run early (the fork bomb usually hits the notebook timeout): their own grade varies.
DISRUPTIVE = ("fork_bomb", "kill_parent")


def labels(assignment):
    return [marker(c)[1] for c in assignment.solution.cells if is_exercise(c)]


def exercise_points(assignment, label):
    return sum(points(c) for c in assignment.solution.cells if is_test(c) and marker(c)[1] == label)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def processes_with(marker):
    """Host pids whose command line contains `marker`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if marker.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
    return found


class Listener(threading.Thread):
    """A TCP server on 127.0.0.1 that records every connection it gets."""

    def __init__(self):
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port, self.connections, self.running = self.server.getsockname()[1], [], True

    def run(self):
        while self.running:
            with contextlib.suppress(OSError):
                connection, address = self.server.accept()
                self.connections.append(address)
                connection.close()
        self.server.close()


@dataclass
class Batch:
    assignment: Assignment
    results: dict
    out: Path
    sandboxed: bool
    inputs_before: dict
    inputs_after: dict
    earlier: dict  # an earlier run's output files {relative path: bytes}
    leftover: list  # processes of the run found after the batch
    connections: list
    secret: str  # in the grading process's environment and in one innocent's notebook
    checkout: Path
    checkout_before: dict


@pytest.fixture(scope="module")
def hostile(course, tmp_path_factory):
    runner = resolve()  # GRADER_SANDBOX=bwrap (CI) makes a missing sandbox an error, not a skip
    sandboxed = runner.name == "bwrap"
    if sandboxed:
        runner.tmp_mb = 256  # the run's /tmp (fill_disk): small, so the test stays light
    lesson = course.lessons[0]
    assignment = Assignment.load(course, lesson, LIMITS)
    first = labels(assignment)[0]
    corpus = load_wrong_answers(ROOT / "tests" / "corpus" / f"{lesson.name}.toml")
    wrong = next(case["code"] for case in corpus if case["exercise"] == first)
    folder, out = tmp_path_factory.mktemp("class"), tmp_path_factory.mktemp("out")
    checkout = tmp_path_factory.mktemp("checkout") / "grader"
    shutil.copytree(grade.PACKAGE, checkout)
    marker, secret = f"hostile-{uuid.uuid4().hex}", f"secret-{uuid.uuid4().hex}"
    listener = Listener()
    listener.start()
    attacks = {
        "patch_grader": PATCH_GRADER,
        "fake_pass": FAKE_PASS.format(label=first),
        "swallow_errors": SWALLOW_ERRORS,
        "rewrite_copy": REWRITE_PRIVATE_COPY,
        "rewrite_checkout": REWRITE_CHECKOUT.format(checkout=checkout),
        "overwrite_results": OVERWRITE_RESULTS.format(out=out),
        "fork": FORK_AND_HIDE.format(marker=marker),
        "huge_memory": HUGE_MEMORY,
        "huge_output": HUGE_OUTPUT,
    }
    if sandboxed:
        attacks.update({
            "delete_others": DELETE_OTHERS.format(folder=folder),
            "overwrite_others": OVERWRITE_OTHERS.format(folder=folder),
            "overwrite_earlier": OVERWRITE_EARLIER.format(out=out),
            "read_others": READ_OTHERS.format(folder=folder),
            "network": NETWORK.format(port=listener.port),
            "setsid_clean_env": SETSID_CLEAN_ENV.format(marker=marker),
            "fork_bomb": FORK_BOMB,
            "fill_disk": FILL_DISK,
            "read_environment": READ_ENVIRONMENT,
            "kill_parent": KILL_PARENT.format(pid_namespace=os.readlink("/proc/self/ns/pid")),
        })
    answers = {name: {first: wrong + code} for name, code in attacks.items()}
    relu_output = next(case["code"] for case in corpus if case["exercise"] == KERAS_TARGET)
    answers["patch_keras"] = {KERAS_TARGET: relu_output + PATCH_KERAS}
    answers["innocent_wrong"] = {first: wrong}
    for name, answer in answers.items():
        nbformat.write(filled(assignment.released, assignment.solution, answer),
                       folder / f"{name}_{lesson.name}.ipynb")
    honest = filled(assignment.released, assignment.solution)
    honest.cells.insert(0, nbformat.v4.new_markdown_cell(f"개인 메모 (personal note): {secret}"))
    nbformat.write(honest, folder / f"honest_{lesson.name}.ipynb")

    earlier = {}
    if sandboxed:  # an earlier run's results for another student, in the same output folder
        previous = Result("earlier", lesson.name, f"earlier_{lesson.name}.ipynb", "old", "ok", score=1.0,
                          max_score=assignment.max_score(), sandbox="bwrap")
        report.write_student(previous, out)
        report.write_notebook(assignment.released, out / "notebooks" / "earlier.ipynb")
        earlier = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    inputs_before = {p.name: sha256(p) for p in folder.iterdir()}
    checkout_before = {str(p.relative_to(checkout)): p.read_bytes() for p in checkout.rglob("*.py")}

    original_package = grade.PACKAGE
    grade.PACKAGE = checkout  # the "checkout" a submission may find and rewrite is this copy
    os.environ["GRADER_TEST_SECRET"] = secret
    try:
        results, _, _ = grade_batch(sorted(folder.iterdir()), assignment, out, jobs=2, progress=False,
                                 sandbox=runner)
    finally:
        grade.PACKAGE = original_package
        del os.environ["GRADER_TEST_SECRET"]
        listener.running = False
    leftover = processes_with(marker)
    for pid in leftover:  # don't leave them behind even when the test fails
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    inputs_after = {p.name: sha256(p) for p in folder.iterdir()}
    return Batch(assignment, {r.student: r for r in results}, out, sandboxed, inputs_before, inputs_after,
                 earlier, leftover, listener.connections, secret, checkout, checkout_before)


def expected_score(batch, name):
    target = KERAS_TARGET if name == "patch_keras" else labels(batch.assignment)[0]
    full = batch.assignment.max_score()
    return full if name == "honest" else full - exercise_points(batch.assignment, target)


def failed(result):
    return {t.label for t in result.tests if not t.passed}


def test_honest_student_is_unaffected(hostile):
    results = hostile.results
    assert (results["honest"].status, results["honest"].score) == ("ok", hostile.assignment.max_score())
    assert results["innocent_wrong"].score == expected_score(hostile, "innocent_wrong")
    assert results["honest"].review == results["innocent_wrong"].review == []


@pytest.mark.parametrize("name", ["patch_grader", "patch_keras", "fake_pass", "swallow_errors",
                                  "overwrite_results", "fork", "huge_memory", "huge_output"])
def test_wrong_answer_still_fails_whatever_the_trick(hostile, name):
    target = KERAS_TARGET if name == "patch_keras" else labels(hostile.assignment)[0]
    result = hostile.results[name]
    assert failed(result) == {target}, name
    assert result.score == expected_score(hostile, name)


def test_tricks_on_the_grader_are_flagged_for_review(hostile):
    for name in ("patch_grader", "patch_keras", "swallow_errors", "rewrite_copy", "fork"):
        assert hostile.results[name].review, name


def test_rewriting_the_private_copy_is_reported_as_tampered(hostile):
    result = hostile.results["rewrite_copy"]
    if hostile.sandboxed:  # the private copy is read-only in the sandbox: the rewrite fails, the answer stays wrong
        assert (result.status, result.score) == ("ok", expected_score(hostile, "rewrite_copy"))
        assert ReviewCode.FILE in result.review_codes, result.review
    else:
        assert result.status == "tampered" and result.score == 0
        assert result.reason.startswith(Status.TAMPERED.reason) and "checks" in result.reason
    assert hostile.results["honest"].status == "ok"


def test_rewriting_the_checkout_is_flagged_for_review(hostile):
    result = hostile.results["rewrite_checkout"]
    flags = " ".join(result.review)
    if hostile.sandboxed:  # the checkout is not in the sandbox: nothing changes, the code is flagged
        after = {str(p.relative_to(hostile.checkout)): p.read_bytes() for p in hostile.checkout.rglob("*.py")}
        assert after == hostile.checkout_before
        assert result.score == expected_score(hostile, "rewrite_checkout") and result.review
    else:
        assert ReviewCode.CHECKOUT_CHANGED in result.review_codes and "grader/hidden/__init__.py" in flags


def test_overwritten_result_files_are_rewritten_at_the_end(hostile):
    out = hostile.out
    for student, result in hostile.results.items():
        assert f'"score": {result.score:g}' in (out / f"{student}.json").read_text(encoding="utf-8")
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert "999" not in {row["score"] for row in rows}
    assert len(rows) == len(hostile.results) + (1 if hostile.earlier else 0)  # + an earlier run's student


def test_escaped_child_process_is_killed(hostile):
    assert hostile.leftover == []


def test_huge_memory_and_output_are_contained(hostile):
    results, out = hostile.results, hostile.out
    assert "메모리 제한" in next(t.message for t in results["huge_memory"].tests if not t.passed)
    assert (out / "notebooks" / "huge_output.ipynb").stat().st_size < 2_000_000


def test_every_input_is_byte_identical_and_its_hash_recorded(hostile):
    assert hostile.inputs_after == hostile.inputs_before
    for result in hostile.results.values():
        assert result.sha256 == hostile.inputs_before[result.file], result.student
        assert result.sandbox == ("bwrap" if hostile.sandboxed else "none")


# -- attacks that only the sandbox stops ---------------------------------------------------------------

@pytest.fixture
def sandboxed(hostile):
    if not hostile.sandboxed:
        pytest.skip("bubblewrap를 쓸 수 없어 샌드박스 공격은 건너뜁니다 (set GRADER_SANDBOX=bwrap to require it)")
    return hostile


@pytest.mark.parametrize("name", [n for n in SANDBOX_ONLY if n not in DISRUPTIVE])
def test_attack_gets_nothing_and_grades_normally(sandboxed, name):
    result = sandboxed.results[name]
    assert (result.status, result.score) == ("ok", expected_score(sandboxed, name)), result.reason
    assert failed(result) == {labels(sandboxed.assignment)[0]}


@pytest.mark.parametrize("name", DISRUPTIVE)
def test_disruptive_attack_harms_only_its_own_run(sandboxed, name):
    result = sandboxed.results[name]
    assert result.status in ("ok", "crashed", "timeout") and result.score <= expected_score(sandboxed, name)
    assert labels(sandboxed.assignment)[0] in failed(result)


@pytest.mark.parametrize("name", SANDBOX_ONLY)
def test_attack_is_visible_to_the_instructor(sandboxed, name):
    result = sandboxed.results[name]
    assert result.review or result.status != "ok", name


def test_every_other_student_is_graded_as_if_alone(sandboxed):
    for name, result in sandboxed.results.items():
        if name not in DISRUPTIVE:
            assert result.score == expected_score(sandboxed, name), name


def test_output_folder_holds_only_what_the_grader_wrote(sandboxed):
    out = sandboxed.out
    expected = {"grades.csv", "intake.csv", "report.html", *sandboxed.earlier}
    for student in sandboxed.results:
        expected |= {f"{student}.json", f"{student}.html", f"notebooks/{student}.ipynb"}
    assert {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} == expected
    assert {path: (out / path).read_bytes() for path in sandboxed.earlier} == sandboxed.earlier


def test_other_submissions_and_secrets_stay_unreadable(sandboxed):
    """The secret is in the grading process's environment and in the honest student's notebook only."""
    for path in sandboxed.out.rglob("*"):
        if path.is_file():
            assert sandboxed.secret not in path.read_text(encoding="utf-8", errors="replace"), path


def test_network_is_loopback_only(sandboxed):
    assert sandboxed.connections == []
    executed = (sandboxed.out / "notebooks" / "network.ipynb").read_text(encoding="utf-8")
    assert "Connection refused" in executed


def test_disk_and_tmp_are_bounded(sandboxed):
    result = sandboxed.results["fill_disk"]
    assert ReviewCode.DISK_FULL in result.review_codes
    executed = (sandboxed.out / "notebooks" / "fill_disk.ipynb").read_text(encoding="utf-8")
    assert "No space left on device" in executed
