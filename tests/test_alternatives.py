"""Every differently written correct answer in tests/alternatives/ gets full marks.

Students write Sequential or Functional models, strings or objects, numpy or keras.ops, float64
arithmetic, several fit calls: whatever the task text allows must pass. Judged in the same kernel
run as the wrong answers (tests.lesson_kernel.judge): each alternative runs as the exercise, then
the test cell, and must pass.
"""

import pytest

from tests.conftest import lesson_names
from tests.lesson_kernel import alternatives, exercises_with_too_few, judge


@pytest.mark.parametrize("lesson", lesson_names())
def test_alternative_answers_get_full_marks(course, lesson):
    path = course.solution_path(course.lesson(lesson))
    too_few = exercises_with_too_few(path, alternatives(lesson), 3)
    assert too_few == [], f"{lesson}: 다른 정답이 3개 미만인 연습"
    rejected = [f"연습 {case['exercise']} ({case['why']}): {error[-400:]}"
                for case, error in judge(path, lesson)["alternative"] if error is not None]
    assert rejected == []
