"""A mistake costs marks once: later exercises that build on a failed one are graded on the reference.

Each submission here is the solution with a single wrong answer in an early exercise that later
exercises use. Graded through the real `grader grade` path, it must lose that exercise only, and
its feedback must say that grading went on with the reference answer.
"""

import nbformat
import pytest

from grader.host.execute import Limits
from grader.host.grade import Assignment, grade_batch
from grader.hidden import NOTE
from grader.host.samples import filled

ONLY_MISTAKE = {
    "04_keras_workflow": [("4-1", "history_3_epochs", """
model = build_model()
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=3, batch_size=64, validation_data=(x_val, y_val), verbose=0)
""")],
    "05_imdb": [("5-2", "vectorize_lengths", """
def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, min(len(sequence), dimension - 1)] = 1.0
    return results
""")],
    "07_boston_housing": [("7-1", "normalize_test_with_test_statistics", """
def normalize(train, test):
    return (train - train.mean(axis=0)) / train.std(axis=0), (test - test.mean(axis=0)) / test.std(axis=0)
"""), ("7-2", "build_model_relu_output", """
def build_model():
    model = keras.Sequential([keras.Input(shape=(13,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1, activation="relu")])
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model
""")],
}


@pytest.mark.parametrize("lesson", sorted(ONLY_MISTAKE))
def test_an_early_mistake_loses_its_own_exercise_only(course, lesson, tmp_path):
    assignment = Assignment.load(course, course.lesson(lesson), Limits(cell_timeout=120, notebook_timeout=400))
    files = []
    for label, name, code in ONLY_MISTAKE[lesson]:
        path = tmp_path / "submissions" / f"{name}_{lesson}.ipynb"
        path.parent.mkdir(exist_ok=True)
        nbformat.write(filled(assignment.released, assignment.solution, {label: code}), path)
        files.append((label, path))
    results, _, _ = grade_batch([path for _, path in files], assignment, tmp_path / "out", jobs=2, progress=False)
    by_file = {result.file: result for result in results}
    for label, path in files:
        result = by_file[path.name]
        lost = {test.label: test.message for test in result.tests if not test.passed}
        assert list(lost) == [label], (path.name, lost)
        assert NOTE in lost[label]
