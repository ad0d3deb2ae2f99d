"""Sealed tests and signed records: what a run is given cannot be read, what it reports cannot be forged.

Host-side units, no kernel: grader.run.seal, grader.host.sealing, grader.host.verdicts, grader.host.execute's
choice of files.
"""

import json
import re

import pytest

from grader.host.execute import Limits, kernel_files
from grader.host.grade import Assignment, package_files
from grader.host.match import assemble
from grader.host.sealing import HIDDEN_REGION, SealedTest, seal_tests, unsealed, visible_names
from grader.host.verdicts import read_records
from grader.run.seal import crypto, new_key
from tests.conftest import lesson_names

SEAL = crypto()


def test_a_sealed_text_opens_only_with_its_key_and_unchanged():
    key, plain = new_key(), "숨은 테스트: assert answer == 42".encode()
    text = SEAL.seal(key, plain)
    assert SEAL.unseal(key, text) == plain and plain not in text.encode() and "answer" not in text
    with pytest.raises(ValueError):
        SEAL.unseal(new_key(), text)
    damaged = text[:30] + ("A" if text[30] != "A" else "B") + text[31:]
    with pytest.raises(ValueError):
        SEAL.unseal(key, damaged)


def _line(key, body):
    return f"{SEAL.sign(key, body.encode())} {body}"


def test_only_signed_in_order_verdicts_of_their_own_test_count():
    key = new_key()
    tests = [SealedTest(3, "l01_ex1_test", "a" * 32), SealedTest(5, "l01_ex2_test", "b" * 32)]
    lines = [
        [0, _line(key, "(1, 'installed')")],
        [3, _line(key, f"(2, 'verdict', '{'a' * 32}', True, '', '')")],
        [3, _line(new_key(), f"(3, 'verdict', '{'b' * 32}', True, '', '')")],  # another key
        [5, _line(key, f"(2, 'verdict', '{'b' * 32}', True, '', '')")],  # a replayed sequence number
        [5, f"{'0' * 32} (4, 'verdict', '{'b' * 32}', True, '', '')"],  # made up by the student's code
        [7, _line(key, f"(5, 'verdict', '{'b' * 32}', True, '', '')")],  # outside its test's cell
        [4, _line(key, "(6, 'file', '/grading/graded.ipynb')")],
    ]
    report = read_records(lines, key, tests)
    assert report.installed and set(report.verdicts) == {3} and report.verdicts[3].passed
    kinds = [(item.cell, item.kind) for item in report.evidence]
    assert kinds == [(7, "late_verdict"), (4, "file"), (-1, "forged")]
    assert report.evidence[-1].detail == (3,)


@pytest.fixture(scope="module")
def sealed_lessons(course):
    """Every lesson's graded notebook of an unanswered submission (so that no answer is the student's own),
    sealed, with the key, the secrets and the original."""
    out = {}
    for name in lesson_names():
        assignment = Assignment.load(course, course.lesson(name), Limits())
        assembly = assemble(assignment.solution, assignment.released, assignment.released)
        key = new_key()
        sealed, tests = seal_tests(assembly.notebook, key, assignment.hidden)
        out[name] = (assignment, assembly.notebook, sealed, tests, key)
    return out


def _secret_lines(assignment):
    """Lines of hidden-test code (regions and modules) long enough to be telling, and not in the student notebook."""
    released = "\n".join(cell.source for cell in assignment.released.cells)
    texts = list(assignment.hidden.values()) + [m.group() for cell in assignment.solution.cells
                                                 for m in HIDDEN_REGION.finditer(cell.source)]
    lines = {line.strip() for text in texts for line in text.splitlines()}
    return [line for line in lines if len(line) >= 30 and line not in released]


@pytest.mark.parametrize("lesson", lesson_names())
def test_a_sealed_notebook_holds_no_hidden_code_and_opens_to_every_test(sealed_lessons, lesson):
    assignment, original, sealed, tests, key = sealed_lessons[lesson]
    text = json.dumps(sealed, ensure_ascii=False)
    assert [line for line in _secret_lines(assignment) if line in text] == []
    assert "grader.hidden" not in text and "ANSWERS" not in text
    for test in tests:
        cell = sealed.cells[test.index]
        payload = SEAL.unseal(key, re.search(r'"([^"]+)"', cell.source)[1])
        assert payload[:32].decode() == test.nonce
        assert json.loads(payload[32:])["code"] == original.cells[test.index].source
    assert unsealed(sealed, original).cells == original.cells


def test_visible_names_are_what_the_check_code_assigns_in_the_notebook():
    source = ("from grader import checks\n\n### BEGIN HIDDEN TESTS\nfrom grader.hidden import carry_forward, lesson01\n"
              "secret = 1\n### END HIDDEN TESTS\nkernel = f(dense)\nfor name in ['a']:\n    mine, (x, y) = 1, (2, 3)\n"
              "squares = [k * k for k in range(3)]\n")
    assert visible_names(source) == ["checks", "kernel", "mine", "name", "squares", "x", "y"]


def test_a_run_gets_no_instructor_code_hidden_tests_or_answers():
    files = kernel_files(package_files())
    assert "run/kernel.py" in files and "checks/__init__.py" in files
    assert not [path for path in files if path.startswith(("host/", "hidden/"))]


def test_review_flags_name_the_cell_and_the_evidence_grouped():
    import nbformat

    from grader.host.match import ROLE_ANSWER, ROLE_EXTRA, _install_cell, _student_cell
    from grader.host.codes import ReviewCode, Status
    from grader.host.review import evidence_flags
    from grader.host.verdicts import Evidence, RunReport, Verdict

    test = nbformat.v4.new_code_cell("# [검사 1-2] 정방향 계산\n")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "l01_ex2_test", "points": 2}
    test.execution_count = 3
    later = nbformat.v4.new_code_cell("# [검사 1-3] 예측\n", execution_count=5)
    later.metadata["nbgrader"] = {"grade": True, "grade_id": "l01_ex3_test", "points": 2}
    nb = nbformat.v4.new_notebook(cells=[_install_cell(), _student_cell("x = 1", ROLE_ANSWER, "1-2"), test,
                                         _student_cell("y = 2", ROLE_EXTRA), later])
    report = RunReport(verdicts={2: Verdict(True)}, installed=True, evidence=[
        Evidence(1, "file", ("/grading/a",)), Evidence(1, "file", ("/grading/b",)), Evidence(2, "thread", (1,)),
        Evidence(3, "refused", ("ctypes", "123", "f, 2행 (line)")), Evidence(4, "thread", (1,))])
    flags = evidence_flags(report, nb, Status.OK)
    assert [flag.code for flag in flags] == [ReviewCode.FILE, ReviewCode.THREAD, ReviewCode.BLOCKED_CTYPES,
                                             ReviewCode.MISSING_VERDICT]
    assert [flag.text for flag in flags] == [
        f"연습 1-2 답 셀 (answer cell): {ReviewCode.FILE.text} — /grading/a, /grading/b",
        f"검사 1-2 실행 중 (during the test) (외 1곳, 1 more): {ReviewCode.THREAD.text} — 1",
        f"학생이 추가한 셀 (3번째 셀, added cell): {ReviewCode.BLOCKED_CTYPES.text} — 123, f, 2행 (line)",
        f"검사 1-3 실행 중 (during the test): {ReviewCode.MISSING_VERDICT.text}"]
