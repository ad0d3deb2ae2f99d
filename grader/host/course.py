"""The course configuration (course.toml): lessons, repository URL, paths."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str


class Repository(NamedTuple):
    """A git repository and the branch students open and install from."""
    url: str
    branch: str


@dataclass(frozen=True)
class Course:
    root: Path
    id: str
    title: str
    repository: str  # the instructor's repository: solutions/ and hidden tests, may stay private
    branch: str
    lessons: tuple[Lesson, ...]
    student_repository: str = ""  # the public student tree (`grader publish`): badges and setup cell
    student_branch: str = ""

    def lesson(self, name: str) -> Lesson:
        """The lesson called `name` (e.g. '01_layers'); a clear error lists the known ones."""
        for lesson in self.lessons:
            if lesson.name == name:
                return lesson
        known = ", ".join(lesson.name for lesson in self.lessons)
        raise KeyError(f"레슨 '{name}'이(가) course.toml에 없습니다 (unknown lesson). 있는 레슨: {known}")

    def solution_path(self, lesson: Lesson) -> Path:
        return self.root / "solutions" / f"{lesson.name}.ipynb"

    def student_path(self, lesson: Lesson) -> Path:
        return self.root / "lessons" / f"{lesson.name}.ipynb"

    def answers_path(self, lesson: Lesson) -> Path:
        """The generated module of reference answers that hidden tests carry errors forward with."""
        return self.root / "grader" / "hidden" / "answers" / f"lesson{lesson.name[:2]}.py"

    def public(self) -> Repository:
        """What students open and install from: the student repository when there is one."""
        return Repository(self.student_repository or self.repository, self.student_branch or self.branch)

    def colab_url(self, lesson: Lesson) -> str:
        repository, branch = self.public()
        repo = repository.removeprefix("https://github.com/").removesuffix(".git")
        return (f"https://colab.research.google.com/github/{repo}/blob/{branch}"
                f"/lessons/{lesson.name}.ipynb")

    def pip_target(self) -> str:
        return "grader @ git+{}@{}".format(*self.public())


def load_course(root: Path | str = ".") -> Course:
    """Read ROOT/course.toml."""
    root = Path(root).resolve()
    path = root / "course.toml"
    if not path.is_file():
        raise FileNotFoundError(f"course.toml을 찾을 수 없습니다 (course.toml not found): {path}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    lessons = tuple(Lesson(item["name"], item["title"]) for item in data["lessons"])
    return Course(root, data["id"], data["title"], data["repository"], data["branch"], lessons,
                  data.get("student_repository", ""), data.get("student_branch", ""))
