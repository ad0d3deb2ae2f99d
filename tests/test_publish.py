"""grader publish: a student tree without answers or hidden tests (its lessons run with it alone: test_colab_env)."""

import ast
import dataclasses
import re
import sys

import nbformat
import pytest

from grader.host.course import tomllib
from grader.datasets import default_folder
from grader.host.notebook import answer_of, is_exercise
from grader.host.publish import MANIFEST, REGION, PublishError, public_package_files, publish, student_course
from tests.colab_env.prepare import prepare, student_repository_for_tests
from tests.colab_env.run_lessons import kernel_environment, run_notebook, student_ipythondir
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, course):
    """WORK/published and WORK/filled/NN.ipynb (the published lessons with the solution's answers)."""
    work = tmp_path_factory.mktemp("publish")
    notebooks, _ = prepare(work, course=course)
    return work / "published", notebooks


def tree_texts(root):
    """{relative path: text}; notebooks as their cells' sources (what a reader of the repository sees)."""
    texts = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            texts[name] = "\n".join(cell.source for cell in nb.cells)
            texts[name + " (json)"] = path.read_text(encoding="utf-8")
        else:
            texts[name] = path.read_text(encoding="utf-8")
    return texts


def solutions(course):
    return {lesson.name: nbformat.read(course.solution_path(lesson), as_version=4) for lesson in course.lessons}


def test_published_tree_holds_lessons_and_public_checks_only(course, workspace):
    published, _ = workspace
    files = {p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()}
    checks = {f"grader/checks/{p.relative_to(ROOT / 'grader/checks').as_posix()}"
              for p in (ROOT / "grader" / "checks").rglob("*.py") if "__pycache__" not in p.parts}
    lessons = {f"lessons/{lesson.name}.ipynb" for lesson in course.lessons}
    assert files == lessons | checks | {"grader/__init__.py", "pyproject.toml", "README.md", MANIFEST}
    assert not (published / "solutions").exists() and not (published / "grader" / "hidden").exists()


def test_published_tree_holds_no_solution_body_and_no_hidden_test(course, workspace):
    published, _ = workspace
    texts = tree_texts(published)
    everything = "\n".join(texts.values())
    for mark in ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "grader.hidden", "ANSWERS"):
        assert mark not in everything, mark
    # A line of an answer or a hidden test may also stand in a public place on purpose (a later lesson
    # gives an earlier answer as given code, a check's source has the same `)`): those do not count.
    notebooks = solutions(course).values()
    public_text = "\n".join(REGION.sub("", cell.source) for nb in notebooks for cell in nb.cells)
    public = {line.strip() for line in public_text.splitlines()}
    public |= {line.strip() for path in (ROOT / "grader" / "checks").rglob("*.py")
               for line in path.read_text(encoding="utf-8").splitlines()}
    published_lines = {line.strip() for text in texts.values() for line in text.splitlines()}
    leaked = []
    for nb in notebooks:
        for cell in nb.cells:
            for region in REGION.finditer(cell.source):
                body = region.group(0).split("\n", 1)[1].rsplit("\n", 1)[0]
                lines = [line.strip() for line in body.splitlines() if line.strip()]
                leaked += [(region[1], line) for line in lines if line in published_lines and line not in public]
                if len(lines) > 1 and body.strip() in everything and body.strip() not in public_text:
                    leaked.append((region[1], body))
    assert leaked == []


