"""`grader publish DIR`: the student tree for a separate public repository, without answers.

nbgrader keeps `source/` apart from `release/`, otter keeps the student side apart from the
autograder: the same split here lets the instructor's repository (solutions/, grader/hidden/, the
grading tools) stay private. DIR receives

    lessons/NN_name.ipynb   released notebooks (`grader release`'s pipeline); their Colab badge and
                            setup cell point at the student repository
    grader/__init__.py      a package with the public checks alone, so that the setup cell's
    grader/checks/          `pip install --no-deps "grader @ git+STUDENT_REPO@BRANCH"` installs
    pyproject.toml          nothing beyond what Colab has (keras, numpy)
    README.md               for students, in Korean
    .grader-publish.json    the files written, so that a later publish may replace them

The student repository is `student_repository` (and optionally `student_branch`) in course.toml.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbformat import NotebookNode

from .. import __version__
from .course import Course
from .notebook import answer_of, is_exercise, structure_problems
from .release import student_notebook

log = logging.getLogger(__name__)

MANIFEST = ".grader-publish.json"
PUBLIC_PACKAGE = "checks"
ALLOWED_IMPORTS = {"keras", "numpy"}  # besides the standard library and grader.checks itself
FORBIDDEN_TEXT = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "grader.hidden")
REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n.*?### END \1", re.S)  # what students never see
KEEP = {".git", MANIFEST}  # what may already be in DIR the first time (a fresh clone of the repository)


class PublishError(Exception):
    """Publishing refused; the message is Korean with the English terms."""


@dataclasses.dataclass
class PublishResult:
    out_dir: Path
    repository: str
    branch: str
    written: list[str]  # relative paths, sorted
    removed: list[str]  # files of an earlier publish that this one no longer has


def student_course(course: Course, repository: str | None = None, branch: str | None = None) -> Course:
    """The course as students see it: badges and setup cell point at the student repository."""
    repository = repository or course.student_repository
    if not repository:
        raise PublishError(
            "학생용 저장소 주소가 없습니다 (no student repository): course.toml에 "
            'student_repository = "https://github.com/<계정>/<학생용 저장소>"를 넣거나 --repository로 주세요. '
            "강사용 저장소(solutions/, grader/hidden/)와 다른 공개 저장소여야 합니다.")
    if repository.rstrip("/").removesuffix(".git") == course.repository.rstrip("/").removesuffix(".git"):
        raise PublishError(
            f"학생용 저장소가 강사용 저장소와 같습니다 (student repository is the instructor's): {repository}. "
            "정답이 있는 저장소를 학생에게 가리키지 않도록 다른 저장소를 지정하세요.")
    branch = branch or course.student_branch or course.branch
    return dataclasses.replace(course, student_repository=repository, student_branch=branch)


def _import_problems(path: Path, package: Path) -> list[str]:
    """Imports in a public module that students' `--no-deps` install could not satisfy."""
    problems = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            depth = len(path.relative_to(package).parts) - 1  # folders below grader/checks
            if node.level > depth + 1:
                problems.append(f"{path.name}:{node.lineno}: from {'.' * node.level}{node.module or ''}")
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.module == "grader":  # from grader import checks
            names = [f"grader.{alias.name}" for alias in node.names]
        else:
            names = [node.module] if node.module else []
        for name in names:
            top = name.split(".")[0]
            public = name == "grader" or name.startswith(f"grader.{PUBLIC_PACKAGE}")
            if not (public or top in ALLOWED_IMPORTS or top in sys.stdlib_module_names):
                problems.append(f"{path.name}:{node.lineno}: import {name}")
    return problems


def public_package_files(course: Course) -> dict[str, str]:
    """{relative path: text} of grader/__init__.py and grader/checks/ (Python files only)."""
    package = course.root / "grader" / PUBLIC_PACKAGE
    sources = sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    problems = [problem for path in sources for problem in _import_problems(path, package)]
    if problems:
        raise PublishError("grader/checks가 keras·numpy·표준 라이브러리·grader.checks 밖의 모듈을 불러옵니다 "
                           "(public checks import instructor-only modules): " + "; ".join(problems))
    files = {f"grader/{PUBLIC_PACKAGE}/{path.relative_to(package).as_posix()}": path.read_text(encoding="utf-8")
             for path in sources}
    files["grader/__init__.py"] = (
        f'"""{course.title}: 학생용 채점 패키지. 공개 검사 함수(`from grader import checks`)만 들어 있습니다.\n\n'
        "Published by `grader publish` from the instructor's repository; do not edit here.\n"
        '"""\n\n'
        f'__version__ = "{__version__}"\n')
    return files


