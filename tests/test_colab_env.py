"""A student's Colab, simulated (tests/colab_env/run.sh, also `make colab-check`).

A clean virtual environment with only what Colab has (tensorflow-cpu, keras, numpy, matplotlib), the
published student tree installed exactly as each lesson's setup cell installs it, then every released
lesson with the solution's answers filled in, run in kernels of that environment: every cell (every
public check) must run without an error, and no instructor-only module (nbgrader, nbval, pytest, ruff,
grader.hidden) may be needed or even installed. Set COLAB_REUSE_VENV=1 to keep the venv between runs.
"""

import subprocess

from tests.conftest import ROOT


def test_every_lesson_runs_in_a_clean_colab_like_environment():
    run = subprocess.run(["bash", "tests/colab_env/run.sh"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, f"{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    assert "레슨 실행" in run.stdout
