"""Grade the same submissions with plain nbgrader (generate_assignment + autograde), for comparison."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

CONFIG = "nbgrader_config.py"


def run_nbgrader(folder, *args):
    """`nbgrader ARGS --force` in `folder`; nbgrader finds its helpers (alembic) next to python."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} 실패 (failed):\n{result.stderr[-2000:]}")
    return result


def make_course(course, lesson, folder):
    """A fresh nbgrader course folder with the lesson generated from solutions/."""
    folder = Path(folder)
    shutil.copy(course.root / "nbgrader" / CONFIG, folder / CONFIG)
    (folder / "source" / lesson.name).mkdir(parents=True)
    shutil.copy(course.solution_path(lesson), folder / "source" / lesson.name)
    run_nbgrader(folder, "generate_assignment", lesson.name)
    return folder


def submit(folder, lesson, submissions):
    """Place {student: notebook} where nbgrader expects submissions."""
    for student, nb in submissions.items():
        target = Path(folder) / "submitted" / student / lesson.name / f"{lesson.name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)


def autograde(folder, lesson):
    """Run `nbgrader autograde`; {student: score} from its gradebook."""
    from nbgrader.api import Gradebook

    run_nbgrader(folder, "autograde", lesson.name)
    with Gradebook(f"sqlite:///{Path(folder) / 'gradebook.db'}") as gradebook:
        return {submission.student.id: submission.score
                for submission in gradebook.assignment_submissions(lesson.name)}
