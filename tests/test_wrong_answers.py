"""Every exercise's tests (public + hidden) reject each typical wrong answer in tests/corpus/.

One kernel per lesson (shared with test_alternatives): the solution runs top to bottom; at each
test cell the wrong answers are tried in turn (exercise code, then the full test cell) and must
fail with the expected message.
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
