"""Every exercise's tests (public + hidden) reject each typical wrong answer in tests/corpus/.

One kernel per lesson (shared with test_alternatives): the solution runs top to bottom; at each
test cell the wrong answers are tried in turn (exercise code, then the full test cell) and must
fail with the expected message. A wrong answer marked `stated = true` breaks a requirement the task text
states: it must fail the public test cell alone too (as students run it in Colab), before the hidden tests.
"""

import pytest

from tests.conftest import lesson_names
from tests.lesson_kernel import exercises_with_too_few, judge, wrong_answers


@pytest.mark.parametrize("lesson", lesson_names())
def test_wrong_answers_fail_their_exercise(course, lesson):
    path = course.solution_path(course.lesson(lesson))
    too_few = exercises_with_too_few(path, wrong_answers(lesson), 2)
    assert too_few == [], f"{lesson}: 틀린 답이 2개 미만인 연습"
    missed = []
    for case, error in judge(path, lesson)["wrong"]:
        if error is None:
            missed.append(f"연습 {case['exercise']} ({case['why']}): 검사를 통과해 버렸습니다")
        elif case["expect"] not in error:
            missed.append(f"연습 {case['exercise']} ({case['why']}): 메시지에 '{case['expect']}'가 없습니다: "
                          f"{error[-300:]}")
    assert missed == []


@pytest.mark.parametrize("lesson", lesson_names())
def test_stated_requirements_fail_public_checks(course, lesson):
    """A wrong answer that breaks a requirement the task text states (`stated = true` in the corpus) must already
    fail the test cell students run (public checks only, hidden region removed): never ✅ in Colab, then marks
    lost in grading."""
    path = course.solution_path(course.lesson(lesson))
    passed = [f"연습 {case['exercise']} ({case['why']})" for case, error in judge(path, lesson)["public"]
              if error is None]
    assert passed == [], f"{lesson}: 문제에 적힌 요구를 어겼는데 공개 검사를 통과한 틀린 답"
