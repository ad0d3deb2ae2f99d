"""lessons/ is generated from solutions/: in sync, no answers or hidden tests, Colab header works."""

import ast
import re
import shutil
import sys
import types

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from grader.host.cli import main
from grader.host.codes import ReleaseStatus
from grader.host.notebook import is_exercise, is_test, structure_problems
from grader.host.release import CODE_STUB, release_lesson, student_notebook


def lesson_pairs(course):
    for lesson in course.lessons:
        solution = nbformat.read(course.solution_path(lesson), as_version=4)
        student = nbformat.read(course.student_path(lesson), as_version=4)
        yield lesson, solution, student


def solution_lines(cell):
    source = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
    return [line.strip() for line in source.splitlines() if line.strip()]


def test_every_lesson_is_released_and_current(course):
    for lesson in course.lessons:
        assert release_lesson(course, lesson, check=True).status == "unchanged", lesson.name


def test_solutions_are_well_formed_with_at_least_five_exercises(course):
    for lesson, solution, _ in lesson_pairs(course):
        assert structure_problems(solution) == [], lesson.name
        tests = [cell for cell in solution.cells if is_test(cell)]
        assert len(tests) >= 5, lesson.name
        hidden = re.compile(rf"from grader\.hidden import [\w, ]*\blesson{lesson.name[:2]}\b")
        assert all(hidden.search(cell.source) and "with carry_forward(" in cell.source for cell in tests), lesson.name


def test_student_versions_contain_no_answers_and_no_hidden_tests(course):
    for lesson, solution, student in lesson_pairs(course):
        student_text = "\n".join(cell.source for cell in student.cells)
        assert "BEGIN HIDDEN TESTS" not in student_text and "grader.hidden" not in student_text
        assert "BEGIN SOLUTION" not in student_text
        answers = [cell for cell in solution.cells if is_exercise(cell)]
        stubs = [cell for cell in student.cells if is_exercise(cell)]
        assert len(stubs) == len(answers)
        for answer, stub in zip(answers, stubs):
            assert CODE_STUB in "\n".join(line.strip() for line in stub.source.splitlines())
            given = answer.source.split("### BEGIN SOLUTION", 1)[0]
            given_signatures = [line for line in given.splitlines() if line.startswith("def ")]
            assert all(line in stub.source.splitlines() for line in given_signatures), (lesson.name, stub.source)
            stub_lines = {line.strip() for line in stub.source.splitlines()}
            leaked = [line for line in solution_lines(answer) if line in stub_lines]
            assert leaked == [], (lesson.name, leaked)
        for cell in student.cells:
            assert cell.get("outputs", []) == []
            if is_test(cell):
                assert cell.metadata["editable"] is False and cell.metadata["nbgrader"]["checksum"]


def test_student_version_starts_with_colab_badge_and_setup(course):
    for lesson, _, student in lesson_pairs(course):
        badge, setup = student.cells[:2]
        assert course.colab_url(lesson) in badge.source and "colab-badge.svg" in badge.source
        assert course.pip_target() in setup.source and "--no-deps" in setup.source


def test_every_lesson_but_the_last_ends_with_a_link_to_the_next(course):
    pairs = list(lesson_pairs(course))
    for (lesson, _, student), (following, _, _) in zip(pairs, pairs[1:]):
        footer = student.cells[-1]
        assert footer.cell_type == "markdown" and "다음 레슨" in footer.source, lesson.name
        assert course.colab_url(following) in footer.source and following.title in footer.source
    assert "다음 레슨" not in pairs[-1][2].cells[-1].source


def unguarded_koreanize_imports(source):
    """Line numbers of `import koreanize_matplotlib` that no `try: ... except ImportError` surrounds."""
    tree = ast.parse(TransformerManager().transform_cell(source))
    guarded = {id(node) for block in ast.walk(tree) if isinstance(block, ast.Try)
               and any(ast.unparse(handler.type or ast.Name("")) in ("ImportError", "ModuleNotFoundError")
                       for handler in block.handlers)
               for statement in block.body for node in ast.walk(statement)}
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
            and "koreanize_matplotlib" in ast.unparse(node) and id(node) not in guarded]


def test_lessons_run_without_koreanize_matplotlib(course):
    """Colab's setup cell installs Korean fonts; a local Jupyter without them must still run every cell."""
    assert unguarded_koreanize_imports("import koreanize_matplotlib\n") == [1]
    assert unguarded_koreanize_imports("try:\n    import koreanize_matplotlib\nexcept ImportError:\n    pass\n") == []
    found = [f"{lesson.name} 셀 {index}: 줄 {line}" for lesson, solution, _ in lesson_pairs(course)
             for index, cell in enumerate(solution.cells) if cell.cell_type == "code"
             for line in unguarded_koreanize_imports(cell.source)]
    assert found == []


