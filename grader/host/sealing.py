"""Seal the secrets of a graded notebook: each test cell becomes one sealed call, hidden modules travel inside it.

A test cell of the solution (public checks around a hidden-test region) is replaced, for the run, by its marker
line and `__grader_test__("<sealed>", globals())` (grader.run.kernel.run_test). The sealed payload, encrypted and
authenticated with the run's key (grader.run.seal), holds a fresh nonce, the cell's code, the names its visible
code assigns (they stay in the notebook, as when the cell runs in Colab) and the sources of `grader.hidden` the
lesson's tests import. Nothing a student's code can open holds hidden tests or reference answers in the clear.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import uuid
from dataclasses import dataclass
from typing import NamedTuple

from nbformat import NotebookNode

from ..run.kernel import HIDDEN, TEST_FUNCTION
from ..run.seal import crypto
from ..run.spec import SealedPayload
from .notebook import grade_id, is_test

HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)
PACKAGES = (HIDDEN, f"{HIDDEN}.answers")


@dataclass
class SealedTest:
    """One test cell as sent to the run: its position in the graded notebook and the nonce of its verdict."""
    index: int
    grade_id: str | None
    nonce: str


def hidden_sources(files: dict[str, bytes], lesson: str) -> dict[str, str]:
    """{module name: source} of `grader.hidden` for a lesson ('05_imdb'), from the trusted package files."""
    number = lesson[:2]
    paths = {HIDDEN: "hidden/__init__.py", f"{HIDDEN}.lesson{number}": f"hidden/lesson{number}.py",
             f"{HIDDEN}.answers": "hidden/answers/__init__.py",
             f"{HIDDEN}.answers.lesson{number}": f"hidden/answers/lesson{number}.py"}
    return {name: files[path].decode("utf-8") for name, path in paths.items() if path in files}


def visible_names(source: str) -> list[str]:
    """Names the cell's visible code (hidden region left out) binds at the top level of the notebook."""
    tree = ast.parse(HIDDEN_REGION.sub("", source))
    names: set[str] = set()
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        todo.extend(ast.iter_child_nodes(node))
    return sorted(names)


class SealedNotebook(NamedTuple):
    """What `seal_tests` makes of a graded notebook."""
    notebook: NotebookNode  # a copy of the graded notebook with every test cell sealed
    tests: list[SealedTest]  # one per test cell, in notebook order


def seal_tests(nb: NotebookNode, key: bytes, sources: dict[str, str]) -> SealedNotebook:
    """`nb` with every test cell sealed with the run's `key`, each carrying the hidden modules `sources`."""
    sealed, seal = copy.deepcopy(nb), crypto().seal
    tests: list[SealedTest] = []
    for index, cell in enumerate(sealed.cells):
        if not is_test(cell):
            continue
        nonce = uuid.uuid4().hex
        payload: SealedPayload = {
            "code": cell.source, "keep": visible_names(cell.source), "file": f"<grader:{grade_id(cell)}>",
            "modules": sources, "packages": [name for name in PACKAGES if name in sources]}
        text = seal(key, nonce.encode("ascii") + json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        first_line = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        cell.source = f'{first_line}\n{TEST_FUNCTION}("{text}", globals())\n'
        tests.append(SealedTest(index, grade_id(cell), nonce))
    return SealedNotebook(sealed, tests)


def unsealed(executed: NotebookNode, original: NotebookNode) -> NotebookNode:
    """The executed notebook with the original test cell sources put back (for the instructor's copy)."""
    for cell, source in zip(executed.cells, original.cells):
        if is_test(cell):
            cell.source = source.source
    return executed