def test_published_tree_names_no_hidden_test_function(workspace):
    published, _ = workspace
    everything = "\n".join(tree_texts(published).values())
    names = {node.name for path in (ROOT / "grader" / "hidden").glob("lesson*.py")
             for node in ast.parse(path.read_text(encoding="utf-8")).body
             if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")}
    assert names, "grader/hidden has no lesson functions?"
    assert sorted(name for name in names if re.search(rf"\b{name}\b", everything)) == []
    assert re.findall(r"\blesson\d\d\b", everything) == []


def test_published_package_installs_with_no_deps(workspace):
    published, _ = workspace
    project = tomllib.loads((published / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = {re.split(r"[<>=!~ ;\[]", item)[0] for item in project["project"]["dependencies"]}
    assert project["project"]["name"] == "grader" and requirements <= {"keras", "numpy"}
    assert project["tool"]["setuptools"]["packages"] == ["grader", "grader.checks"]
    for path in (published / "grader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom) and not getattr(node, "level", 0):
                for name in [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module]:
                    top = name.split(".")[0]
                    assert top in {"keras", "numpy"} | sys.stdlib_module_names or name.startswith("grader.checks"), (
                        path, name)


def test_badge_and_setup_cell_point_at_the_student_repository(course, workspace):
    published, _ = workspace
    student = student_course(course, student_repository_for_tests(course))
    assert student.public()[0] != course.repository
    for lesson in course.lessons:
        badge, setup = nbformat.read(published / "lessons" / f"{lesson.name}.ipynb", as_version=4).cells[:2]
        assert student.colab_url(lesson) in badge.source
        assert f'"{student.pip_target()}"' in setup.source and "--no-deps" in setup.source
    instructor = re.compile(re.escape(course.repository.removesuffix(".git")) + r"(?![\w.-])")
    assert [name for name, text in tree_texts(published).items() if instructor.search(text)] == []


def test_publish_is_deterministic_and_replaces_its_own_output(course, workspace, tmp_path):
    published, _ = workspace
    repository = student_repository_for_tests(course)
    again = tmp_path / "again"
    publish(course, again, repository=repository)
    assert tree_texts(again) == tree_texts(published)
    # A later publish into its own output: stale files it wrote go, files the instructor added stay.
    (again / "LICENSE").write_text("MIT\n", encoding="utf-8")
    (again / "lessons" / "99_old.ipynb").write_text("{}", encoding="utf-8")
    manifest = (again / MANIFEST).read_text(encoding="utf-8")
    (again / MANIFEST).write_text(manifest.replace('"files": [', '"files": [\n  "lessons/99_old.ipynb",'),
                                  encoding="utf-8")
    result = publish(course, again, repository=repository)
    assert result.removed == ["lessons/99_old.ipynb"] and not (again / "lessons" / "99_old.ipynb").exists()
    assert (again / "LICENSE").read_text(encoding="utf-8") == "MIT\n"
    assert {k: v for k, v in tree_texts(again).items() if k != "LICENSE"} == tree_texts(published)


def test_publish_refuses_a_folder_it_did_not_write(course, tmp_path):
    repository = student_repository_for_tests(course)
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "my_notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(PublishError, match="비어 있지 않고") as error:
        publish(course, folder, repository=repository)
    assert "not empty" in str(error.value)
    assert sorted(p.name for p in folder.iterdir()) == ["my_notes.txt"]
    with pytest.raises(PublishError, match="폴더가 아닙니다"):
        publish(course, folder / "my_notes.txt", repository=repository)
    clone = tmp_path / "clone"  # a fresh clone of the (empty) student repository
    (clone / ".git").mkdir(parents=True)
    publish(course, clone, repository=repository)
    assert (clone / "lessons").is_dir() and (clone / ".git").is_dir()
    (clone / MANIFEST).write_text('{"files": ["../outside.txt"]}', encoding="utf-8")
    with pytest.raises(PublishError, match="폴더 밖"):
        publish(course, clone, repository=repository)


def test_publish_needs_a_student_repository_apart_from_the_instructors(course, tmp_path):
    bare = dataclasses.replace(course, root=tmp_path, student_repository="", student_branch="")
    with pytest.raises(PublishError, match="student_repository"):
        publish(bare, tmp_path / "out")
    with pytest.raises(PublishError, match="강사용 저장소와 같습니다"):
        publish(bare, tmp_path / "out", repository=course.repository + ".git")
    assert not (tmp_path / "out").exists()


def test_publish_refuses_what_would_leak_or_need_instructor_modules(course, tmp_path, monkeypatch):
    notebooks = solutions(course).values()
    public = "\n".join(REGION.sub("", cell.source) for nb in notebooks for cell in nb.cells)
    answer = next(answer_of(cell) for nb in notebooks for cell in nb.cells
                  if is_exercise(cell) and answer_of(cell).strip() not in public)
    monkeypatch.setattr("grader.host.publish.readme", lambda student: f"# 강의\n\n```python\n{answer}```\n")
    with pytest.raises(PublishError, match="would leak"):
        publish(course, tmp_path / "out", repository=student_repository_for_tests(course))
    assert not (tmp_path / "out").exists()
    checks = tmp_path / "grader" / "checks"
    checks.mkdir(parents=True)
    (checks / "__init__.py").write_text("from .. import hidden\nfrom grader import guard\nimport tensorflow\n")
    with pytest.raises(PublishError) as error:
        public_package_files(dataclasses.replace(course, root=tmp_path))
    assert all(name in str(error.value) for name in ("from ..", "grader.guard", "import tensorflow"))


def test_probe_notices_hidden_tests_in_the_kernel(workspace, tmp_path):
    """Without hiding the course's editable install, `grader.hidden` is importable: the probe says so."""
    published, notebooks = workspace
    env = kernel_environment(student_ipythondir(tmp_path / "ipython"), default_folder(), published,
                             pythonpath=published)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from grader import checks")])
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    _, errors, _ = run_notebook(path, env)
    assert len(errors) == 1 and "grader.hidden" in errors[0]