def run_setup_cell(source, in_colab):
    """Execute the setup cell as IPython would; return the magics it called."""
    calls = []
    shell = types.SimpleNamespace(run_line_magic=lambda name, line: calls.append((name, line)))
    code = TransformerManager().transform_cell(source)
    modules = dict(sys.modules)
    if in_colab:
        modules["google.colab"] = types.ModuleType("google.colab")
    fake_sys = types.SimpleNamespace(modules=modules)
    exec(code.replace("import sys\n", ""), {"get_ipython": lambda: shell, "sys": fake_sys})
    return calls


def test_setup_cell_installs_only_in_colab(course):
    lesson = course.lessons[0]
    setup = nbformat.read(course.student_path(lesson), as_version=4).cells[1].source
    assert run_setup_cell(setup, in_colab=False) == []
    [(magic, line)] = run_setup_cell(setup, in_colab=True)
    assert magic == "pip" and course.pip_target() in line and "koreanize-matplotlib" in line


@pytest.fixture
def course_copy(course, tmp_path):
    shutil.copy(course.root / "course.toml", tmp_path)
    for folder in ("solutions", "lessons"):
        shutil.copytree(course.root / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture
def stale_copy(course, course_copy):
    """The course copy with a new cell in the first lesson's solution: its student notebook is stale."""
    path = course_copy / "solutions" / f"{course.lessons[0].name}.ipynb"
    solution = nbformat.read(path, as_version=4)
    solution.cells.append(nbformat.v4.new_markdown_cell("새 설명"))
    nbformat.write(solution, path)
    return course_copy


def test_release_check_fails_on_stale_lessons_until_released(stale_copy, capsys):
    course_copy = stale_copy
    assert main(["--course", str(course_copy), "release", "--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert main(["--course", str(course_copy), "release"]) == 0
    assert "written" in capsys.readouterr().out
    assert main(["--course", str(course_copy), "release", "--check"]) == 0


def test_quiet_shows_only_warnings_and_verbose_shows_debug_messages(course, stale_copy, capsys):
    course_copy, lesson = stale_copy, course.lessons[0]
    assert main(["--course", str(course_copy), "--quiet", "release", "--check"]) == 1
    printed = capsys.readouterr().out
    assert ReleaseStatus.STALE.text in printed and ReleaseStatus.UNCHANGED.text not in printed
    assert main(["--course", str(course_copy), "--verbose", "release", lesson.name]) == 0
    printed = capsys.readouterr().out
    assert ReleaseStatus.WRITTEN.text in printed and str(course_copy / "lessons" / f"{lesson.name}.ipynb") in printed
    assert main(["--course", str(course_copy), "--quiet", "release"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["--course", str(course_copy), "release", "--check"]) == 0
    assert ReleaseStatus.UNCHANGED.text in capsys.readouterr().out


def test_release_refuses_malformed_solution(course, course_copy, capsys):
    lesson = course.lessons[0]
    path = course_copy / "solutions" / f"{lesson.name}.ipynb"
    solution = nbformat.read(path, as_version=4)
    exercise = next(cell for cell in solution.cells if is_exercise(cell))
    exercise.source = exercise.source.split("\n", 1)[1]  # marker line removed
    nbformat.write(solution, path)

    assert main(["--course", str(course_copy), "release", lesson.name]) == 1
    output = capsys.readouterr().out
    assert "invalid" in output and "표식이 없습니다" in output


def test_unknown_lesson_is_a_clear_error(course_copy, capsys):
    assert main(["--course", str(course_copy), "release", "99_nope"]) == 2
    assert "99_nope" in capsys.readouterr().err


def test_student_notebook_leaves_the_solution_untouched(course):
    lesson = course.lessons[0]
    solution = nbformat.read(course.solution_path(lesson), as_version=4)
    before = nbformat.writes(solution)
    student_notebook(solution, course, lesson)
    assert nbformat.writes(solution) == before


def test_missing_solution_is_reported_by_name(course, course_copy, capsys):
    lesson = course.lessons[0]
    (course_copy / "solutions" / f"{lesson.name}.ipynb").unlink()

    assert main(["--course", str(course_copy), "release", "--check", lesson.name]) == 1
    output = capsys.readouterr().out
    assert "missing" in output and f"solutions/{lesson.name}.ipynb" in output
