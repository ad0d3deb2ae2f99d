"""One real grading run (worker + kernel + audit hook) of a small notebook with a canary in its hidden test.

The hidden test and the reference answer carry canary strings. After the sealed test has run (and failed, so
that the reference answer ran in the notebook, as error carried forward does), nothing readable is left of
them: no module in sys.modules, no line in linecache or IPython's history, no string or function reachable
through gc. A student cell that reaches for gc, thread frames or the kernel's memory is refused, and the
refusals come back as signed evidence; an exception the student kept holds no frame of the test. Outputs of every
kind are bounded.
"""

import builtins
import json
import uuid

import nbformat
import pytest

from grader.host.execute import Limits, run_isolated
from grader.host.grade import PACKAGE, package_files
from grader.host.match import ROLE_ANSWER, ROLE_EXTRA, _install_cell, _student_cell
from grader.host.sealing import seal_tests, unsealed
from grader.host.verdicts import read_records
from grader.run import kernel
from grader.run.seal import new_key

CANARIES = [f"canary-hidden-{uuid.uuid4().hex[:8]}", f"canary-answer-{uuid.uuid4().hex[:8]}"]

LESSON = f'''"""Hidden test with a canary: {CANARIES[0]}"""
from grader import checks
from grader.checks.provenance import answer_in
from grader.hidden import reference

SECRET = "{CANARIES[0]}"


def ex1(namespace):
    try:
        with checks.student_code("probe가 오류를 냈습니다.", "", ""):
            namespace["probe"]()
    except AssertionError:
        pass
    try:
        namespace["probe_again"]()
    except Exception:  # caught by the test itself: the exception keeps a traceback through this frame
        pass
    found = answer_in(namespace, "answer", "9-1", "answer에 답을 담으세요.")
    checks.equals("answer", found, reference("l99_ex1_answer", namespace, "answer"), "정답은 비밀입니다.")
'''
ANSWERS = f'ANSWERS = {{"l99_ex1_answer": "answer = 42  # {CANARIES[1]}\\n"}}\n'

TEST_A = '''# [검사 9-1] 비밀 답
from grader import checks

### BEGIN HIDDEN TESTS
from grader.hidden import carry_forward, lesson99
with carry_forward("l99_ex1_answer", globals()):
    lesson99.ex1(globals())
### END HIDDEN TESTS
checks.passed("연습 9-1")
'''

# The answer keeps the exception its probe raises during the test, and what sys.exc_info() shows while the test
# handles it: neither may keep the test's frames.
ANSWER = '''answer = 41
STASH = []
class Kept(Exception):
    def __str__(self):
        import sys
        STASH.append(sys.exc_info()[2])
        return "kept"
KEPT, KEPT_AGAIN = Kept(), ValueError()
def probe():
    raise KEPT
def probe_again():
    raise KEPT_AGAIN
'''

SNOOP = '''import sys, gc
report = {"modules": [m for m in sys.modules if m.startswith("grader.hidden")],
          "tracebacks": [KEPT.__traceback__ is None, STASH == [None]]}
for name, action in [("gc", gc.get_objects), ("threads", sys._current_frames),
                     ("memory", lambda: open("/proc/self/mem", "rb")),
                     ("test_frame", lambda: KEPT_AGAIN.__traceback__.tb_frame)]:
    try:
        action()
        report[name] = "allowed"
    except RuntimeError:
        report[name] = "refused"
    except AttributeError:  # the traceback is gone
        report[name] = "gone"
print(json.dumps(report))
'''

# The probe runs as a (trusted) test cell: it may walk gc. The needles are built at run time from hex, so its
# own code holds no canary.
PROBE = f'''# [검사 9-2] 남은 것 찾기
import gc, linecache, sys, types
needles = [bytes.fromhex(h).decode() for h in {[c.encode().hex() for c in CANARIES]!r}]
leftovers = [name for name in sys.modules if name.startswith("grader.hidden")]
leftovers += [name for name, entry in linecache.cache.items() if any(n in "".join(entry[2]) for n in needles)]
for obj in gc.get_objects():
    if isinstance(obj, types.FunctionType) and obj.__code__.co_filename.startswith("<grader:grader.hidden"):
        leftovers.append(obj.__qualname__)
    for ref in gc.get_referents(obj):
        if type(ref) in (str, bytes) and all(ref is not n for n in needles) and any(
                (n if type(ref) is str else n.encode()) in ref for n in needles):
            leftovers.append(repr(ref)[:80])
assert answer == 42, "the reference answer ran in the notebook (error carried forward)"
assert leftovers == [], leftovers
'''

