"""Every exercise's tests (public + hidden) reject each typical wrong answer in tests/corpus/.

One kernel per lesson: the solution runs top to bottom; at each test cell the wrong answers
are tried in turn (exercise code, then the full test cell) and must fail with the expected
message, then the right answer is restored.
"""

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from grader.notebook import is_exercise, is_test, marker
from grader.samples import load_wrong_answers
from tests.conftest import ROOT


def lesson_names():
    from grader.course import load_course

    return [lesson.name for lesson in load_course(ROOT).lessons]


def run(client, source, index):
    cell = nbformat.v4.new_code_cell(source)
    client.execute_cell(cell, index)


@pytest.mark.parametrize("lesson", lesson_names())
def test_wrong_answers_fail_their_exercise(course, lesson):
    solution = nbformat.read(course.solution_path(course.lesson(lesson)), as_version=4)
    cases = load_wrong_answers(ROOT / "tests" / "corpus" / f"{lesson}.toml")
    labels = {marker(cell)[1] for cell in solution.cells if is_exercise(cell)}
    for label in labels:
        assert sum(case["exercise"] == label for case in cases) >= 2, f"{lesson} 연습 {label}"

    client = NotebookClient(solution, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(course.root / "solutions")}})
    exercise_source, missed = {}, []
    with client.setup_kernel():
        for index, cell in enumerate(solution.cells):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, index)
            if is_exercise(cell):
                exercise_source[marker(cell)[1]] = cell.source
            if not is_test(cell):
                continue
            label = marker(cell)[1]
            for case in (c for c in cases if c["exercise"] == label):
                try:
                    run(client, case["code"], index)
                    run(client, cell.source, index)
                    missed.append(f"연습 {label} ({case['why']}): 검사를 통과해 버렸습니다")
                except CellExecutionError as error:
                    if case["expect"] not in str(error):
                        missed.append(f"연습 {label} ({case['why']}): 메시지에 "
                                      f"'{case['expect']}'가 없습니다: {str(error)[-300:]}")
                run(client, exercise_source[label], index)
                run(client, cell.source, index)
    assert missed == []
