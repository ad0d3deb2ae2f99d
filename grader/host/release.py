"""solutions/ -> lessons/: student notebooks made with nbgrader's own preprocessors.

The pipeline is nbgrader's `generate_assignment` minus its database steps, plus a Colab header
(badge + setup cell) rendered from course.toml. Host side: runs in the instructor's process.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme,
                                    ClearOutput, ClearSolutions, ComputeChecksums, LockCells)
from traitlets import Unicode

from .codes import ReleaseStatus
from .course import Course, Lesson
from .notebook import answer_of, grade_id, is_exercise, structure_problems

CODE_STUB = "# 여기에 코드를 작성하세요\nraise NotImplementedError()"
TEXT_STUB = "여기에 답을 작성하세요"
HEADER_ROLE = "colab-header"
log = logging.getLogger(__name__)


class ColabHeader(Preprocessor):
    """Put an "Open in Colab" badge and a setup cell (a no-op outside Colab) at the top, and a link to
    the next lesson at the end (none after the last lesson)."""

    colab_url = Unicode()
    pip_target = Unicode()
    next_title = Unicode()
    next_url = Unicode()

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict[str, Any]
                   ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        badge = nbformat.v4.new_markdown_cell(
            f'<a href="{self.colab_url}" target="_parent"><img '
            'src="https://colab.research.google.com/assets/colab-badge.svg" alt="Open In Colab"/></a>')
        setup = nbformat.v4.new_code_cell(
            "# [설정] Colab에서 실행할 때만 채점 패키지(grader)와 한글 글꼴을 설치합니다.\n"
            "# 내 컴퓨터의 주피터에서는 아무 일도 하지 않습니다.\n"
            "import sys\n\n"
            'if "google.colab" in sys.modules:\n'
            f'    %pip install -q --no-deps "{self.pip_target}" koreanize-matplotlib')
        footer = [nbformat.v4.new_markdown_cell(f"---\n**다음 레슨**: [{self.next_title}]({self.next_url})")
                  ] if self.next_url else []
        for index, cell in enumerate((badge, setup, *footer)):
            # Locked for students, but unknown to nbgrader, so plain `nbgrader autograde` ignores it.
            cell.id = f"{HEADER_ROLE}-{index}"
            cell.metadata.update(grader={"role": HEADER_ROLE}, editable=False, deletable=False)
        body = [c for c in nb.cells if c.metadata.get("grader", {}).get("role") != HEADER_ROLE]
        nb.cells = [badge, setup, *body, *footer]
        return nb, resources


def next_lesson(course: Course, lesson: Lesson) -> Lesson | None:
    """The lesson after `lesson` in course.toml, or None for the last one."""
    names = [item.name for item in course.lessons]
    index = names.index(lesson.name) + 1
    return course.lessons[index] if index < len(names) else None


def student_pipeline(course: Course, lesson: Lesson) -> list[Preprocessor]:
    """The ordered preprocessors that turn a solution notebook into a student notebook."""
    following = next_lesson(course, lesson)
    return [
        ColabHeader(colab_url=course.colab_url(lesson), pip_target=course.pip_target(),
                    next_title=f"{following.name[:2]}. {following.title}" if following else "",
                    next_url=course.colab_url(following) if following else ""),
        LockCells(),
        ClearSolutions(code_stub={"python": CODE_STUB}, text_stub=TEXT_STUB),
        ClearOutput(),
        CheckCellMetadata(),
        ComputeChecksums(),
        ClearHiddenTests(),
        ClearMarkScheme(),
        ComputeChecksums(),
        CheckCellMetadata(),
    ]


def student_notebook(solution: nbformat.NotebookNode, course: Course, lesson: Lesson) -> nbformat.NotebookNode:
    """A new student notebook made from the solution notebook (which is left unchanged)."""
    nb = copy.deepcopy(solution)
    resources: dict[str, Any] = {}
    for step in student_pipeline(course, lesson):
        nb, resources = step.preprocess(nb, resources)
    return nb


@dataclass
class ReleaseResult:
    lesson: str
    status: ReleaseStatus
    problems: list[str]


def release_lesson(course: Course, lesson: Lesson, check: bool = False) -> ReleaseResult:
    """Regenerate one student notebook; with check=True only report whether it is stale."""
    source = course.solution_path(lesson)
    if not source.exists():
        return ReleaseResult(lesson.name, ReleaseStatus.MISSING,
                             [f"{source.relative_to(course.root)}이(가) 없습니다 (not found)"])
    solution = nbformat.read(source, as_version=4)
    problems = structure_problems(solution)
    if problems:
        return ReleaseResult(lesson.name, ReleaseStatus.INVALID, problems)
    outputs = {course.student_path(lesson): nbformat.writes(student_notebook(solution, course, lesson)) + "\n",
               course.answers_path(lesson): answers_module(solution, lesson)}
    stale = {path: text for path, text in outputs.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text}
    if not stale:
        return ReleaseResult(lesson.name, ReleaseStatus.UNCHANGED, [])
    if check:
        return ReleaseResult(lesson.name, ReleaseStatus.STALE, [str(path.relative_to(course.root)) for path in stale])
    for path, text in stale.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        log.debug(f"쓴 파일 (written): {path}")
    return ReleaseResult(lesson.name, ReleaseStatus.WRITTEN, [])


def answers_module(solution: nbformat.NotebookNode, lesson: Lesson) -> str:
    """Python source of the lesson's reference answers {exercise grade_id: code}, for error carried forward."""
    answers = {grade_id(cell): answer_of(cell) for cell in solution.cells if is_exercise(cell)}
    lines = [f'"""Reference answers of {lesson.name}, generated by `grader release` from solutions/. Do not edit."""',
             "", "ANSWERS = {"]
    lines += [f"    {key!r}: {value!r}," for key, value in answers.items()]
    return "\n".join(lines + ["}", ""])
