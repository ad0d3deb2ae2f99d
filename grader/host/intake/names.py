"""LMS naming, on the host side: who handed in a file, read from its name and the folders above it.

Supported layouts: plain files, folder per student, Moodle (`이름_12345_assignsubmission_file_/…`),
Canvas (`hongildong_late_12345_67890_01_layers.ipynb`), Blackboard
(`과제_login_attempt_2024-03-15-10-30-00_01_layers.ipynb`), Colab and browser renames
(`01_layers의 사본.ipynb`, `Copy of …`, ` (1)`) and macOS NFD names.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

UNSAFE_CHARACTERS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')

_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<key>\d+)_assignsubmission_[a-z]+_?$", re.I)
_CANVAS = re.compile(r"^(?P<name>[^_]+)_(?:late_)?(?P<key>\d+)_\d+_(?P<file>.+)$")
_BLACKBOARD = re.compile(r"^(?P<assignment>.+)_(?P<key>[^_]+)_attempt_"
                         r"(?P<stamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:_(?P<file>.+))?$")
_COPY_MARKS = [
    re.compile(r"^(copy of\s+)+", re.I),  # Colab, English
    re.compile(r"(\s*의\s*사본)+", re.I),  # Colab, Korean
    re.compile(r"\s*-\s*(복사본|copy)(\s*\(\d+\))?$", re.I),  # Windows Explorer
    re.compile(r"\s+(복사본|copy)(\s+\d+)?$", re.I),  # macOS Finder
    re.compile(r"\s*\(\d+\)"),  # browser downloads: ' (1)'
]


def nfc(text: str) -> str:
    """`text` in Unicode NFC (macOS writes file names in NFD)."""
    return unicodedata.normalize("NFC", text)


def stem(part: str) -> str:
    """A file name without its last suffix."""
    return part[: -len(Path(part).suffix)] if Path(part).suffix else part


class Naming(NamedTuple):
    label: str  # the student id without a roster ('' when the name says nothing)
    key: str  # what identifies the student in the LMS ('' for plain files)
    stamp: float | None  # the LMS's own submission time, when the name has one


def clean_name(name: str, lesson: str) -> str:
    """A file or folder stem without copy marks, the lesson name and stray separators ('' if nothing is left)."""
    text = nfc(name)
    for pattern in _COPY_MARKS:
        text = pattern.sub("", text)
    text = re.sub(r"[\s_\-]*".join(map(re.escape, re.split(r"[\s_\-]+", nfc(lesson)))), "", text,
                  flags=re.I)
    text = re.sub(r"([\s_\-.])[\s_\-.]+", r"\1", text).strip(" _-.")
    return UNSAFE_CHARACTERS.sub("_", text)


def naming(parts: Sequence[str], lesson: str) -> Naming:
    """How to call the student who handed in the file at `parts` (folders inside the input, then its name)."""
    *folders, filename = parts
    file_stem = stem(filename)
    blackboard, canvas = _BLACKBOARD.match(file_stem), _CANVAS.match(filename)
    if blackboard:
        stamp = time.mktime(time.strptime(blackboard["stamp"], "%Y-%m-%d-%H-%M-%S"))
        return Naming(clean_name(blackboard["key"], lesson), f"blackboard:{blackboard['key']}", stamp)
    if canvas:
        return Naming(clean_name(canvas["name"], lesson), f"canvas:{canvas['key']}", None)
    for folder in reversed(folders):
        moodle = _MOODLE.match(folder)
        if moodle:
            return Naming(clean_name(moodle["name"], lesson), f"moodle:{moodle['key']}", None)
    for part in [file_stem, *reversed(folders)]:
        label = clean_name(part, lesson)
        if label:
            return Naming(label, "", None)
    return Naming("", "", None)
