"""Grade the same submissions with plain nbgrader (generate_assignment + autograde), for comparison."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

CONFIG = "nbgrader_config.py"
CURRENT_STUDENT = re.compile(r"Creating/updating student with ID '([^']+)'")
FAILED_STUDENT = re.compile(r"There was an error processing assignment '[^']*' for student '([^']+)'")


def run_nbgrader(folder, *args, check=True):
    """`nbgrader ARGS` in `folder`; nbgrader finds its helpers (alembic) next to python."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=3600)
    if check and result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} 실패 (failed):\n{result.stderr[-2000:]}")
    return result


def make_course(course, lesson, folder):
    """A fresh nbgrader course folder with the lesson generated from solutions/."""
    folder = Path(folder)
    shutil.copy(course.root / "nbgrader" / CONFIG, folder / CONFIG)
    (folder / "source" / lesson.name).mkdir(parents=True)
    shutil.copy(course.solution_path(lesson), folder / "source" / lesson.name)
    run_nbgrader(folder, "generate_assignment", lesson.name, "--force")
    return folder


def submit(folder, lesson, submissions):
    """Place {student: notebook} where nbgrader expects submissions."""
    for student, nb in submissions.items():
        target = Path(folder) / "submitted" / student / lesson.name / f"{lesson.name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)


def autograde(folder, lesson):
    """Run `nbgrader autograde` as an instructor has to: nbgrader stops the whole batch on some damaged
    submissions (e.g. old metadata format), so leave that student out and run again; already graded
    students are skipped. {student: score}; students nbgrader could not grade are absent."""
    from nbgrader.api import Gradebook

    folder = Path(folder)
    submitted = {path.name for path in (folder / "submitted").iterdir()}
    graded, failed = _graded(folder, lesson), set()
    while submitted - graded - failed:
        exclude = [f"--CourseDirectory.student_id_exclude={','.join(sorted(failed))}"] if failed else []
        log = run_nbgrader(folder, "autograde", lesson.name, *exclude, check=False).stderr
        now_graded = _graded(folder, lesson)
        newly_failed = set(FAILED_STUDENT.findall(log))
        current = CURRENT_STUDENT.findall(log)
        if current and current[-1] not in now_graded:
            newly_failed.add(current[-1])  # the student being converted when nbgrader aborted
        newly_failed -= failed
        if not newly_failed and now_graded == graded:
            raise RuntimeError(f"nbgrader autograde makes no progress (failed):\n{log[-2000:]}")
        graded, failed = now_graded, failed | newly_failed
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        return {submission.student.id: submission.score
                for submission in gradebook.assignment_submissions(lesson.name)
                if submission.student.id not in failed}


def _graded(folder, lesson):
    autograded = folder / "autograded"
    return {path.name for path in autograded.iterdir()
            if (path / lesson.name).is_dir()} if autograded.is_dir() else set()
