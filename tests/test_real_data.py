"""What a lesson's text promises about the real data shows when the real Keras file is at hand.

grader.datasets copies each real file found in ../shared/datasets into the offline folder, so the corpus
kernel of that lesson (tests.lesson_kernel.judge, shared with the wrong-answer and alternative tests) runs on it.
"""

import json

import pytest

from grader.datasets import SOURCES, default_folder
from tests.lesson_kernel import judge


def runs_on_real(dataset):
    return json.loads((default_folder() / SOURCES).read_text(encoding="utf-8")).get(dataset) == "real"


@pytest.mark.parametrize("lesson", ["07_boston_housing"])
def test_the_k_fold_curve_turns_well_before_its_last_epoch(course, lesson):
    """Lesson 07 chooses the epoch where the fold-averaged validation MAE stops improving: on the real Boston data
    that minimum must sit well inside the recorded epochs, not at the end of a still falling curve."""
    if not runs_on_real("boston_housing"):
        pytest.skip("../shared/datasets has no real boston_housing.npz: the synthetic curve proves nothing here")
    state = judge(course.solution_path(course.lesson(lesson)), lesson)["state"]
    assert state["best_epoch"] <= 0.8 * state["num_epochs"], state
