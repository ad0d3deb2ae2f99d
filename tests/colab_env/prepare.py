"""Host side of the student-environment runs: publish, fill in the answers, say how to install.

Runs in the course's .venv (it needs the instructor's `grader`):

    python tests/colab_env/prepare.py WORK [LESSON...]

writes WORK/published (`grader publish`), WORK/filled/NN_name.ipynb (each published lesson with the
solution's answers, as a student who solved everything would have it), WORK/pip-args (the setup
cell's `%pip install` arguments, one a line, its git URL replaced by WORK/published) and
WORK/datasets-folder (where the offline dataset files are).
"""

import shlex
import shutil
import sys
from pathlib import Path

import nbformat

from grader.host.course import load_course
from grader.datasets import default_folder
from grader.host.publish import publish
from grader.host.release import HEADER_ROLE
from grader.host.samples import filled

ROOT = Path(__file__).resolve().parents[2]

# Used where course.toml does not name the student repository yet.
EXAMPLE_REPOSITORY = "https://github.com/keras-course-ko/keras-course-ko-student"


def student_repository_for_tests(course):
    return None if course.student_repository else EXAMPLE_REPOSITORY


def setup_pip_arguments(lesson_nb, published, result):
    """The arguments of the setup cell's `%pip install`, installing from `published` instead of git."""
    setup = next(c for c in lesson_nb.cells if c.metadata.get("grader", {}).get("role") == HEADER_ROLE
                 and c.cell_type == "code")
    line = next(line for line in setup.source.splitlines() if "%pip install" in line)
    arguments = shlex.split(line.split("%pip install", 1)[1])
    target = f"grader @ git+{result.repository}@{result.branch}"
    assert target in arguments, (target, arguments)
    return [str(published) if argument == target else argument for argument in arguments]


def prepare(work, lessons=None, course=None):
    """Publish into work/published and fill its lessons; {name: filled notebook path}, pip arguments."""
    course = course or load_course(ROOT)
    work = Path(work)
    for folder in ("published", "filled"):
        shutil.rmtree(work / folder, ignore_errors=True)
    result = publish(course, work / "published", repository=student_repository_for_tests(course))
    notebooks = {}
    for lesson in course.lessons:
        if lessons and lesson.name not in lessons:
            continue
        released = nbformat.read(work / "published" / "lessons" / f"{lesson.name}.ipynb", as_version=4)
        solution = nbformat.read(course.solution_path(lesson), as_version=4)
        path = work / "filled" / f"{lesson.name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(filled(released, solution), path)
        notebooks[lesson.name] = path
    first = nbformat.read(work / "published" / "lessons" / f"{course.lessons[0].name}.ipynb", as_version=4)
    return notebooks, setup_pip_arguments(first, (work / "published").resolve(), result)


def main(argv):
    work = Path(argv[0])
    notebooks, pip_arguments = prepare(work, argv[1:])
    (work / "pip-args").write_text("".join(f"{argument}\n" for argument in pip_arguments), encoding="utf-8")
    (work / "datasets-folder").write_text(f"{default_folder()}\n", encoding="utf-8")
    print(f"published: {work / 'published'}; lessons: {' '.join(notebooks)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
