"""A mistake costs marks once: later exercises that build on a failed one are graded on the reference.

Each submission here is the solution with wrong answers in early exercises that later exercises use.
Graded through the real `grader grade` path, it must lose those exercises only, and each one's
feedback must say that grading went on with the reference answer.
"""

import nbformat
import pytest

from grader.host.execute import Limits
from grader.host.grade import Assignment, grade_batch
from grader.hidden import NOTE
from grader.host.samples import filled

MISTAKES = {  # lesson: [(submission name, {exercise: wrong answer})]
    "04_keras_workflow": [("history_3_epochs", {"4-1": """
model = build_model()
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=3, batch_size=64, validation_data=(x_val, y_val), verbose=0)
"""})],
    "05_imdb": [("vectorize_lengths", {"5-2": """
def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, min(len(sequence), dimension - 1)] = 1.0
    return results
"""})],
    # both mistakes in one submission: a lesson-07 run trains four K-fold models for 200 epochs each
    "07_boston_housing": [("normalize_with_test_statistics_and_relu_output", {"7-1": """
def normalize(train, test):
    return (train - train.mean(axis=0)) / train.std(axis=0), (test - test.mean(axis=0)) / test.std(axis=0)
""", "7-2": """
def build_model():
    model = keras.Sequential([keras.Input(shape=(13,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1, activation="relu")])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model
"""})],
}


@pytest.mark.parametrize("lesson", sorted(MISTAKES))
def test_early_mistakes_lose_their_own_exercises_only(course, lesson, tmp_path):
    assignment = Assignment.load(course, course.lesson(lesson), Limits(cell_timeout=600, notebook_timeout=1200))
    files = []
    for name, answers in MISTAKES[lesson]:
        path = tmp_path / "submissions" / f"{name}_{lesson}.ipynb"
        path.parent.mkdir(exist_ok=True)
        nbformat.write(filled(assignment.released, assignment.solution, answers), path)
        files.append((answers, path))
    results, _, _ = grade_batch([path for _, path in files], assignment, tmp_path / "out", jobs=2, progress=False)
    by_file = {result.file: result for result in results}
    for answers, path in files:
        result = by_file[path.name]
        lost = {test.label: test.message for test in result.tests if not test.passed}
        assert list(lost) == list(answers), (path.name, lost)
        assert all(NOTE in message for message in lost.values())
