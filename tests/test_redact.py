"""Feedback is bounded and holds no secret, and honest messages keep every word.

The redactor of each lesson (built by `Assignment.load` from its reference answers, hidden tests, released
notebook and public checks) must leave the messages and hints the hidden tests print untouched, and remove
the answers and hidden-test code from a message that tries to smuggle them out.
"""

import ast
import io
import tokenize

import pytest

from grader.host.execute import Limits
from grader.host.grade import Assignment
from grader.host.notebook import answer_of, is_exercise
from grader.host.redact import HIDDEN, MESSAGE_CHARS, WINDOW, TOKEN
from grader.host.results import Result
from grader.host.results import TestResult as Outcome
from tests.conftest import lesson_names


@pytest.fixture(scope="module")
def assignments(course):
    return {name: Assignment.load(course, course.lesson(name), Limits()) for name in lesson_names()}


def _string_literals(source):
    return [ast.literal_eval(token.string) for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.STRING and not token.string.startswith(("f", "F", "rf", "fr"))]


@pytest.mark.parametrize("lesson", lesson_names())
def test_the_hidden_tests_own_messages_and_hints_are_left_as_they_are(assignments, lesson):
    redactor = assignments[lesson].redactor
    tests = [source for name, source in assignments[lesson].hidden.items() if ".answers" not in name]
    literals = [text for source in tests for text in _string_literals(source)
                if isinstance(text, str) and len(TOKEN.findall(text)) >= WINDOW]
    assert literals
    assert [text for text in literals if redactor.clean(text, limit=10 ** 6) != text] == []


@pytest.mark.parametrize("lesson", lesson_names())
def test_answers_and_hidden_code_smuggled_into_feedback_are_removed(assignments, lesson):
    assignment = assignments[lesson]
    answers = [answer_of(cell) for cell in assignment.solution.cells if is_exercise(cell)]
    smuggled = "\n".join(answers + list(assignment.hidden.values()))
    cleaned = assignment.redactor.clean(smuggled, limit=10 ** 7)
    assert HIDDEN in cleaned
    left = []
    for piece in cleaned.split(HIDDEN):
        tokens = TOKEN.findall(piece)
        left += [tokens[i:i + WINDOW] for i in range(len(tokens) - WINDOW + 1)
                 if tuple(tokens[i:i + WINDOW]) in assignment.redactor.windows]
    assert left == []


def test_every_student_facing_text_of_a_result_is_bounded(assignments):
    redactor = assignments[lesson_names()[0]].redactor
    result = Result("s", "l", "f.ipynb", "", "ok", reason="가" * 5000, notes=["나" * 5000], review=["x" * 5000],
                    tests=[Outcome("id", "1-1", "t", 0, 1, False, "다" * 50_000)])
    redactor.clean_result(result)
    assert len(result.tests[0].message) <= MESSAGE_CHARS + 10
    assert max(len(result.reason), len(result.notes[0]), len(result.review[0])) <= 410