def _packages(files: dict[str, str]) -> list[str]:
    return sorted(path.rsplit("/", 1)[0].replace("/", ".") for path in files
                  if path.startswith("grader/") and path.endswith("/__init__.py"))


def pyproject(course: Course, files: dict[str, str]) -> str:
    packages = ", ".join(f'"{name}"' for name in _packages(files))
    return (
        "# `grader publish`가 만든 파일입니다 (generated by `grader publish`; do not edit).\n"
        "# 학생용 패키지: 공개 검사 함수만. Colab에 있는 keras·numpy만 쓰므로 `pip install --no-deps`로 설치합니다.\n"
        "[build-system]\n"
        'requires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        'name = "grader"\n'
        f'version = "{__version__}"\n'
        f'description = "Public checks of the course {course.id} (grader.checks)"\n'
        'requires-python = ">=3.10"\n'
        'dependencies = ["keras>=3", "numpy"]\n\n'
        "[tool.setuptools]\n"
        f"packages = [{packages}]\n")


def readme(course: Course) -> str:
    rows = "\n".join(f"| `{lesson.name}` | {lesson.title} | [Colab에서 열기]({course.colab_url(lesson)}) |"
                     for lesson in course.lessons)
    return f"""# {course.title}

강의 노트북(`lessons/`)과 공개 검사 함수(`grader.checks`)가 들어 있는 학생용 저장소입니다.

## 노트북 열기 (Google Colab)

| 레슨 | 내용 | 열기 |
|---|---|---|
{rows}

1. 표의 링크나 노트북 맨 위의 **Open in Colab** 배지를 누르면 Colab에서 노트북이 열립니다.
   풀이를 저장하려면 먼저 **파일 → Drive에 사본 저장**을 하세요.
2. 맨 위의 **설정 셀**을 먼저 실행하세요. Colab에서만 이 저장소의 `grader` 패키지(공개 검사 함수)와
   한글 그래프 글꼴(`koreanize-matplotlib`)을 설치합니다. `--no-deps`로 설치하므로 Colab의 TensorFlow·Keras는
   그대로입니다. 내 컴퓨터의 주피터에서는 아무 일도 하지 않습니다.
3. `# [연습 N-M]` 셀에서 `# 여기에 코드를 작성하세요` 자리에 답을 쓰고 `raise NotImplementedError()` 줄을 지우세요.
   셀 첫 줄의 표식(`# [연습 N-M] ...`)은 지우지 마세요. 채점기가 답 셀을 찾을 때 씁니다.
4. 바로 아래의 `# [검사 N-M]` 셀을 실행해 답을 확인하세요.

## 검사 셀이 하는 일

- 검사 셀은 `from grader import checks`의 공개 검사 함수로 답을 바로 확인합니다. 하나의 검사는 흔한 실수 하나를
  찾고, 틀리면 무엇이 다른지, 기대한 값과 실제 값, 힌트를 한국어로 알려 줍니다(`AssertionError`).
- `from grader import checks`를 실행한 뒤의 `fit`·`evaluate`·`predict` 호출은 검사를 위해 노트북 안에만 기록됩니다
  (데이터 자체가 아니라 모양·일부 값·합계 같은 요약만 남기고, 어디로도 보내지 않습니다).
- 검사 셀은 고치지 마세요. 고쳐도 점수는 달라지지 않습니다: 채점할 때는 강사가 가진 원래 검사 셀을 씁니다.
- 공개 검사를 모두 통과해도 만점이 보장되지는 않습니다. 채점할 때는 처음 보는 입력으로 더 엄격한 검사를 합니다.

## 제출

**런타임 → 모두 실행**으로 처음부터 끝까지 오류 없이 실행되는지 확인한 뒤, **파일 → 다운로드 → .ipynb 다운로드**로
받은 파일을 안내받은 곳(LMS)에 제출하세요.

## 내 컴퓨터에서 풀기

```bash
git clone {course.public().url} && cd {course.public().url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")}
pip install tensorflow keras numpy matplotlib koreanize-matplotlib jupyter
pip install --no-deps .      # grader.checks 설치
jupyter lab lessons/
```

---
Student repository of the course *{course.title}*: lessons and the public checks (`grader.checks`) only.
Generated by `grader publish` from the instructor's repository; changes made here are overwritten.
"""


def _leaks(files: dict[str, str], solutions: list[NotebookNode]) -> Iterator[str]:
    """What the files would show that only solutions/ has: region markers, answers, hidden tests."""
    public = "\n".join(REGION.sub("", cell.source) for nb in solutions for cell in nb.cells)
    # An answer that a later cell of some lesson shows anyway (given code) gives nothing away.
    answers = {answer_of(cell).strip() for nb in solutions for cell in nb.cells if is_exercise(cell)}
    answers = {answer for answer in answers if answer and answer not in public}
    for path, text in files.items():
        if path.endswith(".ipynb"):
            text = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
        found = [mark for mark in FORBIDDEN_TEXT if mark in text]
        found += ["정답 코드 (solution body)"] * any(answer in text for answer in answers)
        if found:
            yield f"{path}: {', '.join(found)}"


