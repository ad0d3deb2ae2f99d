"""Every differently written correct answer in tests/alternatives/ gets full marks.

Students write Sequential or Functional models, strings or objects, numpy or keras.ops, float64
arithmetic, several fit calls: whatever the task text allows must pass. One kernel per lesson,
as in test_wrong_answers: at each test cell each alternative runs as the exercise, then the test cell.
"""

import pytest

from grader.course import tomllib
from grader.notebook import is_exercise, marker
from tests.conftest import ROOT, lesson_names
from tests.lesson_kernel import stops_at_tests


def alternatives(lesson):
    path = ROOT / "tests" / "alternatives" / f"{lesson}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))["alternative"] if path.exists() else []


@pytest.mark.parametrize("lesson", lesson_names())
def test_alternative_answers_get_full_marks(course, lesson):
    import nbformat

    path = course.solution_path(course.lesson(lesson))
    cases = alternatives(lesson)
    labels = {marker(cell)[1] for cell in nbformat.read(path, as_version=4).cells if is_exercise(cell)}
    too_few = [label for label in sorted(labels) if sum(c["exercise"] == label for c in cases) < 3]
    assert too_few == [], f"{lesson}: 다른 정답이 3개 미만인 연습"
    rejected = []
    for stop in stops_at_tests(path):
        for case in (c for c in cases if c["exercise"] == stop.label):
            error = stop.attempt(case["code"])
            if error is not None:
                rejected.append(f"연습 {stop.label} ({case['why']}): {error[-400:]}")
    assert rejected == []