HUGE_OUTPUTS = '''from IPython.display import display
print("가" * 2_000_000)
display({"image/png": "A" * 3_000_000}, raw=True)
'''


def _test_cell(source, grade_id):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id,
                                 "points": 1, "schema_version": 3, "task": False}
    return cell


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    nb = nbformat.v4.new_notebook(cells=[
        _install_cell(), nbformat.v4.new_code_cell("import json\nimport numpy as np\nfrom grader import checks"),
        _student_cell(ANSWER, ROLE_ANSWER, "9-1"), _test_cell(TEST_A, "l99_ex1_test"),
        _student_cell(SNOOP, ROLE_EXTRA), _test_cell(PROBE, "l99_ex2_test"),
        _student_cell(HUGE_OUTPUTS, ROLE_EXTRA)])
    files = package_files()
    sources = {"grader.hidden": (PACKAGE / "hidden" / "__init__.py").read_text(encoding="utf-8"),
               "grader.hidden.lesson99": LESSON, "grader.hidden.answers": "", "grader.hidden.answers.lesson99": ANSWERS}
    key = new_key()
    sealed, tests = seal_tests(nb, key, sources)
    folder = tmp_path_factory.mktemp("run")
    execution = run_isolated(sealed, folder, Limits(cell_timeout=60, notebook_timeout=180, memory_mb=4096),
                             files, key)
    return execution, read_records(execution.records, key, tests), unsealed(execution.notebook, nb), sealed, folder


def test_the_run_holds_the_canaries_only_sealed(run):
    _, _, _, sealed, folder = run
    for path in folder.rglob("*"):
        if path.is_file():
            assert not any(c.encode() in path.read_bytes() for c in CANARIES), path
    assert not any(c in json.dumps(sealed) for c in CANARIES)


def test_a_failed_test_carries_forward_and_leaves_nothing_readable(run):
    execution, report, _, _, _ = run
    assert execution.status == "ok", execution.detail
    verdicts = [report.verdicts.get(i) for i in (3, 5)]
    assert verdicts[0] is not None and not verdicts[0].passed and "answer의 값이 틀렸습니다" in verdicts[0].message
    assert not any(c in verdicts[0].message for c in CANARIES)
    assert verdicts[1] is not None and verdicts[1].passed, verdicts[1]


def test_student_code_is_refused_gc_frames_and_memory_with_signed_evidence(run):
    _, report, executed, _, _ = run
    printed = json.loads(executed.cells[4].outputs[0]["text"])
    assert printed == {"modules": [], "tracebacks": [True, True], "gc": "refused", "threads": "refused",
                       "memory": "refused", "test_frame": "gone"}
    refused = [item.detail[0] for item in report.evidence if item.kind == "refused" and item.cell == 4]
    assert sorted(refused) == ["introspection", "introspection", "memory"]


def test_every_output_kind_is_bounded(run):
    _, _, executed, _, _ = run
    outputs = executed.cells[6].outputs
    assert len(json.dumps(outputs)) < 2_200_000
    assert "output truncated" in outputs[0]["text"]
    assert "output of" in outputs[1]["text"] and outputs[1]["output_type"] == "stream"


def test_test_code_compiles_as_written_not_under_the_kernel_modules_future_imports():
    """grader.run.kernel has `from __future__ import annotations`; the test cells and hidden modules it compiles
    do not: their annotations are evaluated, as in the student's notebook."""
    source = "def f(x: int): pass\nannotation = f.__annotations__['x']\n"
    namespace = {"__builtins__": builtins}
    assert kernel._as_function(source, "<grader:l99_ex1_test>", namespace, vars(builtins))()["annotation"] is int
    hidden = kernel._Hidden({"grader.hidden": source}, ["grader.hidden"])
    assert hidden.load("grader.hidden").annotation is int
    hidden.close()
