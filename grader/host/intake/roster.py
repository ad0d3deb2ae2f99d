"""Roster, on the host side: read the class list and match a file's path to one roster student.

A file belongs to the one student whose 학번, else full name, else LMS id appears in its path as a
whole token. A path that names no one, or several, matches no student and says why.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..csv_files import decode_text
from .names import nfc


@dataclass(frozen=True)
class Student:
    """One roster row."""
    id: str  # 학번
    name: str
    email: str = ""
    lms_id: str = ""  # the LMS's own id or login (Canvas user id, Moodle participant id, ...)


class RosterError(ValueError):
    """A roster file that cannot be used; the message is Korean with English terms."""


class RosterMatch(NamedTuple):
    """The one student a path names, else None and why (Korean with English terms)."""
    student: Student | None
    reason: str


_COLUMNS = {
    "id": ("학번", "student_id", "student id", "sis user id", "id"),
    "name": ("이름", "성명", "name"),
    "email": ("이메일", "email", "e-mail"),
    "lms_id": ("lms_id", "lms id", "lms", "login", "login_id", "sis login id", "username", "아이디"),
}


def read_roster(path: str | Path) -> list[Student]:
    """Roster students from a CSV (columns 학번, 이름, optional 이메일 and LMS_ID)."""
    text = decode_text(Path(path).read_bytes())
    lines = text.splitlines()
    delimiter = "\t" if lines and "\t" in lines[0] and "," not in lines[0] else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise RosterError(f"명단이 비어 있습니다 (empty roster): {path}")
    header = [nfc(cell).strip().casefold() for cell in rows[0]]
    where = {key: next((header.index(a) for a in aliases if a in header), None)
             for key, aliases in _COLUMNS.items()}
    if where["id"] is None or where["name"] is None:
        raise RosterError(f"명단에 '학번'과 '이름' 열이 있어야 합니다 (roster needs columns 학번, 이름): "
                          f"{path}; 찾은 열 (found): {', '.join(rows[0])}")
    students: list[Student] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        cell = {key: nfc(row[i]).strip() if i is not None and i < len(row) else ""
                for key, i in where.items()}
        if not cell["id"]:
            continue
        if cell["id"] in seen:
            raise RosterError(f"명단 {number}행: 학번 {cell['id']}이(가) 중복됩니다 (duplicate 학번)")
        seen.add(cell["id"])
        students.append(Student(cell["id"], " ".join(cell["name"].split()), cell["email"], cell["lms_id"]))
    return students


def _char_kind(char: str) -> str:
    if char.isdigit():
        return "digit"
    if "\uac00" <= char <= "\ud7a3":
        return "hangul"
    return "letter" if char.isalpha() else "other"


def contains_token(text: str, key: str) -> bool:
    """Whether `key` occurs in `text` as a whole token: '김민' is not in '김민수', '2024001' is in '2024001홍길동'."""
    text, key = nfc(text).casefold(), nfc(key).casefold().strip()
    start = text.find(key) if key else -1
    while start >= 0:
        before, after = text[start - 1:start], text[start + len(key):start + len(key) + 1]
        if all(not c or _char_kind(c) == "other" or _char_kind(c) != _char_kind(edge)
               for c, edge in ((before, key[0]), (after, key[-1]))):
            return True
        start = text.find(key, start + 1)
    return False


def _name_forms(name: str) -> set[str]:
    words = name.split()
    return {sep.join(words) for sep in ("", " ", "_", "-", ".")} if words else set()


def _listed(students: list[Student]) -> str:
    return ", ".join(f"{s.id} {s.name}" for s in students)


def match_roster(roster: Sequence[Student], text: str, lms_key: str | None = None) -> RosterMatch:
    """The one roster student a file's path text names (by 학번, else name, else LMS id `lms_key`)."""
    by_id = [s for s in roster if contains_token(text, s.id)]
    by_name = [s for s in roster if any(contains_token(text, form) for form in _name_forms(s.name))]
    if len(by_id) == 1 and by_name and by_id[0] not in by_name:
        return RosterMatch(None, f"학번은 {by_id[0].id} {by_id[0].name}, 이름은 {_listed(by_name)}을(를) 가리킵니다 "
                                 "(학번 and name point to different students)")
    found, rule = (by_id, "학번") if by_id else (by_name, "이름 (name)")
    if not found:
        found, rule = [s for s in roster if s.lms_id and (
            s.lms_id.casefold() == lms_key.casefold() if lms_key else contains_token(text, s.lms_id))], "LMS_ID"
    if len(found) == 1:
        return RosterMatch(found[0], "")
    if not found:
        return RosterMatch(None, "명단의 어느 학생과도 맞지 않습니다 (matches no roster student: 학번, 이름, LMS_ID)")
    return RosterMatch(None, f"{rule}이(가) 여러 학생과 맞습니다 (matches several students): {_listed(found)}")