class StudentTree(NamedTuple):
    """The whole student tree, manifest excepted (see `published_files`)."""
    course: Course  # the course as students see it (student_course)
    files: dict[str, str]  # {relative path: text}, sorted


def published_files(course: Course, repository: str | None = None, branch: str | None = None) -> StudentTree:
    """The student tree of `course`; writes nothing."""
    student = student_course(course, repository, branch)
    files: dict[str, str] = {}
    solutions: list[NotebookNode] = []
    for lesson in course.lessons:
        source = course.solution_path(lesson)
        if not source.exists():
            raise PublishError(f"{source.relative_to(course.root)}이(가) 없습니다 (missing solution notebook)")
        solution = nbformat.read(source, as_version=4)
        problems = structure_problems(solution)
        if problems:
            raise PublishError(f"{lesson.name}: 원본 노트북 형식 오류 (invalid solution notebook): "
                               + "; ".join(problems))
        solutions.append(solution)
        files[f"lessons/{lesson.name}.ipynb"] = nbformat.writes(student_notebook(solution, student, lesson)) + "\n"
    files.update(public_package_files(course))
    files["pyproject.toml"] = pyproject(course, files)
    files["README.md"] = readme(student)
    leaks = list(_leaks(files, solutions))  # the last guard: refuse rather than publish an answer
    if leaks:
        raise PublishError("학생에게 보이면 안 되는 내용이 있습니다 (would leak): " + "; ".join(leaks))
    return StudentTree(student, dict(sorted(files.items())))


def _earlier_files(out_dir: Path) -> list[str]:
    """The files an earlier publish wrote into out_dir; PublishError if out_dir holds anything else."""
    if out_dir.exists() and not out_dir.is_dir():
        raise PublishError(f"{out_dir}은(는) 폴더가 아닙니다 (not a directory).")
    if not out_dir.exists():
        return []
    entries = {entry.name for entry in out_dir.iterdir()}
    manifest = out_dir / MANIFEST
    if not manifest.is_file():
        if entries - KEEP:
            raise PublishError(
                f"{out_dir}이(가) 비어 있지 않고, 이전 `grader publish`의 결과도 아닙니다. 빈 폴더(또는 학생용 "
                "저장소를 새로 clone한 폴더)를 지정하세요. "
                f"({out_dir} is not empty and is not an earlier publish output: no {MANIFEST}.)")
        return []
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):
        raise PublishError(f"{manifest}을(를) 읽을 수 없습니다 (unreadable publish manifest).") from None
    root = out_dir.resolve()
    for name in listed:
        if not isinstance(name, str) or Path(name).is_absolute() or root not in (out_dir / name).resolve().parents:
            raise PublishError(f"{manifest}에 폴더 밖의 경로가 있습니다 (path outside the folder): {name!r}")
    return listed


def publish(course: Course, out_dir: Path | str, repository: str | None = None, branch: str | None = None
            ) -> PublishResult:
    """Write the student tree into out_dir (new, empty, a fresh clone, or an earlier publish output).

    Files of an earlier publish that are no longer published are removed; files the instructor
    added to the student repository (a LICENSE, .github/) are left alone. Same input, same bytes.
    """
    out_dir = Path(out_dir)
    student, files = published_files(course, repository, branch)
    earlier = _earlier_files(out_dir)
    removed = sorted(name for name in earlier if name not in files and (out_dir / name).is_file())
    for name in removed:
        (out_dir / name).unlink()
        for parent in (out_dir / name).parents:
            if parent == out_dir or any(parent.iterdir()):
                break
            parent.rmdir()
    for name, text in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    repository, branch = student.public()
    manifest = {"generator": "grader publish", "course": course.id, "repository": repository,
                "branch": branch, "files": list(files)}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return PublishResult(out_dir, repository, branch, list(files), removed)


def command(args: argparse.Namespace) -> int:
    """`grader publish DIR [--repository URL] [--branch NAME]` (args.course, args.out, ...)."""
    from .course import load_course

    try:
        result = publish(load_course(args.course), args.out, args.repository, args.branch)
    except PublishError as error:
        log.error(f"오류 (error): {error}")
        return 2
    log.info(f"학생용 저장소 파일 {len(result.written)}개를 {result.out_dir}에 썼습니다 "
             f"(published {len(result.written)} files); 배지·설정 셀: {result.repository}@{result.branch}")
    for name in result.removed:
        log.info(f"  - 지움 (removed, no longer published): {name}")
    return 0
