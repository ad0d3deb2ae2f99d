"""Every exercise's tests (public + hidden) reject each typical wrong answer in tests/corpus/.

One kernel per lesson: the solution runs top to bottom; at each test cell the wrong answers
are tried in turn (exercise code, then the full test cell) and must fail with the expected
message, then the right answer is restored.
"""

import pytest

from grader.notebook import is_exercise, marker
from grader.samples import load_wrong_answers
from tests.conftest import ROOT, lesson_names
from tests.lesson_kernel import stops_at_tests


@pytest.mark.parametrize("lesson", lesson_names())
def test_wrong_answers_fail_their_exercise(course, lesson):
    import nbformat

    path = course.solution_path(course.lesson(lesson))
    cases = load_wrong_answers(ROOT / "tests" / "corpus" / f"{lesson}.toml")
    labels = {marker(cell)[1] for cell in nbformat.read(path, as_version=4).cells if is_exercise(cell)}
    for label in labels:
        assert sum(case["exercise"] == label for case in cases) >= 2, f"{lesson} 연습 {label}"
    missed = []
    for stop in stops_at_tests(path):
        for case in (c for c in cases if c["exercise"] == stop.label):
            error = stop.attempt(case["code"])
            if error is None:
                missed.append(f"연습 {stop.label} ({case['why']}): 검사를 통과해 버렸습니다")
            elif case["expect"] not in error:
                missed.append(f"연습 {stop.label} ({case['why']}): 메시지에 '{case['expect']}'가 없습니다: "
                              f"{error[-300:]}")
    assert missed == []
